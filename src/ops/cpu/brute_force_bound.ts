import type { F64 } from './types.js';

/** Strides of the brute-force rows: input (a, b) reads row a·sa + b·sb of A and of B. */
export interface BruteRows { a_sa: number; a_sb: number; b_sa: number; b_sb: number }

/**
 * For every input j = a·p + b: post_i = max(0, A[ra, i] + B[rb, i] + cv[i]) (rows from `rows`), M_c = Σ_i post_i·WT[c, i]
 * and S_c = Σ_i post_i·|WT[c, i]| over c < p (WT = W_Lᵀ, [p, ldw]); out[2j] = max_c |M_c − Mhat[(a − b) mod p, (c − a − b) mod p]|
 * and out[2j + 1] = max_c S_c, in float64: the brute force of SPEC §4, shaders/brute_force_bound.wgsl.
 */
export function bruteForceBound(A: ArrayLike<number>, B: ArrayLike<number>, cv: ArrayLike<number>, WT: ArrayLike<number>, Mhat: ArrayLike<number>, p: number, n: number, ldw: number, rows: BruteRows): F64 {
  const out = new Float64Array(2 * p * p);
  const post = new Float64Array(n);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const ra = (a * rows.a_sa + b * rows.a_sb) * n;
      const rb = (a * rows.b_sa + b * rows.b_sb) * n;
      for (let i = 0; i < n; i++) post[i] = Math.max(0, A[ra + i] + B[rb + i] + cv[i]);
      const d = (a + p - b) % p;
      const cs = (a + b) % p;
      let e = 0;
      let smax = 0;
      for (let c = 0; c < p; c++) {
        let m = 0;
        let s = 0;
        for (let i = 0; i < n; i++) {
          const w = WT[c * ldw + i];
          m += post[i] * w;
          s += post[i] * Math.abs(w);
        }
        e = Math.max(e, Math.abs(m - Mhat[d * p + ((c + p - cs) % p)]));
        smax = Math.max(smax, s);
      }
      out[2 * (a * p + b)] = e;
      out[2 * (a * p + b) + 1] = smax;
    }
  }
  return out;
}
