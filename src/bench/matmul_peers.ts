// Matmul against a same-runtime peer (issue 13): our matmul (the tile the model uses) and TensorFlow.js's
// WebGPU backend (src/bench/tfjs.ts) on the same Dawn adapter and queue, the same float32 inputs, on the
// products of the model's step (SPEC §1: p = 59, d_model 128, d_mlp 512; 2785 training pairs, 3481 = 59²
// rows for the generic schedule) and 1024³, interleaved round by round in one run.
import * as tf from '@tensorflow/tfjs-core';
import { getGpu, settle } from '../gpu/device.js';
import { KernelRegistry, submit } from '../gpu/kernels.js';
import { createTensor, freeTensor, readF32 } from '../gpu/tensor.js';
import { type MatmulShape } from '../ops/cpu/matmul.js';
import { matmul, matmulTile, sharesA } from '../ops/gpu/matmul.js';
import { Rng } from '../util/rng.js';
import { median } from '../util/stats.js';
import { FAST_PATH_PRODUCTS } from './matmul.js';
import { TFJS_VERSION, flushTfjs, tfjsOn } from './tfjs.js';

export interface MatmulPeerRow {
  shape: string;
  M: number; N: number; K: number; transA: boolean;
  /** Our tile for the shape (matmulTile, what the model uses), as tm×tn. */
  tile: string;
  /** GFLOP/s from the median round, and from the fastest (nearer what the kernel can do on a shared machine). */
  ours_gflops: number; ours_best_gflops: number;
  tfjs_gflops: number; tfjs_best_gflops: number;
  /** ours_gflops / tfjs_gflops: above 1, we lead by that factor. */
  lead: number;
  /** Largest |ours − tfjs| over C, and the tolerance it passed. */
  max_diff: number; tolerance: number;
}

export interface MatmulPeersResult {
  peer: string;
  adapter: string;
  rounds: number;
  /** Products per round and contender: one submit of that many dispatches, timed to the queue's completion. */
  dispatches: number;
  rows: MatmulPeerRow[];
}

const SHAPES: readonly (readonly [M: number, N: number, K: number, transA: boolean, why: string])[] = [
  ...FAST_PATH_PRODUCTS,
  [3481, 128, 512, false, 'post·W_out, generic'],
  [3481, 512, 128, false, 'x1·W_in, generic'],
  [1024, 1024, 1024, false, '1024³'],
];

/**
 * Each of two float32 products of K terms is within about 2e-6·√K·max|C| of the exact one (the tolerance
 * test/ops/matmul.test.ts holds our kernel to), so they differ by at most twice that.
 */
function tolerance(K: number, c: Float32Array): number {
  let scale = 0;
  for (const x of c) scale = Math.max(scale, Math.abs(x));
  return 2 * 2e-6 * Math.sqrt(K) * scale;
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

export async function benchMatmulPeers(opts: { rounds?: number; dispatches?: number } = {}): Promise<MatmulPeersResult> {
  const rounds = opts.rounds ?? 5;
  const dispatches = opts.dispatches ?? 3;
  const g = await getGpu();
  const backend = await tfjsOn(g);
  const k = new KernelRegistry(g);
  const rng = new Rng(0);
  const rows: MatmulPeerRow[] = [];
  for (const [M, N, K, transA, why] of SHAPES) {
    const shape = `${M}×${N}×${K}${transA ? ' transA' : ''} (${why})`;
    const a = Float32Array.from({ length: M * K }, () => rng.normal());
    const b = Float32Array.from({ length: K * N }, () => rng.normal());
    const s: MatmulShape = { batch: 1, M, N, K, transA, transB: false, strideA: 0, strideB: 0 };
    const at = createTensor(g, 'f32', [M * K], a);
    const bt = createTensor(g, 'f32', [K * N], b);
    const ct = createTensor(g, 'f32', [M * N]);
    const d = matmul(k, at, bt, ct, s);
    const ta = tf.tensor2d(a, transA ? [K, M] : [M, K]);
    const tb = tf.tensor2d(b, [K, N]);

    // The first run of each compiles its pipeline (and uploads tfjs's inputs); its results are compared.
    submit(g, d);
    const ours = await readF32(g, ct);
    const tc = tf.matMul(ta, tb, transA);
    const theirs = await tc.data();
    tc.dispose();
    const tol = tolerance(K, ours);
    const diff = maxDiff(ours, theirs);
    if (!(diff <= tol)) throw new Error(`matmul_peers: ${shape}: tfjs and our matmul differ by ${diff} (> ${tol}): they do not compute the same product`);

    const contenders = [
      { times: [] as number[], run: () => submit(g, Array.from({ length: dispatches }, () => d).flat()) },
      {
        times: [] as number[],
        run: () => {
          tf.tidy(() => {
            for (let i = 0; i < dispatches; i++) tf.matMul(ta, tb, transA);
          });
          flushTfjs(backend);
        },
      },
    ];
    // Interleaved round by round, who goes first alternating, so load from other processes hits both alike.
    for (let r = 0; r < rounds; r++) {
      for (const c of r % 2 ? [...contenders].reverse() : contenders) {
        const t0 = performance.now();
        c.run();
        await settle(g, c.times.length ? Math.min(...c.times) : 0);
        c.times.push(performance.now() - t0);
      }
    }
    const flops = 2 * M * N * K * dispatches;
    const [ourGflops, tfjsGflops] = contenders.map((c) => flops / median(c.times) / 1e6);
    const [ourBest, tfjsBest] = contenders.map((c) => flops / Math.min(...c.times) / 1e6);
    const tile = matmulTile(s, sharesA(k));
    rows.push({
      shape, M, N, K, transA, tile: `${tile.tm}×${tile.tn}`,
      ours_gflops: ourGflops, ours_best_gflops: ourBest, tfjs_gflops: tfjsGflops, tfjs_best_gflops: tfjsBest,
      lead: ourGflops / tfjsGflops, max_diff: diff, tolerance: tol,
    });
    for (const t of [at, bt, ct]) freeTensor(g, t);
    tf.dispose([ta, tb]);
  }
  k.owner.dispose();
  const info = g.adapter.info;
  return { peer: `tfjs-backend-webgpu ${TFJS_VERSION}`, adapter: `${info.vendor} ${info.architecture}: ${info.description}`, rounds, dispatches, rows };
}
