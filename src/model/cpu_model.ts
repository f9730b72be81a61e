// The whole model on the CPU reference path, in float64.
import type { F64 } from '../ops/cpu/index.js';
import { CpuBackend } from './cpu_backend.js';
import type { ModelConfig } from './config.js';
import type { Batch } from './inputs.js';
import type { ParamName, ParamValues } from './params.js';
import { type Activations, backward, forward } from './schedule.js';

export function forwardCpu(c: ModelConfig, params: ParamValues, batch: Batch): Activations<F64> {
  return forward(new CpuBackend(c, params, batch), c, batch.size);
}

export interface CpuLossAndGrads {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** Number of examples whose argmax over the first p logits is the answer. */
  correct: number;
  grads: Partial<Record<ParamName, F64>>;
  /** Gradient of the mean loss with respect to the embedded inputs [B, n_ctx, d_model]. */
  dx0: F64;
  acts: Activations<F64>;
}

export function lossAndGradsCpu(c: ModelConfig, params: ParamValues, batch: Batch, frozen: readonly ParamName[] = []): CpuLossAndGrads {
  const be = new CpuBackend(c, params, batch, frozen);
  const acts = forward(be, c, batch.size);
  const dx0 = backward(be, c, batch.size, acts);
  return { loss: mean(acts.loss), correct: sum(acts.correct), grads: be.grads, dx0, acts };
}

const sum = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; };
const mean = (a: ArrayLike<number>) => sum(a) / a.length;
