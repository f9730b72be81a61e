// What this adapter's compiled code lets a kernel reach, measured beside our matmul in one run (issue 13):
// the fastest runtime loop of float32 multiply-adds with nothing loaded (one step an iteration, and four
// written out; our matmul's k loop takes two for each row of its block), and the price of a load at an
// address known only at run time (f32 and vec4): a loop with the load against the same loop without it.
// Against these, rather than the CPU's float32 peak alone, the matmul's efficiency says how much a better
// kernel could still gain on this runtime. Kernels: shaders/bench/.
import { join } from 'node:path';
import { getGpu } from '../gpu/device.js';
import { type Dispatch, KernelRegistry, SHADER_DIR } from '../gpu/kernels.js';
import { type GpuTensor, createTensor } from '../gpu/tensor.js';
import { type MatmulShape } from '../ops/cpu/matmul.js';
import { matmul } from '../ops/gpu/matmul.js';
import { Rng } from '../util/rng.js';
import { CPU_PEAK_GFLOPS, FAST_PATH_PRODUCTS, shapeLabel } from './matmul.js';
import { rates, timeInterleaved } from './rounds.js';

export interface CeilingResult {
  /** GFLOP/s of the multiply-add loop, median and best of the runs. */
  multiply_add: { steps_per_iteration: 1 | 4; gflops: number; best_gflops: number }[];
  /**
   * Nanoseconds per float32 loaded (all cores together): the loop with the load less the same loop
   * without it, per float (a vec4 load brings four), from median and from best times.
   */
  loads: { load: 'f32' | 'vec4'; ns_per_float: number; best_ns_per_float: number }[];
  /** Nanoseconds per iteration of that loop without the load: what the load figures have been cleared of. */
  loop_ns_per_iteration: number;
  /** The fast path's three batch-sized products, against the one-step loop and the CPU's peak. */
  matmul: { shape: string; gflops: number; best_gflops: number; of_one_step_loop: number; of_cpu_peak: number }[];
  runs: number;
}

const INVOCATIONS = 64 * 512;
const ITERATIONS = 2048; // of one step; the four-step loop runs a quarter as many
const ROWS = 2048;
const WIDTH = 512;

function multiplyAdd(k: KernelRegistry, four: boolean): Dispatch {
  return k.prepare('multiply_add_loop', {
    tensors: { out: createTensor(k.owner, 'f32', [INVOCATIONS]) }, uniforms: { iterations: four ? ITERATIONS / 4 : ITERATIONS, m: 0.999, c: 1e-3 },
    constants: { FOUR_STEPS: +four }, workgroups: [INVOCATIONS / 64],
  });
}

function laneLoads(k: KernelRegistry, x: GpuTensor, load: 'none' | 'f32' | 'vec4'): Dispatch {
  return k.prepare('lane_loads', {
    tensors: { x, x4: x, out: createTensor(k.owner, 'f32', [INVOCATIONS]) }, uniforms: { rows: ROWS, width: WIDTH },
    constants: { LOAD: +(load !== 'none'), VEC4: +(load === 'vec4') }, workgroups: [INVOCATIONS / 64],
  });
}

export async function benchCeiling(opts: { runs?: number } = {}): Promise<CeilingResult> {
  const runs = opts.runs ?? 25;
  const g = await getGpu();
  const k = new KernelRegistry(g);
  try {
    const bench = new KernelRegistry(g, join(SHADER_DIR, 'bench'), k.owner);
    const rng = new Rng(0);
    const x = createTensor(k.owner, 'f32', [ROWS * WIDTH], Float32Array.from({ length: ROWS * WIDTH }, () => rng.normal()));
    const products = FAST_PATH_PRODUCTS.map(([M, N, K, transA]) => {
      const s: MatmulShape = { batch: 1, M, N, K, transA, transB: false, strideA: 0, strideB: 0 };
      const a = createTensor(k.owner, 'f32', [M * K], Float32Array.from({ length: M * K }, () => rng.normal()));
      const b = createTensor(k.owner, 'f32', [K * N], Float32Array.from({ length: K * N }, () => rng.normal()));
      return matmul(k, a, b, createTensor(k.owner, 'f32', [M * N]), s);
    });
    const [loop1, loop4, bare, loadF32, loadVec4, ...productTimes] = await timeInterleaved(g, [
      multiplyAdd(bench, false), multiplyAdd(bench, true), laneLoads(bench, x, 'none'), laneLoads(bench, x, 'f32'), laneLoads(bench, x, 'vec4'), ...products,
    ], runs);
    const loopFlops = 2 * 16 * INVOCATIONS * ITERATIONS;
    const multiply_add = ([[1, loop1], [4, loop4]] as const).map(([steps, t]) => {
      const r = rates(t, loopFlops / 1e6);
      return { steps_per_iteration: steps, gflops: r.median, best_gflops: r.best };
    });
    // Iterations an ns (INVOCATIONS·ROWS of them a dispatch, one load each or none), median and best.
    const perNs = (t: number[]) => rates(t, (INVOCATIONS * ROWS) / 1e6);
    const loop = perNs(bare);
    const loads = ([['f32', loadF32, 1], ['vec4', loadVec4, 4]] as const).map(([load, t, floats]) => {
      const it = perNs(t);
      return { load, ns_per_float: (1 / it.median - 1 / loop.median) / floats, best_ns_per_float: (1 / it.best - 1 / loop.best) / floats };
    });
    return {
      multiply_add,
      loads,
      loop_ns_per_iteration: 1 / loop.median,
      matmul: FAST_PATH_PRODUCTS.map(([M, N, K, transA, why], i) => {
        const r = rates(productTimes[i], (2 * M * N * K) / 1e6);
        return {
          shape: shapeLabel(M, N, K, transA, false, why), gflops: r.median, best_gflops: r.best,
          of_one_step_loop: r.median / multiply_add[0].gflops, of_cpu_peak: r.median / CPU_PEAK_GFLOPS,
        };
      }),
      runs,
    };
  } finally {
    k.owner.dispose();
  }
}
