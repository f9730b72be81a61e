import type { F64 } from './types.js';

export interface ColumnSumShape { batch: number; rows: number; cols: number }

/** out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(x: ArrayLike<number>, s: ColumnSumShape, accumulateInto?: F64): F64 {
  const { batch, rows, cols } = s;
  const out = accumulateInto ?? new Float64Array(batch * cols);
  for (let t = 0; t < batch; t++) {
    for (let r = 0; r < rows; r++) {
      const base = (t * rows + r) * cols;
      for (let c = 0; c < cols; c++) out[t * cols + c] += x[base + c];
    }
  }
  return out;
}
