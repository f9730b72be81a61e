// S models of one shape on one batch (an ensemble: other seeds, learning rates, weight decays), computed
// by one program: every tensor the schedule asks for gets a leading model dimension. Parameters and
// gradients are [S, L] (ParamLayout L, a multiple of 64), other tensors [S, stride] with the stride padded to
// 64 elements, so that each model's slice is a legal binding (256-byte offsets); constants are shared.
// Products and column sums with no batch of their own (all the batch-sized ones, and most), the gathers,
// scatters and the loss run as one dispatch over the model dimension, through their kernels' strides; the
// rest (the generic schedule's embedding gather, attention, activations, copies) run once per model on
// that model's slices. Each model's arithmetic is exactly that of the model alone (the kernels compute
// each element the same way whatever its batch index), which the ensemble tests check bit for bit.
import type { Owner } from '../gpu/device.js';
import type { KernelRegistry, Step } from '../gpu/kernels.js';
import { type GpuTensor, createTensor, numel, view } from '../gpu/tensor.js';
import type { ColumnSumShape } from '../ops/cpu/column_sum.js';
import type { MatmulShape } from '../ops/cpu/matmul.js';
import type { AttentionShape, Backend, MatmulOpts } from './backend.js';
import type { ActFn, ModelConfig } from './config.js';
import { GpuBackend, type ModelStack } from './gpu_backend.js';
import type { Batch } from './inputs.js';
import { PARAM_ALIGN, type ParamLayout, type ParamName } from './params.js';

export class StackedGpuBackend implements Backend<GpuTensor>, ModelStack {
  /** Prepares each dispatch (on the batch's tokens and labels, shared by every model). */
  private readonly one: GpuBackend;
  /** Elements between consecutive models' copies of a tensor; 0 for a constant all models share. */
  private readonly strides = new WeakMap<GpuTensor, number>();

  constructor(private readonly owner: Owner, k: KernelRegistry, c: ModelConfig, private readonly layout: ParamLayout,
    params: GpuTensor, grads: GpuTensor, batch: Batch, readonly models: number) {
    if (numel(params.shape) < models * layout.length || numel(grads.shape) < models * layout.length) throw new Error(`stacked backend: params and grads must hold ${models} × ${layout.length} elements`);
    this.one = new GpuBackend(owner, k, c, layout, params, grads, batch);
  }

  get steps(): Step[] { return this.one.steps; }
  set steps(s: Step[]) { this.one.steps = s; }

  stride(t: GpuTensor): number {
    const s = this.strides.get(t);
    if (s === undefined) throw new Error(`stacked backend: tensor [${t.shape}] was not made by this backend`);
    return s;
  }

  /** Model m's copy of t. */
  at(t: GpuTensor, m: number): GpuTensor {
    return view(t, t.offset + m * this.stride(t), t.shape);
  }

  /** Every model's copy of t, as one binding (t itself when shared). */
  whole(t: GpuTensor): GpuTensor {
    const s = this.stride(t);
    return s ? view(t, t.offset, [(this.models - 1) * s + numel(t.shape)]) : t;
  }

  private stacked(t: GpuTensor, stride: number): GpuTensor {
    this.strides.set(t, stride);
    return t;
  }

  tensor(shape: readonly number[], label: string): GpuTensor {
    const stride = Math.ceil(numel(shape) / PARAM_ALIGN) * PARAM_ALIGN;
    const t = createTensor(this.owner, 'f32', [this.models * stride], undefined, label);
    return this.stacked(view(t, 0, shape), stride);
  }
  constant(shape: readonly number[], values: ArrayLike<number>, label: string): GpuTensor {
    return this.stacked(this.one.constant(shape, values, label), 0);
  }
  param(name: ParamName): GpuTensor {
    return this.stacked(this.one.param(name), this.layout.length);
  }
  grad(name: ParamName): GpuTensor | undefined {
    const g = this.one.grad(name);
    return g && this.stacked(g, this.layout.length);
  }

  /** Run op once per model on that model's slices. */
  private each(op: (at: (t: GpuTensor) => GpuTensor) => void): void {
    for (let m = 0; m < this.models; m++) op((t) => this.at(t, m));
  }

  matmul(a: GpuTensor, b: GpuTensor, out: GpuTensor, s: MatmulShape, opts: MatmulOpts<GpuTensor> = {}): void {
    const gate = opts.reluGate;
    // The gate is read at the output's index, so it must be laid out as the output is.
    if (s.batch === 1 && s.strideC === undefined && (!gate || this.stride(gate) === this.stride(out))) {
      const w = (t: GpuTensor | undefined) => t && this.whole(t);
      this.one.matmul(w(a)!, w(b)!, w(out)!, { ...s, batch: this.models, strideA: this.stride(a), strideB: this.stride(b), strideC: this.stride(out) },
        { ...opts, bias: w(opts.bias), biasStride: opts.bias && this.stride(opts.bias), reluGate: w(gate), models: this.models });
      return;
    }
    this.each((at) => this.one.matmul(at(a), at(b), at(out), s, { ...opts, bias: opts.bias && at(opts.bias), reluGate: gate && at(gate) }));
  }
  columnSum(x: GpuTensor, s: ColumnSumShape, out: GpuTensor, accumulate = false): void {
    if (s.batch === 1 && s.strideX === undefined && s.strideOut === undefined && this.stride(x)) {
      this.one.columnSum(this.whole(x), { ...s, batch: this.models, strideX: this.stride(x), strideOut: this.stride(out) }, this.whole(out), accumulate, this.models);
      return;
    }
    this.each((at) => this.one.columnSum(at(x), s, at(out), accumulate));
  }
  embedGather(W_E: GpuTensor, W_pos: GpuTensor, out: GpuTensor): void {
    this.each((at) => this.one.embedGather(at(W_E), at(W_pos), at(out)));
  }
  embedScatterAdd(dx0: GpuTensor, out: GpuTensor): void {
    this.one.embedScatterAdd(dx0, out, this);
  }
  attention(q: GpuTensor, k: GpuTensor, v: GpuTensor, s: AttentionShape, z: GpuTensor, pattern: GpuTensor): void {
    this.each((at) => this.one.attention(at(q), at(k), at(v), s, at(z), at(pattern)));
  }
  attentionBackward(dz: GpuTensor, q: GpuTensor, k: GpuTensor, v: GpuTensor, pattern: GpuTensor, s: AttentionShape, dq: GpuTensor, dk: GpuTensor, dv: GpuTensor): void {
    this.each((at) => this.one.attentionBackward(at(dz), at(q), at(k), at(v), at(pattern), s, at(dq), at(dk), at(dv)));
  }
  activation(pre: GpuTensor, act: ActFn, out: GpuTensor): void {
    this.each((at) => this.one.activation(at(pre), act, at(out)));
  }
  activationBackward(pre: GpuTensor, dpost: GpuTensor, act: ActFn, out: GpuTensor): void {
    this.each((at) => this.one.activationBackward(at(pre), at(dpost), act, at(out)));
  }
  softmaxCrossEntropy(logits: GpuTensor, scale: number, loss: GpuTensor, dlogits: GpuTensor, correct: GpuTensor): void {
    // One stride for logits and dlogits, one for loss and correct, as the kernel reads them.
    if (this.stride(logits) === this.stride(dlogits) && this.stride(loss) === this.stride(correct)) {
      this.one.softmaxCrossEntropy(logits, scale, loss, dlogits, correct, this);
      return;
    }
    this.each((at) => this.one.softmaxCrossEntropy(at(logits), scale, at(loss), at(dlogits), at(correct)));
  }
  copy(src: GpuTensor, dst: GpuTensor): void {
    this.each((at) => this.one.copy(at(src), at(dst)));
  }
  fill(t: GpuTensor, value: number): void {
    this.each((at) => this.one.fill(at(t), value));
  }
  gatherSum(table: GpuTensor, bias: GpuTensor, out: GpuTensor, reluPost?: GpuTensor): void {
    // reluPost is written at out's index, so it must be laid out as out is.
    if (!reluPost || this.stride(reluPost) === this.stride(out)) {
      this.one.gatherSum(table, bias, out, reluPost, this);
      return;
    }
    this.each((at) => this.one.gatherSum(at(table), at(bias), at(out), reluPost && at(reluPost)));
  }
  scatterTags(x: GpuTensor, out: GpuTensor): void {
    this.one.scatterTags(x, out, this);
  }
}
