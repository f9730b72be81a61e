import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { ADAMW_HYPER_LENGTH } from '../cpu/adamw.js';
import { elementwise, requireElements } from './util.js';

/** An ensemble's models in one dispatch: model t's elements start at t·stride, its hyper at t·ADAMW_HYPER_LENGTH. */
export interface AdamWStack { models: number; stride: number }

/**
 * One AdamW step in place over the first n elements of each model; `hyper` holds adamwHyper(step) of each
 * model, one after another: shaders/adamw.wgsl.
 */
export function adamw(k: KernelRegistry, param: GpuTensor, grad: GpuTensor, m: GpuTensor, v: GpuTensor, hyper: GpuTensor, n: number, stack: AdamWStack = { models: 1, stride: n }): Dispatch {
  if (stack.models > 1 && stack.stride < n) throw new Error(`adamw: models overlap (stride ${stack.stride} < n ${n})`);
  const span = (stack.models - 1) * stack.stride + n;
  for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) requireElements('adamw', name, t, span);
  requireElements('adamw', 'hyper', hyper, stack.models * ADAMW_HYPER_LENGTH);
  return k.prepare('adamw', { tensors: { hyper, grad, param, m, v }, uniforms: { n, stride: stack.stride }, workgroups: [...elementwise(n), stack.models] });
}
