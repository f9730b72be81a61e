import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type ColumnSumShape, columnSumStrides } from '../cpu/column_sum.js';
import { stackedExtent } from '../cpu/types.js';
import { groups, requireElements } from './util.js';

/** out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(k: KernelRegistry, x: GpuTensor, s: ColumnSumShape, out: GpuTensor, accumulate = false): Dispatch {
  const stride = columnSumStrides(s);
  requireElements('columnSum', 'x', x, stackedExtent(s.batch, stride.x, s.rows * s.cols));
  requireElements('columnSum', 'out', out, stackedExtent(s.batch, stride.out, s.cols));
  return k.prepare('column_sum', {
    tensors: { x, out },
    uniforms: { batch: s.batch, rows: s.rows, cols: s.cols, strideX: stride.x, strideOut: stride.out },
    constants: { ACCUMULATE: accumulate ? 1 : 0 },
    workgroups: [groups(s.cols, 64), s.batch],
  });
}
