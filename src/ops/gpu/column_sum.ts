import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { groups } from './util.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(k: KernelRegistry, x: GpuTensor, rows: number, cols: number, out: GpuTensor, accumulate = false): Dispatch {
  return k.prepare('column_sum', {
    tensors: { x, out },
    uniforms: { rows, cols },
    constants: { ACCUMULATE: accumulate ? 1 : 0 },
    workgroups: [groups(cols, 64)],
  });
}
