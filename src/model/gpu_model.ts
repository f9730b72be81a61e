// The whole model on the GPU: the schedule of src/model/schedule.ts prepared once over a fixed batch, and
// replayed with submit() every step.
import type { Gpu } from '../gpu/device.js';
import type { KernelRegistry, Step } from '../gpu/kernels.js';
import { type GpuTensor, createTensor } from '../gpu/tensor.js';
import { validateConfig, type ModelConfig } from './config.js';
import { GpuBackend } from './gpu_backend.js';
import type { Batch } from './inputs.js';
import type { ParamLayout } from './params.js';
import { type Activations, backward, forward } from './schedule.js';

export class GpuModel {
  /** Flat parameters (ParamLayout), possibly shared with another GpuModel over another batch. */
  readonly params: GpuTensor;
  /** Flat gradients of the mean loss, same layout; only the trainable prefix is written. */
  readonly grads: GpuTensor;
  readonly acts: Activations<GpuTensor>;
  private readonly be: GpuBackend;
  private readonly forwardSteps: Step[];
  private backwardSteps: Step[] | undefined;
  private dx0_: GpuTensor | undefined;

  constructor(g: Gpu, k: KernelRegistry, readonly cfg: ModelConfig, readonly layout: ParamLayout, readonly batch: Batch, shared?: { params: GpuTensor; grads?: GpuTensor }) {
    validateConfig(cfg, g.device.limits);
    this.params = shared?.params ?? createTensor(g, 'f32', [layout.length], undefined, 'params');
    this.grads = shared?.grads ?? createTensor(g, 'f32', [layout.length], undefined, 'grads');
    this.be = new GpuBackend(g, k, cfg, layout, this.params, this.grads, batch);
    this.acts = forward(this.be, cfg, batch.size);
    this.forwardSteps = this.be.steps;
  }

  get loss(): GpuTensor { return this.acts.loss; }
  get correct(): GpuTensor { return this.acts.correct; }
  get logits(): GpuTensor { return this.acts.logits; }

  forward(): readonly Step[] {
    return this.forwardSteps;
  }

  /** Forward, then the gradient of the mean loss into grads (and dx0). */
  forwardBackward(): readonly Step[] {
    if (!this.backwardSteps) {
      this.be.steps = [];
      this.dx0_ = backward(this.be, this.cfg, this.batch.size, this.acts);
      this.backwardSteps = this.be.steps;
    }
    return [...this.forwardSteps, ...this.backwardSteps];
  }

  /** Gradient with respect to the embedded inputs, written by forwardBackward(). */
  get dx0(): GpuTensor {
    this.forwardBackward();
    return this.dx0_!;
  }
}
