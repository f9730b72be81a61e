// What this adapter's compiled code lets a kernel reach, measured beside our matmul in one run (issue 13):
// the fastest runtime loop of float32 multiply-adds with nothing loaded (one step an iteration, as our
// matmul's k loop takes, and four written out), and the price of one load at an address known only at run
// time (f32 and vec4). Against these, rather than the CPU's float32 peak alone, the matmul's efficiency
// says how much a better kernel could still gain on this runtime. Kernels: shaders/bench/.
import { join } from 'node:path';
import { getGpu, settle } from '../gpu/device.js';
import { type Dispatch, KernelRegistry, SHADER_DIR, submit } from '../gpu/kernels.js';
import { type GpuTensor, createTensor } from '../gpu/tensor.js';
import { type MatmulShape } from '../ops/cpu/matmul.js';
import { matmul } from '../ops/gpu/matmul.js';
import { Rng } from '../util/rng.js';
import { median } from '../util/stats.js';
import { CPU_PEAK_GFLOPS } from './matmul.js';

export interface CeilingResult {
  /** GFLOP/s of the multiply-add loop, median and best of the runs. */
  multiply_add: { steps_per_iteration: 1 | 4; gflops: number; best_gflops: number }[];
  /** Nanoseconds per element loaded (all cores together), median and best. */
  loads: { load: 'f32' | 'vec4'; ns_per_element: number; best_ns_per_element: number }[];
  /** The fast path's three batch-sized products (SPEC §3), against the one-step loop and the CPU's peak. */
  matmul: { shape: string; gflops: number; best_gflops: number; of_one_step_loop: number; of_cpu_peak: number }[];
  runs: number;
}

const INVOCATIONS = 64 * 512;
const ITERATIONS = 2048; // of one step; the four-step loop runs a quarter as many
const ROWS = 2048;
const WIDTH = 512;

/** The canonical fast path's products: logits, dhook_pre (B = W_Lᵀ), dW_L (A = hook_postᵀ). */
const PRODUCTS: readonly (readonly [M: number, N: number, K: number, transA: boolean, transB: boolean, why: string])[] = [
  [2785, 59, 512, false, false, 'hook_post @ W_L'],
  [2785, 512, 59, false, true, 'dlogits @ W_Lᵀ'],
  [512, 59, 2785, true, false, 'hook_postᵀ @ dlogits'],
];

interface Contender { d: Dispatch; times: number[] }

function multiplyAdd(k: KernelRegistry, four: boolean): Contender {
  const out = createTensor(k.owner, 'f32', [INVOCATIONS]);
  const d = k.prepare('multiply_add_loop', {
    tensors: { out }, uniforms: { iterations: four ? ITERATIONS / 4 : ITERATIONS, m: 0.999, c: 1e-3 }, constants: { FOUR_STEPS: +four }, workgroups: [INVOCATIONS / 64],
  });
  return { d, times: [] };
}

function laneLoads(k: KernelRegistry, x: GpuTensor, vec4: boolean): Contender {
  const out = createTensor(k.owner, 'f32', [INVOCATIONS]);
  const d = k.prepare('lane_loads', { tensors: { x, x4: x, out }, uniforms: { rows: ROWS, width: WIDTH }, constants: { VEC4: +vec4 }, workgroups: [INVOCATIONS / 64] });
  return { d, times: [] };
}

export async function benchCeiling(opts: { runs?: number } = {}): Promise<CeilingResult> {
  const runs = opts.runs ?? 9;
  const g = await getGpu();
  const k = new KernelRegistry(g);
  const bench = new KernelRegistry(g, join(SHADER_DIR, 'bench'), k.owner);
  const rng = new Rng(0);
  const x = createTensor(k.owner, 'f32', [ROWS * WIDTH], Float32Array.from({ length: ROWS * WIDTH }, () => rng.normal()));
  const loops = [multiplyAdd(bench, false), multiplyAdd(bench, true)];
  const loads = [laneLoads(bench, x, false), laneLoads(bench, x, true)];
  const products = PRODUCTS.map(([M, N, K, transA, transB]) => {
    const s: MatmulShape = { batch: 1, M, N, K, transA, transB, strideA: 0, strideB: 0 };
    const a = createTensor(k.owner, 'f32', [M * K], Float32Array.from({ length: M * K }, () => rng.normal()));
    const b = createTensor(k.owner, 'f32', [K * N], Float32Array.from({ length: K * N }, () => rng.normal()));
    return { d: matmul(k, a, b, createTensor(k.owner, 'f32', [M * N]), s), times: [] as number[] };
  });
  const all = [...loops, ...loads, ...products];
  for (const c of all) { // compiles each pipeline
    submit(g, [c.d]);
    await settle(g);
  }
  // Interleaved run by run, so load from other processes hits them alike.
  for (let r = 0; r < runs; r++) {
    for (const c of all) {
      const t0 = performance.now();
      submit(g, [c.d]);
      await settle(g, c.times.length ? Math.min(...c.times) : 0);
      c.times.push(performance.now() - t0);
    }
  }
  k.owner.dispose();
  const loopFlops = 2 * 16 * INVOCATIONS * ITERATIONS;
  const multiply_add = loops.map((c, i) => ({ steps_per_iteration: (i ? 4 : 1) as 1 | 4, gflops: loopFlops / median(c.times) / 1e6, best_gflops: loopFlops / Math.min(...c.times) / 1e6 }));
  const elements = (vec4: boolean) => INVOCATIONS * ROWS * (vec4 ? 4 : 1);
  return {
    multiply_add,
    loads: loads.map((c, i) => ({ load: i ? 'vec4' : 'f32', ns_per_element: median(c.times) * 1e6 / elements(i > 0), best_ns_per_element: Math.min(...c.times) * 1e6 / elements(i > 0) })),
    matmul: products.map((c, i) => {
      const [M, N, K, transA, transB, why] = PRODUCTS[i];
      const flops = 2 * M * N * K;
      const gflops = flops / median(c.times) / 1e6;
      return {
        shape: `${M}×${N}×${K}${transA ? ' transA' : ''}${transB ? ' transB' : ''} (${why})`, gflops, best_gflops: flops / Math.min(...c.times) / 1e6,
        of_one_step_loop: gflops / multiply_add[0].gflops, of_cpu_peak: gflops / CPU_PEAK_GFLOPS,
      };
    }),
    runs,
  };
}
