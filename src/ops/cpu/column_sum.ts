import { type F64, stackedExtent } from './types.js';

/** x[t] starts at element t·strideX (default rows·cols), out[t] at t·strideOut (default cols). */
export interface ColumnSumShape { batch: number; rows: number; cols: number; strideX?: number; strideOut?: number }

export const columnSumStrides = (s: ColumnSumShape) => ({ x: s.strideX ?? s.rows * s.cols, out: s.strideOut ?? s.cols });

/** out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(x: ArrayLike<number>, s: ColumnSumShape, accumulateInto?: F64): F64 {
  const { batch, rows, cols } = s;
  const stride = columnSumStrides(s);
  const out = accumulateInto ?? new Float64Array(stackedExtent(batch, stride.out, cols));
  for (let t = 0; t < batch; t++) {
    for (let r = 0; r < rows; r++) {
      const base = t * stride.x + r * cols;
      for (let c = 0; c < cols; c++) out[t * stride.out + c] += x[base + c];
    }
  }
  return out;
}
