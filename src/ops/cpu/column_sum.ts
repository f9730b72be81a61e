import type { F64 } from './types.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(x: ArrayLike<number>, rows: number, cols: number, accumulateInto?: F64): F64 {
  const out = accumulateInto ?? new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += x[r * cols + c];
  return out;
}
