// The canonical training step (forward, backward, AdamW) timed on the GPU (both schedules) and on the
// CPU reference path, side by side in one run; and the wall time of a canonical run to 100 % test
// accuracy, from the same initialisation and split the PyTorch peer uses.
import { GPU_OCCUPANCY, getGpu, settle } from '../gpu/device.js';
import { KernelRegistry, type Step, copy, submit } from '../gpu/kernels.js';
import { createTensor, freeTensor } from '../gpu/tensor.js';
import { batchOf } from '../model/inputs.js';
import { initParams, paramLayout } from '../model/params.js';
import type { ScheduleName } from '../model/schedules.js';
import { CpuTrainBackend, GpuEnsembleTrainBackend, GpuTrainBackend, Throttle, initialState } from '../train/backends.js';
import { learningRate, preset, splitSeed } from '../train/config.js';
import { split } from '../train/data.js';
import { median, sum } from '../util/stats.js';
import { ASSUMPTIONS, type Assumptions, type GpuSpec, H200, type OpEstimate, estimateProgram } from './roofline.js';

/** median_ms: the median over `runs` samples, each the mean step of a block of `block` steps (1: single steps). */
export interface StepTiming { path: string; median_ms: number; runs: number; block: number }
/** One op of the GPU step (dispatches with the same label summed): its best isolated time, and what it must move and compute. */
export interface StepOp { op: string; dispatches: number; ms: number; flops: number; bytes: number }
/** sum_ms: all ops' times; overhead_ms: an empty copy timed the same way (what each op's time includes). */
export interface StepProfile { ops: StepOp[]; sum_ms: number; overhead_ms: number }
export interface TimeTo100 { reached: boolean; steps: number; wall_s: number; eval_every: number }

/** The canonical pizza run's model, batches and initial state (seed 0), exactly as `npm run train` makes them. */
function canonical() {
  const cfg = preset('pizza');
  const c = cfg.model;
  const layout = paramLayout(c);
  const { train, test } = split(c.p, cfg.frac, splitSeed(cfg));
  return { cfg, c, layout, train: batchOf(c, train), test: batchOf(c, test), state: initialState(layout, initParams(c, cfg.seed)) };
}

const hyper = (cfg: ReturnType<typeof canonical>['cfg'], step: number) =>
  ({ lr: learningRate(cfg, step), beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weight_decay: cfg.weight_decay, step });

/**
 * Median wall time of one GPU step as the training loop runs it: steps submitted back to back and throttled
 * (src/train/backends.ts), timed over blocks of `block` steps ending in a full sync. Timing each step alone,
 * waiting for it before submitting the next, would add a sync per step the loop never pays.
 */
export async function benchTrainStep(opts: { blocks?: number; block?: number; cpuSteps?: number } = {}): Promise<StepTiming[]> {
  const { cfg, c, layout, train, state } = canonical();
  const g = await getGpu();
  const out: StepTiming[] = [];
  const block = opts.block ?? 10;
  for (const schedule of ['constant', 'generic'] as ScheduleName[]) {
    const be = new GpuTrainBackend(g, c, layout, train, undefined, schedule);
    const throttle = new Throttle(g);
    be.load(state);
    let step = 0;
    const runBlock = async () => {
      const t0 = performance.now();
      for (let i = 0; i < block; i++) {
        submit(g, be.step(hyper(cfg, ++step)));
        await throttle.submitted();
      }
      await throttle.wait(true);
      return (performance.now() - t0) / block;
    };
    await runBlock(); // compiles the pipelines and lets the throttle's estimate settle
    await runBlock();
    const times: number[] = [];
    for (let i = 0; i < (opts.blocks ?? 9); i++) times.push(await runBlock());
    out.push({ path: `gpu, ${schedule} schedule`, median_ms: median(times), runs: times.length, block });
    be.dispose();
  }
  const cpu = new CpuTrainBackend(c, layout, train, undefined, 'constant');
  cpu.load(state);
  const times: number[] = [];
  for (let i = 0; i < (opts.cpuSteps ?? 3); i++) {
    const t0 = performance.now();
    cpu.step(hyper(cfg, i + 1));
    times.push(performance.now() - t0);
  }
  out.push({ path: 'cpu reference (float64), constant schedule', median_ms: median(times), runs: times.length, block: 1 });
  return out;
}

/**
 * Where the GPU step's time goes: each dispatch of the canonical step (fast schedule, AdamW included) timed
 * alone, best of `rounds` rounds that alternate between dispatches (so load from elsewhere on the machine
 * inflates no op more than another), grouped by label (`kernel → tensor written`). Replaying AdamW and the
 * accumulating products many times changes the values, not the time.
 */
export async function profileTrainStep(opts: { rounds?: number; reps?: number } = {}): Promise<StepProfile> {
  const { cfg, c, layout, train, state } = canonical();
  const g = await getGpu();
  const be = new GpuTrainBackend(g, c, layout, train, undefined, 'constant');
  be.load(state);
  submit(g, be.step(hyper(cfg, 1)));
  await settle(g);
  // The last entry, a 4-element copy, measures what timing one op alone adds (submit, sync, wake-up).
  const from = createTensor(g, 'f32', [4], undefined, 'profile_from');
  const to = createTensor(g, 'f32', [4], undefined, 'profile_to');
  const steps = [...be.program, copy(from, to)];
  const best = steps.map(() => Infinity);
  const reps = opts.reps ?? 5;
  for (let r = 0; r < (opts.rounds ?? 7); r++) {
    for (let i = 0; i < steps.length; i++) {
      const t0 = performance.now();
      for (let j = 0; j < reps; j++) submit(g, [steps[i]]);
      await settle(g, best[i] < Infinity ? 0.8 * reps * best[i] : 0);
      best[i] = Math.min(best[i], (performance.now() - t0) / reps);
    }
  }
  const byOp = new Map<string, StepOp>();
  be.program.forEach((st, i) => {
    const op = byOp.get(st.label) ?? { op: st.label, dispatches: 0, ms: 0, flops: 0, bytes: 0 };
    op.dispatches++;
    op.ms += best[i];
    if ('cost' in st) {
      op.flops += st.cost.flops;
      op.bytes += st.cost.bytes;
    }
    byOp.set(st.label, op);
  });
  const ops = [...byOp.values()].sort((x, y) => y.ms - x.ms);
  be.dispose();
  for (const t of [from, to]) freeTensor(g, t);
  return { ops, sum_ms: sum(ops.map((o) => o.ms)), overhead_ms: best[steps.length - 1] };
}

/** Train the canonical model on the GPU until test accuracy is 100 %, evaluating every `evalEvery` steps. */
export async function timeTo100(opts: { evalEvery?: number; maxSteps?: number } = {}): Promise<TimeTo100> {
  const { cfg, c, layout, train, test, state } = canonical();
  const evalEvery = opts.evalEvery ?? 100;
  const g = await getGpu();
  const be = new GpuTrainBackend(g, c, layout, train, test, cfg.schedule);
  const throttle = new Throttle(g);
  be.load(state);
  const t0 = performance.now();
  try {
    for (let step = 1; step <= (opts.maxSteps ?? 20_000); step++) {
      submit(g, be.step(hyper(cfg, step)));
      await throttle.submitted();
      if (step % evalEvery === 0) {
        const e = await be.evaluate();
        throttle.reset();
        if (e.test.accuracy === 1) return { reached: true, steps: step, wall_s: (performance.now() - t0) / 1000, eval_every: evalEvery };
      }
    }
  } finally {
    be.dispose();
  }
  return { reached: false, steps: opts.maxSteps ?? 20_000, wall_s: (performance.now() - t0) / 1000, eval_every: evalEvery };
}

export interface GpuEstimatePath { path: string; models: number; dispatches: number; work_us: number; us_per_model_step: [number, number]; top: OpEstimate[] }
export interface GpuEstimate { gpu: GpuSpec; assumptions: Assumptions; paths: GpuEstimatePath[] }

/**
 * The canonical step's programs (fast path, generic schedule, an ensemble of 8 on the fast path) priced on a
 * datacentre GPU by estimateProgram: built on this device as a GPU would schedule them (GPU_OCCUPANCY: its
 * grid sizes and K splits) and never run, with this device's matmul tiles (lavapipe's: 8-lane subgroups)
 * where a GPU with 32-lane subgroups would pick its own; the estimate is on paper.
 */
export async function estimateOnGpu(gpu: GpuSpec = H200, models = 8): Promise<GpuEstimate> {
  const { c, layout, train } = canonical();
  const g = await getGpu();
  const k = new KernelRegistry(g).scheduledFor(GPU_OCCUPANCY);
  const paths: GpuEstimatePath[] = [];
  const price = (path: string, n: number, program: readonly Step[]) => {
    const e = estimateProgram(program, gpu);
    paths.push({ path, models: n, dispatches: e.dispatches, work_us: e.work_us, us_per_model_step: [e.total_us[0] / n, e.total_us[1] / n], top: e.ops.slice(0, 5) });
  };
  for (const schedule of ['constant', 'generic'] as const) {
    const be = new GpuTrainBackend(g, c, layout, train, undefined, schedule, k);
    price(schedule === 'constant' ? 'fast path (constant schedule)' : 'generic schedule', 1, be.program);
    be.dispose();
  }
  const ens = new GpuEnsembleTrainBackend(g, c, layout, train, undefined, 'constant', models, k);
  price(`ensemble of ${models} (fast path)`, models, ens.program);
  ens.dispose();
  return { gpu, assumptions: ASSUMPTIONS, paths };
}
