// The whole model on the CPU reference path, in float64.
import type { F64 } from '../ops/cpu/index.js';
import { mean, sum } from '../util/stats.js';
import { CpuBackend } from './cpu_backend.js';
import type { ModelConfig } from './config.js';
import type { Batch } from './inputs.js';
import type { ParamName, ParamValues } from './params.js';
import { type Activations, forward } from './schedule.js';
import { type ModelOutputs, type ScheduleName, build } from './schedules.js';

/** The generic forward pass with every activation (hooks included). */
export function forwardCpu(c: ModelConfig, params: ParamValues, batch: Batch): Activations<F64> {
  return forward(new CpuBackend(c, params, batch), c, batch.size);
}

export interface CpuLossAndGrads {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** Number of examples whose argmax over the first p logits is the answer. */
  correct: number;
  grads: Partial<Record<ParamName, F64>>;
  /** Gradient of the mean loss w.r.t. the embedded inputs [B, n_ctx, d_model] (generic schedule only). */
  dx0: F64 | undefined;
  outputs: ModelOutputs<F64>;
}

export function lossAndGradsCpu(
  c: ModelConfig, params: ParamValues, batch: Batch,
  opts: { frozen?: readonly ParamName[]; schedule?: ScheduleName } = {},
): CpuLossAndGrads {
  const be = new CpuBackend(c, params, batch, opts.frozen ?? []);
  const built = build(be, c, batch.size, opts.schedule ?? 'generic');
  const dx0 = built.backward();
  const o = built.outputs;
  return { loss: mean(o.loss), correct: sum(o.correct), grads: be.grads, dx0, outputs: o };
}
