// A proven bound on the float64 rounding of the MLP's structure (U, V, c, W_L, D of src/interp/structure.ts) and
// what it does to the certificate (SPEC §4, soundness under floating point). The residual tiers bound
// |M − M̂| for the structure as computed; the model's real logits come from the real structure, so the gap
// between the two must be added, not assumed small: with embeddings that cancel, it can exceed any relative
// allowance (test/bound/adversarial.test.ts certifies a real tie without it).
//
// Every structure entry is a polynomial in the weights with non-negative coefficients (w, n·w, 1), evaluated by
// additions and multiplications; each monomial passes through at most N roundings, so (Higham, Lemma 3.1)
// |computed − exact| ≤ γ_N·Σ|monomials|, and Σ|monomials| is the same polynomial of |weights|: mlpStructure of the
// absolute parameters, itself computed within γ_N (non-negative sums), hence the bound 2γ_N·structure(|θ|).
import type { F64 } from '../ops/cpu/types.js';
import { type MlpStructure, mlpStructure } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { ParamName, ParamValues } from '../model/params.js';
import { U64, gamma } from './integrand.js';

/**
 * Longest chain of roundings on one monomial of any structure entry: W_OV (dh products and sums, 2 per head for
 * the scaled accumulation), R = w·W_OV + I (w itself rounded, 3), the token rows E·R (d_model + 1), the position
 * sum (n_ctx), κ's five accumulated parts (≤ 10), b_out (1), and the final product with W_in or W_U (d_model + 2).
 */
export const structureRoundings = (c: ModelConfig) => 2 * c.d_model + c.n_heads * c.d_head + 2 * c.n_heads + c.n_ctx + 32;

/** Entrywise bounds on |computed − real| of every field of mlpStructure(c, params) (α = 0; fields as there). */
export function structureRounding(c: ModelConfig, params: ParamValues): MlpStructure {
  const abs = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v as ArrayLike<number>, Math.abs)])) as Record<ParamName, F64>;
  const s = mlpStructure(c, abs);
  const g = 2 * gamma(structureRoundings(c));
  const up = (x: F64) => x.map((v) => v * g);
  return { ...s, U: up(s.U), V: up(s.V), c: up(s.c), W_L: up(s.W_L), Da: up(s.Da), Db: up(s.Db), Dconst: up(s.Dconst) };
}

/**
 * What the structure's rounding e (structureRounding) costs the certificate of structure s (answers c < p):
 *   dM ≥ |M_real(a, b, c) − M_s(a, b, c)| for every input and logit, added to every ε̄(a, b);
 *   dD ≥ |D_real(a, b, c) − D_s(a, b, c)|, so margins lose 2·dD.
 * Proof of dM: |ReLU(h_real) − ReLU(h)| ≤ eh_i = max_a eU + max_b eV + ec (1-Lipschitz), so
 * |M_real − M_s| ≤ Σ_i eh_i·(|W_L[i, c]| + eW_L[i, c]) + ReLU(h_i)·eW_L[i, c], with ReLU(h_i) ≤ R_i =
 * max(0, max U_i + max V_i + c_i) (rounded up by 8u of the magnitudes); the max over c, sums rounded up by γ.
 */
export function structureCost(s: MlpStructure, e: MlpStructure): { dM: number; dD: number } {
  const { p, d_mlp: n, d_vocab_out: V } = s;
  const eh = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eu = 0, ev = 0, mu = -Infinity, mv = -Infinity, scale = Math.abs(s.c[i]);
    for (let x = 0; x < p; x++) {
      eu = Math.max(eu, e.U[x * n + i]);
      ev = Math.max(ev, e.V[x * n + i]);
      mu = Math.max(mu, s.U[x * n + i]);
      mv = Math.max(mv, s.V[x * n + i]);
      scale = Math.max(scale, Math.abs(s.U[x * n + i]) + Math.abs(s.V[x * n + i]) + Math.abs(s.c[i]));
    }
    eh[i] = (eu + ev + e.c[i]) * (1 + 4 * U64);
    R[i] = Math.max(0, mu + mv + s.c[i] + 8 * U64 * scale);
  }
  let dM = 0;
  for (let c = 0; c < p; c++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += eh[i] * (Math.abs(s.W_L[i * V + c]) + e.W_L[i * V + c]) + R[i] * e.W_L[i * V + c];
    dM = Math.max(dM, t);
  }
  let da = 0, db = 0, dc = 0;
  for (let x = 0; x < p; x++) {
    for (let c = 0; c < p; c++) {
      da = Math.max(da, e.Da[x * V + c]);
      db = Math.max(db, e.Db[x * V + c]);
    }
  }
  for (let c = 0; c < p; c++) dc = Math.max(dc, e.Dconst[c]);
  const up = 1 + gamma(3 * n + 8);
  return { dM: dM * up, dD: (da + db + dc) * up };
}
