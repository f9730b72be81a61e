// Where training steps run: the GPU pipeline, or the float64 CPU reference path (small models only).
// Both keep the same state (flat float32 parameters and AdamW moments), so checkpoints and resumption
// are the same for both.
import { type Gpu, Owner, settle } from '../gpu/device.js';
import { KernelRegistry, type Step, submit } from '../gpu/kernels.js';
import { type GpuTensor, createTensor, readF32, upload, view } from '../gpu/tensor.js';
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
  /**
   * One step: forward, backward, AdamW with these hyperparameters. The CPU backend runs it at once; the GPU
   * backend writes the hyperparameters and returns the step's dispatches, for the caller to submit (several
   * models' steps in one command encoder: stepTogether).
   */
  step(h: AdamWHyper): readonly Step[];
  /** Loss and accuracy of the training batch before the last step, and of the test batch now. */
  evaluate(): Promise<{ train: Metrics; test: Metrics }>;
  state(step: number): Promise<TrainState>;
  /** Free what the backend holds on the device. */
  dispose(): void;
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
  private readonly owner: Owner;
  private readonly m: GpuTensor;
  private readonly v: GpuTensor;
  private readonly hyper: GpuTensor;
  /** One training step: the model's forward and backward, then AdamW. */
  readonly program: readonly Step[];

  /** k: the compiled kernels, shared by the models of one process (each model owns what it prepares). */
  constructor(private readonly g: Gpu, c: ModelConfig, layout: ParamLayout, trainBatch: Batch, testBatch: Batch | undefined, schedule: ScheduleName | 'auto', k = new KernelRegistry(g)) {
    this.owner = new Owner(g);
    this.train = new GpuModel(g, k, c, layout, trainBatch, { schedule });
    this.test = testBatch && new GpuModel(g, k, c, layout, testBatch, { schedule, shared: { params: this.train.params } });
    this.m = createTensor(this.owner, 'f32', [layout.length], undefined, 'adam.m');
    this.v = createTensor(this.owner, 'f32', [layout.length], undefined, 'adam.v');
    this.hyper = createTensor(this.owner, 'f32', [ADAMW_HYPER_LENGTH], undefined, 'adam.hyper');
    const n = layout.trainableLength;
    this.program = [...this.train.forwardBackward(), adamwGpu(k.ownedBy(this.owner), this.train.params, this.train.grads, this.m, this.v, this.hyper, n)];
  }

  load(s: TrainState): void {
    upload(this.g, this.train.params, s.params);
    upload(this.g, this.m, s.m);
    upload(this.g, this.v, s.v);
  }

  step(h: AdamWHyper): readonly Step[] {
    // Queued before the submit that carries this step, after the one that carried the last.
    upload(this.g, this.hyper, adamwHyper(h));
    return this.program;
  }

  async evaluate(): Promise<{ train: Metrics; test: Metrics }> {
    const train = { loss: mean(await readF32(this.g, this.train.loss)), accuracy: mean(await readF32(this.g, this.train.correct)) };
    if (!this.test) return { train, test: { loss: NaN, accuracy: NaN } };
    submit(this.g, this.test.forward());
    const test = { loss: mean(await readF32(this.g, this.test.loss)), accuracy: mean(await readF32(this.g, this.test.correct)) };
    return { train, test };
  }

  async state(step: number): Promise<TrainState> {
    return { step, params: await readF32(this.g, this.train.params), m: await readF32(this.g, this.m), v: await readF32(this.g, this.v) };
  }

  dispose(): void {
    this.test?.dispose();
    this.train.dispose();
    this.owner.dispose();
  }
}

/**
 * S models of one shape on one split trained by one program (src/model/stacked_backend.ts): one forward
 * and backward over all S, then one AdamW dispatch, each model with its own hyperparameters. member(i) is model i's
 * TrainBackend; every member's step() returns the same program, which stepTogether submits once.
 */
export class GpuEnsembleTrainBackend {
  private readonly train: GpuModel;
  private readonly test: GpuModel | undefined;
  private readonly owner: Owner;
  private readonly m: GpuTensor;
  private readonly v: GpuTensor;
  /** Each model's adamwHyper, one after another. */
  private readonly hypers: GpuTensor;
  readonly program: readonly Step[];
  /** The evaluation since the last step, shared by the members that ask for it. */
  private evaluated: Promise<{ train: Metrics; test: Metrics }[]> | undefined;

  constructor(private readonly g: Gpu, c: ModelConfig, private readonly layout: ParamLayout, trainBatch: Batch, testBatch: Batch | undefined,
    schedule: ScheduleName | 'auto', readonly models: number, k = new KernelRegistry(g)) {
    this.owner = new Owner(g);
    this.train = new GpuModel(g, k, c, layout, trainBatch, { schedule, models });
    this.test = testBatch && new GpuModel(g, k, c, layout, testBatch, { schedule, models, shared: { params: this.train.params } });
    this.m = createTensor(this.owner, 'f32', [models * layout.length], undefined, 'adam.m');
    this.v = createTensor(this.owner, 'f32', [models * layout.length], undefined, 'adam.v');
    this.hypers = createTensor(this.owner, 'f32', [models * ADAMW_HYPER_LENGTH], undefined, 'adam.hyper');
    const stack = { models, stride: layout.length };
    this.program = [...this.train.forwardBackward(), adamwGpu(k.ownedBy(this.owner), this.train.params, this.train.grads, this.m, this.v, this.hypers, layout.trainableLength, stack)];
  }

  private slice(flat: GpuTensor, i: number): GpuTensor {
    return view(flat, i * this.layout.length, [this.layout.length]);
  }

  member(i: number): TrainBackend {
    return {
      load: (s) => {
        for (const [t, data] of [[this.train.params, s.params], [this.m, s.m], [this.v, s.v]] as const) upload(this.g, this.slice(t, i), data);
      },
      step: (h) => {
        upload(this.g, view(this.hypers, i * ADAMW_HYPER_LENGTH, [ADAMW_HYPER_LENGTH]), adamwHyper(h));
        this.evaluated = undefined;
        return this.program;
      },
      evaluate: async () => (await (this.evaluated ??= this.evaluateAll()))[i],
      state: async (step) => ({ step, params: await readF32(this.g, this.slice(this.train.params, i)), m: await readF32(this.g, this.slice(this.m, i)), v: await readF32(this.g, this.slice(this.v, i)) }),
      dispose: () => this.dispose(),
    };
  }

  private async evaluateAll(): Promise<{ train: Metrics; test: Metrics }[]> {
    const read = async (model: GpuModel, i: number) => ({ loss: mean(await readF32(this.g, model.at(model.loss, i))), accuracy: mean(await readF32(this.g, model.at(model.correct, i))) });
    const train = await Promise.all(Array.from({ length: this.models }, (_, i) => read(this.train, i)));
    if (this.test) submit(this.g, this.test.forward());
    const test = this.test && await Promise.all(Array.from({ length: this.models }, (_, i) => read(this.test!, i)));
    return train.map((t, i) => ({ train: t, test: test?.[i] ?? { loss: NaN, accuracy: NaN } }));
  }

  /** Free everything (idempotent: each member's dispose() lands here). */
  dispose(): void {
    this.test?.dispose();
    this.train.dispose();
    this.owner.dispose();
  }
}

/**
 * Keeps at most a few submitted steps queued, sleeping through most of their expected time rather than
 * spinning (see settle). Whatever reads the GPU back in between (an evaluation) drains the queue: reset().
 */
export class Throttle {
  private pending = 0;
  /** One submit's GPU time as the last wait measured it; undefined before the second wait. */
  private stepMs: number | undefined;
  private waitedOnce = false;
  constructor(private readonly g: Gpu) {}

  /** Count one submit; wait when a few are queued (all: wait for every one). */
  async submitted(all = false): Promise<void> {
    this.pending++;
    await this.wait(all);
  }

  async wait(all = false): Promise<void> {
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

  reset(): void {
    this.pending = 0;
  }
}

/** Step several models (each with its hyperparameters): the GPU ones' steps go in one command encoder. */
export async function stepTogether(g: Gpu | undefined, throttle: Throttle | undefined, steps: readonly { backend: TrainBackend; h: AdamWHyper }[]): Promise<void> {
  // An ensemble's members return one shared program: submitted once.
  const program = [...new Set(steps.map(({ backend, h }) => backend.step(h)))].flat();
  if (!program.length) return;
  if (!g || !throttle) throw new Error('stepTogether: GPU steps need the device and a throttle');
  submit(g, program);
  await throttle.submitted();
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

  step(h: AdamWHyper): readonly Step[] {
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
    return [];
  }

  async evaluate(): Promise<{ train: Metrics; test: Metrics }> {
    if (!this.testBatch) return { train: this.lastTrain, test: { loss: NaN, accuracy: NaN } };
    const r = lossAndGradsCpu(this.c, unflatten(this.layout, this.s.params), this.testBatch, { schedule: this.schedule });
    return { train: this.lastTrain, test: { loss: r.loss, accuracy: r.correct / this.testBatch.size } };
  }

  async state(step: number): Promise<TrainState> {
    return { step, params: this.s.params.slice(), m: this.s.m.slice(), v: this.s.v.slice() };
  }

  dispose(): void {}
}

export const initialState = (layout: ParamLayout, params: Parameters<typeof flatten>[1]): TrainState => ({
  step: 0, params: flatten(layout, params), m: new Float32Array(layout.length), v: new Float32Array(layout.length),
});
