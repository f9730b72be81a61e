// Which schedule computes the model: the generic transformer (src/model/schedule.ts) or, for constant
// attention, the table-folded fast path (src/model/schedule_constant.ts). Both give the same outputs.
import type { Backend } from './backend.js';
import type { ModelConfig } from './config.js';
import { backward, forward } from './schedule.js';
import { backwardConstant, forwardConstant } from './schedule_constant.js';

export type ScheduleName = 'generic' | 'constant';

/** What every schedule computes, per example. */
export interface ModelOutputs<T> {
  hook_pre: T;
  hook_post: T;
  logits: T;
  loss: T;
  correct: T;
  dlogits: T;
}

export function chooseSchedule(c: ModelConfig, requested: ScheduleName | 'auto' = 'auto'): ScheduleName {
  if (requested === 'constant' && c.attention_rate !== 0) {
    throw new Error(`schedule 'constant' needs attention_rate 0 (the model has ${c.attention_rate})`);
  }
  return requested === 'auto' ? (c.attention_rate === 0 ? 'constant' : 'generic') : requested;
}

export interface Built<T> {
  outputs: ModelOutputs<T>;
  /** Appends the backward pass; returns dx0 (gradient w.r.t. the embedded inputs) on the generic schedule. */
  backward(): T | undefined;
}

export function build<T>(be: Backend<T>, c: ModelConfig, B: number, schedule: ScheduleName): Built<T> {
  if (schedule === 'constant') {
    const a = forwardConstant(be, c, B);
    return { outputs: a, backward: () => (backwardConstant(be, c, B, a), undefined) };
  }
  const a = forward(be, c, B);
  return { outputs: a, backward: () => backward(be, c, B, a) };
}
