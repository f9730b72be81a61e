import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { elementwise, requireElements } from './util.js';

/** One AdamW step in place over the first n elements; `hyper` holds adamwHyper(step): shaders/adamw.wgsl. */
export function adamw(k: KernelRegistry, param: GpuTensor, grad: GpuTensor, m: GpuTensor, v: GpuTensor, hyper: GpuTensor, n: number): Dispatch {
  for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) requireElements('adamw', name, t, n);
  return k.prepare('adamw', { tensors: { hyper, grad, param, m, v }, uniforms: { n }, workgroups: elementwise(n) });
}
