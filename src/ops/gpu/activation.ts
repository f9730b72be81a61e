import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { ActFn } from '../../model/config.js';
import { elementwise, requireElements } from './util.js';

/** post = act(pre): shaders/activation.wgsl (its dpost binding, unread forward, takes pre). */
export function activation(k: KernelRegistry, pre: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  for (const [name, t] of [['pre', pre], ['out', out]] as const) requireElements('activation', name, t, n);
  return k.prepare('activation', { tensors: { pre, dpost: pre, out }, uniforms: { n }, constants: { GELU: +(act === 'gelu'), BACKWARD: 0 }, workgroups: elementwise(k, n) });
}

/** dpre = act'(pre)·dpost: shaders/activation.wgsl with BACKWARD. */
export function activationBackward(k: KernelRegistry, pre: GpuTensor, dpost: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  for (const [name, t] of [['pre', pre], ['dpost', dpost], ['out', out]] as const) requireElements('activationBackward', name, t, n);
  return k.prepare('activation', { tensors: { pre, dpost, out }, uniforms: { n }, constants: { GELU: +(act === 'gelu'), BACKWARD: 1 }, workgroups: elementwise(k, n) });
}
