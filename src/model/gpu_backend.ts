// The GPU backend: each op prepares its dispatches (one; two for a split reduction), appended to a
// program that is replayed every step.
// Parameters and gradients are views into flat buffers laid out by ParamLayout. Every tensor and uniform
// it allocates belongs to the owner it is given (the model's), freed with it.
import type { Owner } from '../gpu/device.js';
import { type Dispatch, type KernelRegistry, type Step, copy } from '../gpu/kernels.js';
import { type GpuTensor, createTensor, numel, view } from '../gpu/tensor.js';
import * as gpu from '../ops/gpu/index.js';
import { type TokenIndex, tokenIndex } from '../ops/cpu/index.js';
import type { MatmulShape } from '../ops/cpu/matmul.js';
import type { ColumnSumShape } from '../ops/cpu/column_sum.js';
import type { ScatterShape } from '../ops/cpu/embed.js';
import type { AttentionShape, Backend, MatmulOpts } from './backend.js';
import { tagIndex } from './cpu_backend.js';
import type { ActFn, ModelConfig } from './config.js';
import type { Batch } from './inputs.js';
import type { ParamLayout, ParamName } from './params.js';

/** An ensemble's layout (StackedGpuBackend): elements between models' copies of t, and all the copies as one binding. */
export interface ModelStack {
  readonly models: number;
  stride(t: GpuTensor): number;
  whole(t: GpuTensor): GpuTensor;
}
const wholeIn = (stack: ModelStack | undefined) => (t: GpuTensor) => (stack ? stack.whole(t) : t);

export class GpuBackend implements Backend<GpuTensor> {
  /** The dispatches and copies prepared so far, in order. */
  steps: Step[] = [];
  private readonly tokens: GpuTensor;
  private readonly labels: GpuTensor;
  private readonly index: { starts: GpuTensor; rows: GpuTensor };
  private readonly tags: { starts: GpuTensor; rows: GpuTensor };

  private readonly k: KernelRegistry;

  constructor(
    private readonly owner: Owner,
    k: KernelRegistry,
    private readonly c: ModelConfig,
    private readonly layout: ParamLayout,
    private readonly params: GpuTensor,
    private readonly grads: GpuTensor,
    private readonly batch: Batch,
  ) {
    this.k = k.ownedBy(owner);
    const g = owner;
    this.tokens = createTensor(g, 'u32', [batch.size, c.n_ctx], batch.tokens, 'tokens');
    this.labels = createTensor(g, 'u32', [batch.size], batch.labels, 'labels');
    const upload = (idx: TokenIndex, label: string) => ({
      starts: createTensor(g, 'u32', [idx.starts.length], idx.starts, `${label}.starts`),
      rows: createTensor(g, 'u32', [idx.rows.length], idx.rows, `${label}.rows`),
    });
    this.index = upload(tokenIndex(batch.tokens, c.d_vocab), 'token_index');
    this.tags = upload(tagIndex(c, batch), 'tag_index');
  }

  /** Names of the parameter-gradient views, which share one buffer (and so its label). */
  private readonly gradNames = new Map<GpuTensor, string>();

  /** Append a dispatch, labelled with the tensor it writes (`matmul → dpre`, `matmul → grad W_in`) for profiles. */
  private push(d: Dispatch, out: GpuTensor): void {
    const name = this.gradNames.get(out) ?? out.buffer.label ?? 'unlabelled';
    this.steps.push({ ...d, label: `${d.label} → ${name}` });
  }

  tensor(shape: readonly number[], label: string): GpuTensor {
    return createTensor(this.owner, 'f32', shape, undefined, label);
  }
  constant(shape: readonly number[], values: ArrayLike<number>, label: string): GpuTensor {
    return createTensor(this.owner, 'f32', shape, values, label);
  }
  private entry(name: ParamName) {
    return this.layout.entries.find((e) => e.spec.name === name)!;
  }
  param(name: ParamName): GpuTensor {
    const e = this.entry(name);
    return view(this.params, e.offset, e.spec.shape);
  }
  grad(name: ParamName): GpuTensor | undefined {
    const e = this.entry(name);
    if (!e.trainable) return undefined;
    const g = view(this.grads, e.offset, e.spec.shape);
    this.gradNames.set(g, `grad ${name}`);
    return g;
  }

  /** opts.models: the batch is that many models' products (StackedGpuBackend), which split K as one model's would. */
  matmul(a: GpuTensor, b: GpuTensor, out: GpuTensor, s: MatmulShape, opts: MatmulOpts<GpuTensor> & { models?: number } = {}): void {
    for (const d of gpu.matmul(this.k, a, b, out, s, opts)) this.push(d, out);
  }
  /** models: the batch is that many models' sums (StackedGpuBackend), which split their rows as one model's would. */
  columnSum(x: GpuTensor, s: ColumnSumShape, out: GpuTensor, accumulate = false, models = 1): void {
    for (const d of gpu.columnSum(this.k, x, s, out, accumulate, { models })) this.push(d, out);
  }
  embedGather(W_E: GpuTensor, W_pos: GpuTensor, out: GpuTensor): void {
    this.push(gpu.embedGather(this.k, W_E, W_pos, this.tokens, { batch: this.batch.size, n_ctx: this.c.n_ctx, d_model: this.c.d_model }, out), out);
  }
  // These four ops take an optional ModelStack: their tensors are then every model's copies, one dispatch for all.
  embedScatterAdd(dx0: GpuTensor, out: GpuTensor, stack?: ModelStack): void {
    this.scatter(this.index, dx0, { rows: this.batch.size * this.c.n_ctx, d_vocab: this.c.d_vocab, d_model: this.c.d_model }, out, stack);
  }
  private scatter(index: { starts: GpuTensor; rows: GpuTensor }, x: GpuTensor, s: ScatterShape, out: GpuTensor, stack?: ModelStack): void {
    const w = wholeIn(stack);
    const strides = stack && { models: stack.models, strideX: stack.stride(x), strideOut: stack.stride(out) };
    this.push(gpu.embedScatterAdd(this.k, w(x), index, { ...s, ...strides }, w(out)), out);
  }
  attention(q: GpuTensor, k: GpuTensor, v: GpuTensor, s: AttentionShape, z: GpuTensor, pattern: GpuTensor): void {
    this.push(gpu.attention(this.k, q, k, v, s, z, pattern), z);
  }
  attentionBackward(dz: GpuTensor, q: GpuTensor, k: GpuTensor, v: GpuTensor, pattern: GpuTensor, s: AttentionShape, dq: GpuTensor, dk: GpuTensor, dv: GpuTensor): void {
    this.push(gpu.attentionBackward(this.k, dz, q, k, v, pattern, s, dq, dk, dv), dq);
  }
  activation(pre: GpuTensor, act: ActFn, out: GpuTensor): void {
    this.push(gpu.activation(this.k, pre, act, numel(pre.shape), out), out);
  }
  activationBackward(pre: GpuTensor, dpost: GpuTensor, act: ActFn, out: GpuTensor): void {
    this.push(gpu.activationBackward(this.k, pre, dpost, act, numel(pre.shape), out), out);
  }
  /** With a stack, logits and dlogits must share one stride, and loss and correct another. */
  softmaxCrossEntropy(logits: GpuTensor, scale: number, loss: GpuTensor, dlogits: GpuTensor, correct: GpuTensor, stack?: ModelStack): void {
    const w = wholeIn(stack);
    const strides = stack && { models: stack.models, strideLogits: stack.stride(logits), strideRows: stack.stride(loss) };
    const s = { batch: this.batch.size, d_vocab_out: this.c.d_vocab_out, p: this.c.p, scale, ...strides };
    this.push(gpu.softmaxCrossEntropy(this.k, w(logits), this.labels, s, w(loss), w(dlogits), w(correct)), dlogits);
  }
  copy(src: GpuTensor, dst: GpuTensor): void {
    this.steps.push(copy(src, dst));
  }
  fill(t: GpuTensor, value: number): void {
    this.steps.push(copy(this.constant(t.shape, new Float32Array(numel(t.shape)).fill(value), 'fill'), t));
  }
  /** With a stack, reluPost must share out's stride. */
  gatherSum(table: GpuTensor, bias: GpuTensor, out: GpuTensor, reluPost?: GpuTensor, stack?: ModelStack): void {
    const c = this.c;
    const w = wholeIn(stack);
    const strides = stack && { models: stack.models, strideTable: stack.stride(table), strideBias: stack.stride(bias), strideOut: stack.stride(out) };
    const s = { batch: this.batch.size, n_ctx: c.n_ctx, d_vocab: c.d_vocab, width: numel(bias.shape), ...strides };
    this.push(gpu.gatherSum(this.k, w(table), w(bias), this.tokens, s, w(out), reluPost && w(reluPost)), out);
  }
  scatterTags(x: GpuTensor, out: GpuTensor, stack?: ModelStack): void {
    const width = numel(x.shape) / this.batch.size;
    this.scatter(this.tags, x, { rows: this.batch.size, d_vocab: this.c.n_ctx * this.c.d_vocab, d_model: width }, out, stack);
  }
}
