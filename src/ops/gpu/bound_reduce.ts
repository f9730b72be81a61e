import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { elementwise, requireElements } from './util.js';

/** out[a·p + b] = max_c (X[a, c] + Y[b, c] + Z[(a − b) mod p, c]): shaders/bound_reduce.wgsl. */
export function boundReduce(k: KernelRegistry, X: GpuTensor, Y: GpuTensor, Z: GpuTensor, p: number, out: GpuTensor): Dispatch {
  if (!Number.isInteger(p) || p < 1) throw new Error(`boundReduce: p ${p} is not a positive integer`);
  for (const [name, t] of [['X', X], ['Y', Y], ['Z', Z], ['out', out]] as const) requireElements('boundReduce', name, t, p * p);
  return k.prepare('bound_reduce', { tensors: { X, Y, Z, out }, uniforms: { p }, workgroups: elementwise(k, p * p) });
}
