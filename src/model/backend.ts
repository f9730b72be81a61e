// The ops the model schedule is written against. Two implementations: src/model/gpu_backend.ts prepares
// one dispatch per op (replayed every step), src/model/cpu_backend.ts computes each op at once in float64
// through src/ops/cpu. Every op writes into an output tensor the schedule allocated, so the one schedule
// in src/model/schedule.ts is both the GPU program and its CPU reference, op for op.
import type { MatmulShape } from '../ops/cpu/matmul.js';
import type { ColumnSumShape } from '../ops/cpu/column_sum.js';
import type { AttentionShape } from '../ops/cpu/attention.js';
import type { ActFn } from './config.js';
import type { ParamName } from './params.js';

export type { AttentionShape };

export interface Backend<T> {
  /** A fresh tensor (contents unspecified until an op writes it). */
  tensor(shape: readonly number[], label: string): T;
  /** A tensor holding fixed values. */
  constant(shape: readonly number[], values: ArrayLike<number>, label: string): T;
  param(name: ParamName): T;
  /** Where the gradient of a trained parameter goes; undefined for a frozen one. */
  grad(name: ParamName): T | undefined;

  /** out = alpha·op(a)·op(b) + bias (+ out when accumulating); bias batch stride biasStride (0: shared). */
  matmul(a: T, b: T, out: T, s: MatmulShape, opts?: MatmulOpts<T>): void;
  columnSum(x: T, s: ColumnSumShape, out: T, accumulate?: boolean): void;
  /** x0 = W_E[tokens] + W_pos for the backend's batch. */
  embedGather(W_E: T, W_pos: T, out: T): void;
  /** dW_E = Σ of dx0 rows by token, for the backend's batch. */
  embedScatterAdd(dx0: T, out: T): void;
  attention(q: T, k: T, v: T, s: AttentionShape, z: T, pattern: T): void;
  attentionBackward(dz: T, q: T, k: T, v: T, pattern: T, s: AttentionShape, dq: T, dk: T, dv: T): void;
  activation(pre: T, act: ActFn, out: T): void;
  activationBackward(pre: T, dpost: T, act: ActFn, out: T): void;
  /** Per-row loss, scale·∂loss/∂logits and correctness for the backend's labels. */
  softmaxCrossEntropy(logits: T, scale: number, loss: T, dlogits: T, correct: T): void;
  copy(src: T, dst: T): void;
  fill(t: T, value: number): void;
  /**
   * out[b] = bias + Σ_j table[j·d_vocab + token(b, j)]: the constant-attention tables gathered per example;
   * with reluPost, also reluPost = max(out, 0) (hook_post of a ReLU MLP, in the same pass).
   */
  gatherSum(table: T, bias: T, out: T, reluPost?: T): void;
  /** out[j·d_vocab + t] = Σ of x[b] over the examples whose token at position j is t: gatherSum's adjoint. */
  scatterTags(x: T, out: T): void;
}

export interface MatmulOpts<T> {
  alpha?: number;
  bias?: T;
  biasStride?: number;
  accumulate?: boolean;
  /** Multiply each result by 1[reluGate > 0]: ReLU's backward fused into the product. */
  reluGate?: T;
}
