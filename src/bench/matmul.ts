// Matmul throughput on the canonical model's shapes (SPEC §1: p = 59, d_model 128, d_mlp 512, batch
// 3481 = 59² rows; shapes written M×N×K) and 1024³: each GPU tile variant side by side in one run, beside a single-threaded
// float32 JavaScript matmul measured in the same run and the CPU's float32 peak.
import { getGpu } from '../gpu/device.js';
import { KernelRegistry } from '../gpu/kernels.js';
import { createTensor, freeTensor } from '../gpu/tensor.js';
import { type MatmulShape } from '../ops/cpu/matmul.js';
import { type MatmulTile, matmul, matmulTile, sharesA } from '../ops/gpu/matmul.js';
import { Rng } from '../util/rng.js';
import { median } from '../util/stats.js';
import { rates, timeInterleaved } from './rounds.js';

/** Float32 peak of this machine's CPU (2 cores, AVX-512 FMA), as measured for the project. */
export const CPU_PEAK_GFLOPS = 205;

export interface MatmulRow {
  shape: string;
  M: number; N: number; K: number; transA: boolean; transB: boolean;
  /** 'auto' is the tile matmulTile picks (what the model uses); the others are alternatives for comparison. */
  variant: string;
  median_ms: number;
  gflops: number;
  /** From the fastest run: other processes share the 2 cores, so this is nearer what the kernel can do. */
  best_gflops: number;
  cpu_js_gflops: number;
  /** gflops / cpu_js_gflops */
  vs_cpu_js: number;
  /** gflops / CPU_PEAK_GFLOPS */
  of_peak: number;
  runs: number;
}

/** A product's name in the tables: M×N×K, its transposes, and what it is. */
export const shapeLabel = (M: number, N: number, K: number, transA: boolean, transB: boolean, why: string) =>
  `${M}×${N}×${K}${transA ? ' transA' : ''}${transB ? ' transB' : ''} (${why})`;

/** The canonical fast path's three batch-sized products (SPEC §3; src/model/schedule_constant.ts), none with Bᵀ. */
export const FAST_PATH_PRODUCTS: readonly (readonly [M: number, N: number, K: number, transA: boolean, why: string])[] = [
  [2785, 59, 512, false, 'logits = hook_post·W_L'],
  [2785, 512, 59, false, 'dpre = dlogits·W_Lᵀ'],
  [512, 59, 2785, true, 'dW_L = hook_postᵀ·dlogits'],
];

const SHAPES: readonly (readonly [M: number, N: number, K: number, transA: boolean, transB: boolean, why: string])[] = [
  [3481, 128, 512, false, false, 'post @ W_out'],
  [3481, 512, 128, false, false, 'x1 @ W_in'],
  [3481, 128, 59, false, true, 'dlogits @ W_Uᵀ'],
  [512, 128, 3481, true, false, 'W_out gradient postᵀ @ dx2'],
  [1024, 1024, 1024, false, false, '1024³'],
];

const VARIANTS: Record<string, MatmulTile | undefined> = {
  auto: undefined,
  '4x4': { tm: 4, tn: 4, wgx: 8, wgy: 8 },
  '8x8': { tm: 8, tn: 8, wgx: 8, wgy: 8 },
  '8x16 wg 4x16': { tm: 8, tn: 16, wgx: 4, wgy: 16 },
};


/**
 * Single-threaded float32 C = op(A)·op(B), the loop order picked per layout so the inner loop streams
 * memory: i-k-j (rows of B and C) for plain B, i-j-k dot products for transB; with transA the column of A
 * is read with stride M once per (i, k). A decent plain-JS baseline, not a tuned one.
 */
export function matmulJs(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transA: boolean, transB: boolean): Float32Array {
  const c = new Float32Array(M * N);
  if (transB) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += (transA ? a[k * M + i] : a[i * K + k]) * b[j * K + k];
        c[i * N + j] = sum;
      }
    }
    return c;
  }
  for (let i = 0; i < M; i++) {
    const o = i * N;
    for (let k = 0; k < K; k++) {
      const av = transA ? a[k * M + i] : a[i * K + k];
      const ob = k * N;
      for (let j = 0; j < N; j++) c[o + j] += av * b[ob + j];
    }
  }
  return c;
}

export async function benchMatmul(opts: { runs?: number } = {}): Promise<MatmulRow[]> {
  const runs = opts.runs ?? 7;
  const g = await getGpu();
  const k = new KernelRegistry(g);
  const rng = new Rng(0);
  const rows: MatmulRow[] = [];
  for (const [M, N, K, transA, transB, why] of SHAPES) {
    const flops = 2 * M * N * K;
    const a = Float32Array.from({ length: M * K }, () => rng.normal());
    const b = Float32Array.from({ length: K * N }, () => rng.normal());
    const cpuTimes: number[] = [];
    for (let r = 0; r < (flops > 1e9 ? 1 : 3); r++) {
      const t0 = performance.now();
      matmulJs(a, b, M, N, K, transA, transB);
      cpuTimes.push(performance.now() - t0);
    }
    const cpuGflops = flops / median(cpuTimes) / 1e6;
    const at = createTensor(g, 'f32', [M * K], a);
    const bt = createTensor(g, 'f32', [K * N], b);
    const ct = createTensor(g, 'f32', [M * N]);
    const s: MatmulShape = { batch: 1, M, N, K, transA, transB, strideA: 0, strideB: 0 };
    const dispatches = Object.entries(VARIANTS).map(([name, tile]) => ({ name, d: matmul(k, at, bt, ct, s, { tile }) }));
    const times = await timeInterleaved(g, dispatches.map((v) => v.d), runs);
    for (const [i, v] of dispatches.entries()) {
      const r = rates(times[i], flops / 1e6);
      // A product too small to fill the device splits K (two dispatches: src/ops/gpu/matmul.ts splitK).
      const notes = [...(v.name === 'auto' ? [Object.values(matmulTile(s, sharesA(k))).slice(0, 2).join('x')] : []), ...(v.d.length > 1 ? ['K split'] : [])];
      const variant = notes.length ? `${v.name} (${notes.join(', ')})` : v.name;
      rows.push({
        shape: shapeLabel(M, N, K, transA, transB, why), M, N, K, transA, transB, variant,
        median_ms: median(times[i]), gflops: r.median, best_gflops: r.best, cpu_js_gflops: cpuGflops, vs_cpu_js: r.median / cpuGflops, of_peak: r.median / CPU_PEAK_GFLOPS, runs,
      });
    }
    for (const t of [at, bt, ct]) freeTensor(g, t);
  }
  k.owner.dispose();
  return rows;
}
