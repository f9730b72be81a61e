// The CPU reference path: every GPU kernel's computation in float64, op for op with src/ops/gpu.ts,
// so a parity test is one line per op and the whole model can run forward and backward on the CPU.

export type F64 = Float64Array;

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating): shaders/column_sum.wgsl. */
export function columnSum(x: ArrayLike<number>, rows: number, cols: number, accumulateInto?: F64): F64 {
  const out = accumulateInto ?? new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += x[r * cols + c];
  return out;
}
