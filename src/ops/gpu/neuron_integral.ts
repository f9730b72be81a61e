import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { NeuronIntegralShape } from '../cpu/neuron_integral.js';
import { groups } from './util.js';

/** Groups one dispatch takes: one workgroup row each, and WebGPU guarantees 65535 workgroups per dimension. */
export const MAX_GROUPS = 65535;

/** Σ_i w_i·P_t(u)·cos 2u and Σ_i w_i·P_t(u)·sin 2u, u = φ_i + x_m, for all groups and shifts in one dispatch: shaders/neuron_integral.wgsl. */
export function neuronIntegral(
  k: KernelRegistry, nodes: GpuTensor, weights: GpuTensor, offsets: GpuTensor, shift: GpuTensor, shape: GpuTensor, s: NeuronIntegralShape, out: GpuTensor,
): Dispatch {
  if (s.groups > MAX_GROUPS) throw new Error(`neuronIntegral: ${s.groups} groups exceed the ${MAX_GROUPS} workgroups of one dispatch dimension`);
  return k.prepare('neuron_integral', {
    tensors: { nodes, weights, offsets, shift, shape, out },
    uniforms: { groups: s.groups, shifts: s.shifts },
    workgroups: [groups(s.shifts, 64), s.groups],
  });
}
