import type { F64 } from './types.js';

/**
 * out[a·p + b] = max_{c<p} (X[a, c] + Y[b, c] + Z[(a − b) mod p, c]) for all p² inputs (X, Y, Z are [p, p]):
 * the max over outputs of an input's error bound (src/bound/per_shift/quadrature.ts), shaders/bound_reduce.wgsl. With
 * non-negative terms the float64 result is within γ₂ (relative) of the real one; callers round it up.
 */
export function boundReduce(X: ArrayLike<number>, Y: ArrayLike<number>, Z: ArrayLike<number>, p: number): F64 {
  for (const [name, t] of [['X', X], ['Y', Y], ['Z', Z]] as const) {
    if (t.length < p * p) throw new Error(`boundReduce: ${name} has ${t.length} values, needs p² = ${p * p}`);
  }
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = (((a - b) % p) + p) % p;
      let m = -Infinity;
      for (let c = 0; c < p; c++) m = Math.max(m, X[a * p + c] + Y[b * p + c] + Z[d * p + c]);
      out[a * p + b] = m;
    }
  }
  return out;
}
