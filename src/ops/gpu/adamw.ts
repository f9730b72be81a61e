import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { ADAMW_HYPER_LENGTH } from '../cpu/adamw.js';
import { elementwise, requireElements, requireStacked } from './util.js';

/** An ensemble's models in one dispatch: model t's elements start at t·stride, its hyper at t·ADAMW_HYPER_LENGTH. */
export interface AdamWStack { models: number; stride: number }

/**
 * One AdamW step in place over the first n elements of each model; `hyper` holds adamwHyper(step) of each
 * model, one after another: shaders/adamw.wgsl.
 */
export function adamw(k: KernelRegistry, param: GpuTensor, grad: GpuTensor, m: GpuTensor, v: GpuTensor, hyper: GpuTensor, n: number, stack: AdamWStack = { models: 1, stride: n }): Dispatch {
  for (const [name, t, output] of [['param', param, true], ['grad', grad, false], ['m', m, true], ['v', v, true]] as const) requireStacked('adamw', name, t, stack.models, stack.stride, n, output);
  requireElements('adamw', 'hyper', hyper, stack.models * ADAMW_HYPER_LENGTH);
  return k.prepare('adamw', { tensors: { hyper, grad, param, m, v }, uniforms: { n, stride: stack.stride }, workgroups: [...elementwise(k, n), stack.models] });
}
