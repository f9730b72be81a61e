// Where training steps run: the GPU pipeline, or the float64 CPU reference path (small models only).
// Both keep the same state (flat float32 parameters and AdamW moments), so checkpoints and resumption
// are the same for both.
import { type Gpu, settle } from '../gpu/device.js';
import { KernelRegistry, type Step, submit } from '../gpu/kernels.js';
import { type GpuTensor, createTensor, readF32, upload } from '../gpu/tensor.js';
import { ADAMW_HYPER_LENGTH, type AdamWHyper, adamw as adamwCpu, adamwHyper } from '../ops/cpu/adamw.js';
import { adamw as adamwGpu } from '../ops/gpu/adamw.js';
import type { ModelConfig } from '../model/config.js';
import { lossAndGradsCpu } from '../model/cpu_model.js';
import { GpuModel } from '../model/gpu_model.js';
import type { Batch } from '../model/inputs.js';
import { type ParamLayout, flatten, paramLayout, unflatten } from '../model/params.js';
import { chooseSchedule, type ScheduleName } from '../model/schedules.js';
import { mean } from '../util/stats.js';
import type { TrainConfig } from './config.js';

/** The optimiser's full state: enough to continue a run bit for bit. */
export interface TrainState {
  step: number;
  params: Float32Array; // flat, ParamLayout
  m: Float32Array;
  v: Float32Array;
}

export interface Metrics { loss: number; accuracy: number }

export interface TrainBackend {
  load(s: TrainState): void;
  /** One step: forward, backward, AdamW with these hyperparameters. */
  step(h: AdamWHyper): void;
  /** Loss and accuracy of the training batch before the last step, and of the test batch now. */
  evaluate(): Promise<{ train: Metrics; test: Metrics }>;
  state(step: number): Promise<TrainState>;
}

/**
 * Host memory a training run needs, estimated before anything is allocated (prepareRun checks it against
 * memoryLimit): the split and the token batches (p² pairs), parameters, gradients and AdamW moments, and the
 * full batch's activations and their gradients — float64 on the CPU backend; float32 on the GPU backend,
 * counted too because lavapipe (and any unified-memory GPU) keeps them in host memory.
 */
export function trainMemoryBytes(cfg: TrainConfig): number {
  const c = cfg.model;
  const rows = c.p * c.p;
  const perRow = c.n_ctx * (4 * c.d_model + c.n_heads * c.n_ctx) + 3 * c.d_mlp + 3 * c.d_vocab_out;
  const params = paramLayout(c).length;
  return rows * (8 + 4 * c.n_ctx) + 6 * 4 * params + (cfg.backend === 'cpu' ? 8 : 4) * 2 * rows * perRow;
}

export class GpuTrainBackend implements TrainBackend {
  private readonly train: GpuModel;
  private readonly test: GpuModel | undefined;
  private readonly m: GpuTensor;
  private readonly v: GpuTensor;
  private readonly hyper: GpuTensor;
  /** One training step: the model's forward and backward, then AdamW. */
  readonly program: readonly Step[];
  private pending = 0;
  /** One step's GPU time as the last throttle's wait measured it; undefined before the second. */
  private stepMs: number | undefined;
  private waitedOnce = false;

  constructor(private readonly g: Gpu, c: ModelConfig, layout: ParamLayout, trainBatch: Batch, testBatch: Batch | undefined, schedule: ScheduleName | 'auto') {
    const k = new KernelRegistry(g);
    this.train = new GpuModel(g, k, c, layout, trainBatch, { schedule });
    this.test = testBatch && new GpuModel(g, k, c, layout, testBatch, { schedule, shared: { params: this.train.params } });
    this.m = createTensor(g, 'f32', [layout.length], undefined, 'adam.m');
    this.v = createTensor(g, 'f32', [layout.length], undefined, 'adam.v');
    this.hyper = createTensor(g, 'f32', [ADAMW_HYPER_LENGTH], undefined, 'adam.hyper');
    const n = layout.trainableLength;
    this.program = [...this.train.forwardBackward(), adamwGpu(k, this.train.params, this.train.grads, this.m, this.v, this.hyper, n)];
  }

  load(s: TrainState): void {
    upload(this.g, this.train.params, s.params);
    upload(this.g, this.m, s.m);
    upload(this.g, this.v, s.v);
  }

  step(h: AdamWHyper): void {
    upload(this.g, this.hyper, adamwHyper(h));
    submit(this.g, this.program);
    this.pending++;
  }

  /**
   * Keep at most a few steps queued (all: wait for every one); sleep through most of their expected time
   * rather than spin.
   */
  async throttle(all = false): Promise<void> {
    if (this.pending < (all ? 1 : 4)) return;
    const t0 = performance.now();
    await settle(this.g, this.pending * (this.stepMs ?? 0));
    // The last wait alone, not an average: the wait is at least the sleep (0.9 of the estimate), so an
    // average would only creep down when the estimate is too high; the last wait falls 10 % a throttle.
    // The first wait is not learnt from: it includes compiling the pipelines (20 s with a cold shader
    // cache), which would leave the next hundred steps oversleeping.
    if (this.waitedOnce) this.stepMs = (performance.now() - t0) / this.pending;
    this.waitedOnce = true;
    this.pending = 0;
  }

  async evaluate(): Promise<{ train: Metrics; test: Metrics }> {
    const train = { loss: mean(await readF32(this.g, this.train.loss)), accuracy: mean(await readF32(this.g, this.train.correct)) };
    if (!this.test) return { train, test: { loss: NaN, accuracy: NaN } };
    submit(this.g, this.test.forward());
    const test = { loss: mean(await readF32(this.g, this.test.loss)), accuracy: mean(await readF32(this.g, this.test.correct)) };
    this.pending = 0;
    return { train, test };
  }

  async state(step: number): Promise<TrainState> {
    return { step, params: await readF32(this.g, this.train.params), m: await readF32(this.g, this.m), v: await readF32(this.g, this.v) };
  }
}

export class CpuTrainBackend implements TrainBackend {
  private s: TrainState;
  private lastTrain: Metrics = { loss: NaN, accuracy: NaN };
  private readonly schedule: ScheduleName;

  constructor(private readonly c: ModelConfig, private readonly layout: ParamLayout, private readonly trainBatch: Batch, private readonly testBatch: Batch | undefined, schedule: ScheduleName | 'auto') {
    this.schedule = chooseSchedule(c, schedule);
    const n = layout.length;
    this.s = { step: 0, params: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
  }

  load(s: TrainState): void {
    this.s = { step: s.step, params: s.params.slice(), m: s.m.slice(), v: s.v.slice() };
  }

  step(h: AdamWHyper): void {
    const frozen = this.layout.entries.filter((e) => !e.trainable).map((e) => e.spec.name);
    const r = lossAndGradsCpu(this.c, unflatten(this.layout, this.s.params), this.trainBatch, { frozen, schedule: this.schedule });
    this.lastTrain = { loss: r.loss, accuracy: r.correct / this.trainBatch.size };
    const grads = new Float64Array(this.layout.length);
    for (const e of this.layout.entries) if (e.trainable) grads.set(r.grads[e.spec.name]!, e.offset);
    // The update runs in float64 and is stored in float32, the precision the GPU keeps its state in.
    const n = this.layout.trainableLength;
    const p = Float64Array.from(this.s.params.subarray(0, n));
    const m = Float64Array.from(this.s.m.subarray(0, n));
    const v = Float64Array.from(this.s.v.subarray(0, n));
    adamwCpu(p, grads.subarray(0, n), m, v, h);
    this.s.params.set(p);
    this.s.m.set(m);
    this.s.v.set(v);
  }

  async evaluate(): Promise<{ train: Metrics; test: Metrics }> {
    if (!this.testBatch) return { train: this.lastTrain, test: { loss: NaN, accuracy: NaN } };
    const r = lossAndGradsCpu(this.c, unflatten(this.layout, this.s.params), this.testBatch, { schedule: this.schedule });
    return { train: this.lastTrain, test: { loss: r.loss, accuracy: r.correct / this.testBatch.size } };
  }

  async state(step: number): Promise<TrainState> {
    return { step, params: this.s.params.slice(), m: this.s.m.slice(), v: this.s.v.slice() };
  }
}

export const initialState = (layout: ParamLayout, params: Parameters<typeof flatten>[1]): TrainState => ({
  step: 0, params: flatten(layout, params), m: new Float32Array(layout.length), v: new Float32Array(layout.length),
});
