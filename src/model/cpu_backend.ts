// The CPU reference backend: each op runs at once in float64 through src/ops/cpu.
import * as cpu from '../ops/cpu/index.js';
import type { F64 } from '../ops/cpu/index.js';
import type { Backend, AttentionShape, MatmulOpts } from './backend.js';
import type { ModelConfig } from './config.js';
import type { Batch } from './inputs.js';
import { type ParamName, type ParamValues, paramSpecs, size } from './params.js';
import type { MatmulShape } from '../ops/cpu/matmul.js';
import type { ColumnSumShape } from '../ops/cpu/column_sum.js';
import type { ActFn } from './config.js';

/** Examples grouped by (position, token) tag j·d_vocab + t: the index scatterTags sums by. */
export function tagIndex(c: ModelConfig, batch: Batch): cpu.TokenIndex {
  const n = c.n_ctx;
  const tags = batch.tokens.map((t, i) => (i % n) * c.d_vocab + t);
  const idx = cpu.tokenIndex(tags, n * c.d_vocab);
  return { starts: idx.starts, rows: idx.rows.map((r) => Math.floor(r / n)) };
}

export class CpuBackend implements Backend<F64> {
  /** Gradients written so far, by parameter. */
  readonly grads: Partial<Record<ParamName, F64>> = {};
  private readonly cache = new Map<ParamName, F64>();
  private readonly index: cpu.TokenIndex;
  private readonly tags: cpu.TokenIndex;

  constructor(
    private readonly c: ModelConfig,
    private readonly params: ParamValues,
    private readonly batch: Batch,
    private readonly frozen: readonly ParamName[] = [],
  ) {
    this.index = cpu.tokenIndex(batch.tokens, c.d_vocab);
    this.tags = tagIndex(c, batch);
  }

  tensor(shape: readonly number[]): F64 {
    return new Float64Array(size(shape));
  }
  constant(_shape: readonly number[], values: ArrayLike<number>): F64 {
    return Float64Array.from(values);
  }
  param(name: ParamName): F64 {
    let p = this.cache.get(name);
    if (!p) this.cache.set(name, (p = Float64Array.from(this.params[name])));
    return p;
  }
  grad(name: ParamName): F64 | undefined {
    if (this.frozen.includes(name)) return undefined;
    return (this.grads[name] ??= new Float64Array(size(paramSpecs(this.c).find((s) => s.name === name)!.shape)));
  }

  matmul(a: F64, b: F64, out: F64, s: MatmulShape, opts: MatmulOpts<F64> = {}): void {
    const r = cpu.matmul(a, b, s, { ...opts, accumulate: opts.accumulate ? out : undefined });
    if (!opts.accumulate) out.set(r);
  }
  columnSum(x: F64, s: ColumnSumShape, out: F64, accumulate = false): void {
    if (!accumulate) out.fill(0);
    cpu.columnSum(x, s, out);
  }
  embedGather(W_E: F64, W_pos: F64, out: F64): void {
    out.set(cpu.embedGather(W_E, W_pos, this.batch.tokens, { batch: this.batch.size, n_ctx: this.c.n_ctx, d_model: this.c.d_model }));
  }
  embedScatterAdd(dx0: F64, out: F64): void {
    out.set(cpu.embedScatterAdd(dx0, this.index, { rows: this.batch.size * this.c.n_ctx, d_vocab: this.c.d_vocab, d_model: this.c.d_model }));
  }
  attention(q: F64, k: F64, v: F64, s: AttentionShape, z: F64, pattern: F64): void {
    const r = cpu.attention(q, k, v, s);
    z.set(r.z);
    pattern.set(r.pattern);
  }
  attentionBackward(dz: F64, q: F64, k: F64, v: F64, pattern: F64, s: AttentionShape, dq: F64, dk: F64, dv: F64): void {
    const r = cpu.attentionBackward(dz, q, k, v, pattern, s);
    dq.set(r.dq);
    dk.set(r.dk);
    dv.set(r.dv);
  }
  activation(pre: F64, act: ActFn, out: F64): void {
    out.set(cpu.activation(pre, act, pre.length));
  }
  activationBackward(pre: F64, dpost: F64, act: ActFn, out: F64): void {
    out.set(cpu.activationBackward(pre, dpost, act, pre.length));
  }
  softmaxCrossEntropy(logits: F64, scale: number, loss: F64, dlogits: F64, correct: F64): void {
    const r = cpu.softmaxCrossEntropy(logits, this.batch.labels, { batch: this.batch.size, d_vocab_out: this.c.d_vocab_out, p: this.c.p, scale });
    loss.set(r.loss);
    dlogits.set(r.dlogits);
    correct.set(r.correct);
  }
  copy(src: F64, dst: F64): void {
    dst.set(src);
  }
  fill(t: F64, value: number): void {
    t.fill(value);
  }
  gatherSum(table: F64, bias: F64, out: F64, reluPost?: F64): void {
    const c = this.c;
    out.set(cpu.gatherSum(table, bias, this.batch.tokens, { batch: this.batch.size, n_ctx: c.n_ctx, d_vocab: c.d_vocab, width: bias.length }));
    if (reluPost) reluPost.set(cpu.activation(out, 'relu', out.length));
  }
  scatterTags(x: F64, out: F64): void {
    const width = x.length / this.batch.size;
    out.set(cpu.embedScatterAdd(x, this.tags, { rows: this.batch.size, d_vocab: this.c.n_ctx * this.c.d_vocab, d_model: width }));
  }
}
