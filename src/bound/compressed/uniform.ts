// The compressed tier's bound in SPEC §4's cost class: one ε̄ for every input, from per-neuron maxima and the quadrature
// bound that holds for every shift, with no per-input work. It is the per-shift tier's Lipschitz bound
//   ε̄(a, b) = max_c (X[a, c] + Y[b, c] + Z[a − b, c]) + quad(a, b)      (per_shift/quadrature.ts residualTier)
// with each input-dependent part replaced by its maximum (so it dominates that bound up to the last rounding):
//   X[a, c] + Y[b, c] + cst[c] = Σ_i (eU_i(a) + eV_i(b) + ec_i)|W_L[i, c]| ≤ Σ_i e_i|W_L[i, c]|,  e_i = max eU_i + max eV_i + ec_i;
//   the output residual of cluster k at distance d ≤ min(max P·out[k, c], outputTerm) with the integrands of every distance
//     replaced by their envelope (both bounds grow with |P̂(j)|, its error, its tail, max P and Σ|a|);
//   quad(a, b) ≤ Σ_k max_d (turning + fixed)  (supQuadrature, one bound for every shift of each distance class).
// Cost O(p·d_mlp) to read the residuals and W_L, O(M·d_mlp) for the moments, O(p·J·K) for the output terms: no work per
// input. Certifying with it still compares margins over all p³ logits.
import type { MlpStructure } from '../../interp/structure.js';
import type { F64 } from '../../ops/cpu/types.js';
import type { SupQuadrature } from './quadrature.js';
import type { Explanation } from '../explanation.js';
import { U64, gamma } from '../integrand.js';
import { type ShapeIntegrand, coefAbsSum } from '../shape.js';
import { type OutputIntegrand, type Residuals, outputTerm } from '../residuals.js';

/**
 * Magnitudes that dominate each of ints: |coef_j|, coefErr, tail, max and Σ|a| (held in a0) are the maxima over ints. Only for
 * bounds that grow with those magnitudes (outputTerm, max P·out): it is no integrand, hence not a ShapeIntegrand.
 */
export function envelope(ints: readonly ShapeIntegrand[]): OutputIntegrand & { max: number } {
  const distinct = [...new Set(ints)];
  const len = distinct[0].coef.length;
  if (distinct.some((si) => si.coef.length !== len)) throw new Error('envelope: integrands built at different orders');
  const coef = new Float64Array(len);
  const max = (f: (si: ShapeIntegrand) => number) => distinct.reduce((m, si) => Math.max(m, f(si)), 0);
  for (let j = 0; j < len; j++) coef[j] = max((si) => Math.abs(si.coef[j]));
  // Σ|a| rounded up: three terms of a sum whose real value the bounds only scale by u.
  const sumA = max((si) => coefAbsSum(si.a0, si.a1, si.a2)) * (1 + 4 * U64);
  return { a0: sumA, a1: 0, a2: 0, coef, coefErr: max((si) => si.coefErr), tail: max((si) => si.tail), max: max((si) => si.max) };
}

/**
 * ε̄ ≥ |M − M̂| at every input and logit (before the structure's rounding dM, which the caller adds as for every tier), and its
 * flops beyond the residuals and the integrands. Rounding: e_i is a sum of three upper bounds, Σ_i e_i|W_L[i, c]| and the
 * output terms non-negative sums (γ), the three parts one more sum (4u).
 */
export function uniformBound(s: MlpStructure, ex: Explanation, res: Residuals, ints: ShapeIntegrand[][], cq: SupQuadrature): { eps: number; flops: number; parts: UniformParts } {
  const { p, d_mlp: n, d_vocab_out: V } = s;
  const K = ex.clusters.length;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mu = 0;
    let mv = 0;
    for (let x = 0; x < p; x++) {
      mu = Math.max(mu, res.eU[x * n + i]);
      mv = Math.max(mv, res.eV[x * n + i]);
    }
    e[i] = (mu + mv + res.ec[i]) * (1 + gamma(3));
  }
  const env = ints.map(envelope);
  const outRows: F64[] = env.map((si, k) => outputTerm(res, k, si));
  let worst = 0;
  const parts = { input_residual: 0, output_residual: 0, quadrature: 0 };
  for (let c = 0; c < p; c++) {
    let input = 0;
    for (let i = 0; i < n; i++) input += e[i] * Math.abs(s.W_L[i * V + c]);
    let output = 0;
    for (let k = 0; k < K; k++) output += Math.min(env[k].max * res.out[k * p + c], outRows[k][c]);
    worst = Math.max(worst, input * (1 + gamma(n + 4)) + output * (1 + gamma(K + 4)));
    parts.input_residual = Math.max(parts.input_residual, input);
    parts.output_residual = Math.max(parts.output_residual, output);
  }
  let quad = 0;
  for (let k = 0; k < K; k++) {
    let q = 0;
    for (let d = 0; d < p; d++) q = Math.max(q, cq.turning[k][d] + cq.fixed[k][d]);
    quad += q;
  }
  quad *= 1 + gamma(2 * K + 4);
  parts.quadrature = quad;
  // e (2 per token and 3), the envelopes (one comparison per coefficient of each distance), the output terms (as signed.ts
  // counts them), the sums over neurons and clusters per logit, the quadrature maxima.
  const coefs = ints[0]?.[0]?.coef.length ?? 0;
  const flops = 2 * p * n + 3 * n + K * p * coefs + K * p * (6 * res.J + 16) + p * (2 * n + 3 * K + 4) + 2 * p * K + 8;
  return { eps: (worst + quad) * (1 + 4 * U64), flops, parts };
}

/** The uniform bound's three terms, each its maximum over logits (so they add up to at least the bound): what blocks it. */
export interface UniformParts { input_residual: number; output_residual: number; quadrature: number }
