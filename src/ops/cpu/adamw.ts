import type { F64 } from './types.js';

/** PyTorch's AdamW hyperparameters for one step; step counts from 1. */
export interface AdamWHyper { lr: number; beta1: number; beta2: number; eps: number; weight_decay: number; step: number }

export function checkAdamWHyper(h: AdamWHyper): void {
  if (!Number.isInteger(h.step) || h.step < 1) throw new Error(`adamw: step ${h.step} is not a positive integer (steps count from 1)`);
  for (const b of ['beta1', 'beta2'] as const) if (!(h[b] >= 0 && h[b] < 1)) throw new Error(`adamw: ${b} ${h[b]} outside [0, 1)`);
  if (!(h.lr >= 0)) throw new Error(`adamw: lr ${h.lr} is negative or NaN`);
  if (!(h.eps > 0)) throw new Error(`adamw: eps ${h.eps} is not positive`);
  if (!(h.weight_decay >= 0)) throw new Error(`adamw: weight_decay ${h.weight_decay} is negative or NaN`);
}

/**
 * One AdamW step in place, exactly PyTorch's order of operations: decoupled decay p ← p·(1 − lr·wd),
 * moments, then p ← p − (lr/bc1)·m/(√v/√bc2 + eps) with bias corrections bc = 1 − β^step:
 * shaders/adamw.wgsl. (PyTorch updates m as m + (1 − β1)(g − m), the same value up to rounding.)
 */
export function adamw(param: F64, grad: ArrayLike<number>, m: F64, v: F64, h: AdamWHyper): void {
  checkAdamWHyper(h);
  const { lr, beta1, beta2, eps, weight_decay } = h;
  const stepSize = lr / (1 - beta1 ** h.step);
  const sqrtBc2 = Math.sqrt(1 - beta2 ** h.step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    param[i] *= 1 - lr * weight_decay;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    param[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
  }
}

/** Floats in adamw.wgsl's `hyper` buffer. */
export const ADAMW_HYPER_LENGTH = 8;

/**
 * The per-step values adamw.wgsl reads from its `hyper` buffer, folded on the host in float64:
 * write them with queue.writeBuffer before each replay of the one prepared dispatch.
 */
export function adamwHyper(h: AdamWHyper): Float32Array {
  checkAdamWHyper(h);
  return Float32Array.from([
    1 - h.lr * h.weight_decay,
    h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2,
    h.lr / (1 - h.beta1 ** h.step),
    Math.sqrt(1 - h.beta2 ** h.step),
    h.eps,
  ]);
}
