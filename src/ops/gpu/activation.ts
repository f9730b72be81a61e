import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { ActFn } from '../../model/config.js';
import { elementwise } from './util.js';

/** post = act(pre): shaders/activation.wgsl. */
export function activation(k: KernelRegistry, pre: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  return k.prepare('activation', { tensors: { pre, post: out }, uniforms: { n }, constants: { GELU: +(act === 'gelu') }, workgroups: elementwise(n) });
}

/** dpre = act'(pre)·dpost: shaders/activation_backward.wgsl. */
export function activationBackward(k: KernelRegistry, pre: GpuTensor, dpost: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  return k.prepare('activation_backward', { tensors: { pre, dpost, dpre: out }, uniforms: { n }, constants: { GELU: +(act === 'gelu') }, workgroups: elementwise(n) });
}
