// The whole model on the GPU: a schedule (src/model/schedules.ts) prepared once over a fixed batch, and
// replayed with submit() every step. The model owns every buffer it made (tensors, uniforms, its params
// unless shared); dispose() frees them.
import { type Gpu, Owner } from '../gpu/device.js';
import type { KernelRegistry, Step } from '../gpu/kernels.js';
import { type GpuTensor, createTensor } from '../gpu/tensor.js';
import { validateConfig, type ModelConfig } from './config.js';
import { GpuBackend } from './gpu_backend.js';
import { StackedGpuBackend } from './stacked_backend.js';
import type { Batch } from './inputs.js';
import type { ParamLayout } from './params.js';
import { type Built, type ModelOutputs, type ScheduleName, build, chooseSchedule } from './schedules.js';

export interface GpuModelOptions {
  /** Share another model's flat parameters (and gradients), e.g. to evaluate the test split. */
  shared?: { params: GpuTensor; grads?: GpuTensor };
  /** 'auto' (default) takes the constant-attention fast path when α = 0. */
  schedule?: ScheduleName | 'auto';
  /** Models of this shape computed together (src/model/stacked_backend.ts): params and grads are [models, L]. Default 1. */
  models?: number;
}

export class GpuModel {
  /** Flat parameters (ParamLayout). */
  readonly params: GpuTensor;
  /** Flat gradients of the mean loss, same layout; only the trainable prefix is written. */
  readonly grads: GpuTensor;
  readonly schedule: ScheduleName;
  readonly outputs: ModelOutputs<GpuTensor>;
  readonly models: number;
  private readonly be: GpuBackend | StackedGpuBackend;
  private readonly built: Built<GpuTensor>;
  private readonly forwardSteps: Step[];
  private backwardSteps: Step[] | undefined;
  private dx0_: GpuTensor | undefined;
  private readonly owner: Owner;

  constructor(g: Gpu, k: KernelRegistry, readonly cfg: ModelConfig, readonly layout: ParamLayout, readonly batch: Batch, opts: GpuModelOptions = {}) {
    validateConfig(cfg, g.device.limits);
    this.schedule = chooseSchedule(cfg, opts.schedule);
    this.owner = new Owner(g);
    this.models = opts.models ?? 1;
    this.params = opts.shared?.params ?? createTensor(this.owner, 'f32', [this.models * layout.length], undefined, 'params');
    this.grads = opts.shared?.grads ?? createTensor(this.owner, 'f32', [this.models * layout.length], undefined, 'grads');
    this.be = this.models === 1
      ? new GpuBackend(this.owner, k, cfg, layout, this.params, this.grads, batch)
      : new StackedGpuBackend(this.owner, k, cfg, layout, this.params, this.grads, batch, this.models);
    this.built = build(this.be, cfg, batch.size, this.schedule);
    this.outputs = this.built.outputs;
    this.forwardSteps = this.be.steps;
  }

  /** Free every buffer the model made (not shared ones); its steps must not be submitted again. */
  dispose(): void {
    this.owner.dispose();
  }

  /** Model m's copy of an output (the output itself for a single model). */
  at(t: GpuTensor, m: number): GpuTensor {
    return this.be instanceof StackedGpuBackend ? this.be.at(t, m) : t;
  }

  get loss(): GpuTensor { return this.outputs.loss; }
  get correct(): GpuTensor { return this.outputs.correct; }
  get logits(): GpuTensor { return this.outputs.logits; }

  forward(): readonly Step[] {
    return this.forwardSteps;
  }

  /** Forward, then the gradient of the mean loss into grads. */
  forwardBackward(): readonly Step[] {
    if (!this.backwardSteps) {
      this.be.steps = [];
      this.dx0_ = this.built.backward();
      this.backwardSteps = this.be.steps;
    }
    return [...this.forwardSteps, ...this.backwardSteps];
  }

  /** Gradient with respect to the embedded inputs [B, n_ctx, d_model] (generic schedule only). */
  get dx0(): GpuTensor {
    this.forwardBackward();
    if (!this.dx0_) throw new Error(`dx0 is computed by the generic schedule only; this model runs '${this.schedule}'`);
    return this.dx0_;
  }
}
