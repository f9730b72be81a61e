import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { ActFn } from '../../model/config.js';
import { elementwise, outputViews, requireElements, vec4Alias } from './util.js';

/** post = act(pre): shaders/activation.wgsl (its dpost binding, unread forward, takes the registry's stand-in). */
export function activation(k: KernelRegistry, pre: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  for (const [name, t] of [['pre', pre], ['out', out]] as const) requireElements('activation', name, t, n);
  return prepareActivation(k, pre, k.unreadInput(), act, n, out, false);
}

/** dpre = act'(pre)·dpost: shaders/activation.wgsl with BACKWARD. */
export function activationBackward(k: KernelRegistry, pre: GpuTensor, dpost: GpuTensor, act: ActFn, n: number, out: GpuTensor): Dispatch {
  for (const [name, t] of [['pre', pre], ['dpost', dpost], ['out', out]] as const) requireElements('activationBackward', name, t, n);
  return prepareActivation(k, pre, dpost, act, n, out, true);
}

function prepareActivation(k: KernelRegistry, pre: GpuTensor, dpost: GpuTensor, act: ActFn, n: number, out: GpuTensor, backward: boolean): Dispatch {
  const vec4 = n % 4 === 0;
  const [out1, out4] = outputViews(k, out, vec4);
  return k.prepare('activation', {
    tensors: { pre, dpost, out: out1, pre4: vec4Alias(k, pre, vec4), dpost4: vec4Alias(k, dpost, vec4), out4 },
    uniforms: { n },
    constants: { GELU: +(act === 'gelu'), BACKWARD: +backward, VEC4: +vec4 },
    workgroups: elementwise(k, vec4 ? n / 4 : n),
  });
}
