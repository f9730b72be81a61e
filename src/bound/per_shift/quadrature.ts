// The per-shift tier (SPEC §4 (ii)): the residuals' Lipschitz bound per input and logit, and the quadrature error of every
// cluster evaluated directly at each input's shift, O(p²·d_mlp) with shaped integrands; its flops beside each part.
import type { F64 } from '../../ops/cpu/types.js';
import { boundReduce } from '../../ops/cpu/bound_reduce.js';
import { type Explanation, modn, shiftIndex } from '../explanation.js';
import { U64, gamma } from '../integrand.js';
import { type Residuals, outputTerm } from '../residuals.js';
import { type ShapeIntegrand, coefAbsSum } from '../shape.js';

/**
 * Z[d, c] = cst[c] + Σ_k min(max P_{k,d}·out[k, c], outputTerm): the part of input (a, b)'s bound for logit c that depends on
 * the distance d = a − b (mod p) only. Both bound the same output residual, so the smaller holds.
 */
export function distancePart(ex: Explanation, res: Residuals, ints: ShapeIntegrand[][]): F64 {
  const { p } = ex;
  const K = ex.clusters.length;
  const Z = new Float64Array(p * p);
  const terms = ex.clusters.map((_, k) => {
    const done = new Map<ShapeIntegrand, F64>();
    return (si: ShapeIntegrand) => {
      let row = done.get(si);
      if (!row) done.set(si, (row = outputTerm(res, k, si)));
      return row;
    };
  });
  for (let d = 0; d < p; d++) {
    for (let c = 0; c < p; c++) {
      let sum = res.cst[c];
      for (let k = 0; k < K; k++) sum += Math.min(ints[k][d].max * res.out[k * p + c], terms[k](ints[k][d])[c]);
      Z[d * p + c] = sum * (1 + gamma(K + 4));
    }
  }
  return Z;
}

/**
 * ε̄(a, b) = max_c (X[a, c] + Y[b, c] + Z[a − b, c]) + quad(a, b), rounded up: the bound of every logit c of the
 * input, since the quadrature term does not depend on c. The max over c is boundReduce (shaders/bound_reduce.wgsl).
 */
function combine(m: F64, quad: F64): F64 {
  return m.map((x, j) => (x + quad[j]) * (1 + 4 * U64));
}

/**
 * Precomputed sums S_k(si, m) = Σ_{i∈k} z_i P(u_i)e^{2iu_i} at u_i = φ_i + πm/p for cluster k's integrand si (P = ReLU(T)),
 * re and im, with a bound err on |computed − real| as a complex number (shiftSumsGpu).
 */
export type ShiftSums = (k: number, si: ShapeIntegrand, m: number) => { re: number; im: number; err: number };

/**
 * Per-shift quadrature (SPEC §4 (ii)): for each input and cluster, S = Σ_{i∈k} z_i P_{k,d}(u_i)e^{2iu_i} at the
 * input's nodes u_i = φ_i + x' is evaluated directly and compared with Z_k·P̂_{k,d}(2). With the pure integrand
 * P = 2|C|·ReLU(cos u) only the 2p shifts matter (one sum per shift, scaled by 2|C|: O(p·d_mlp)); with the
 * shape terms the integrand also depends on d, so the sums run over the (d, shift) pairs that occur, O(p²·d_mlp),
 * still a factor ~(d_model + p) below brute force.
 * Rounding: P ≤ Σ|a|, |z_i| = w_i. The shift πm/p is within 15u absolute (Math.PI and two roundings), so its cos
 * and sin within 16u, cos u_i and sin u_i within 26u, cos 2u_i and sin 2u_i within 77u, P within 80u·Σ|a| (its
 * coefficients a from C, C₂ within 4u relative, distanceCos), P·cos 2u and P·sin 2u within 158u·Σ|a|, the complex
 * term z_i·F within (√2·158 + 8)u·Σ|a|·w_i = 232u·Σ|a|·w_i, and each component's sum adds γ_{n+8}·Σ|a|·W. The
 * table M̂ rotates Z·F̂(0) by its own e^{iθ} (trig within 16u): 20u·W·Σ|a| more. The residuals measure W_L rows against
 * s_i cos(ωc + ψ_i) while M̂ uses w_i = fl(r_i s_i) and δ_i = fl(ψ_i − 2φ_i) (≤ 17u apart in angle, u in weight): 32u·W·Σ|a|
 * more (review 2026-11-25). Hence Σ|a|·W·(288u + 2γ_{n+8}).
 * The coefficient used for F̂(0) is within coefErr (times |Z| ≤ W). The 3K terms of q are summed with γ_{3K+4}.
 * Sums given (shiftSumsGpu) carry their own error err, to which the table's rotation (20u) and the ideal W_L row's two forms
 * (32u) add 52u·W·Σ|a|.
 * Returns Σ_k Q_k(a, b) for every input [p²], and per cluster and input the part that turns with the logit (|X_k| as in
 * SupQuadrature, here with the sums' rounding too) and the part that does not (the sums' and the table's rounding).
 */
export function perShiftQuadrature(ex: Explanation, ints: ShapeIntegrand[][], given?: ShiftSums): { quad: F64; flops: number; turning: F64[]; fixed: F64[] } {
  const { p } = ex;
  const K = ex.clusters.length;
  let flops = 0;
  const shiftCos = Float64Array.from({ length: 2 * p }, (_, m) => Math.cos((Math.PI * m) / p));
  const shiftSin = Float64Array.from({ length: 2 * p }, (_, m) => Math.sin((Math.PI * m) / p));
  const sums = ex.clusters.map((c) => {
    const cphi = c.phases.map(Math.cos);
    const sphi = c.phases.map(Math.sin);
    const zr = c.weights.map((w, j) => w * Math.cos(c.deltas[j]));
    const zi = c.weights.map((w, j) => w * Math.sin(c.deltas[j]));
    const pure = c.shape.rho === 0 && c.shape.kappa === 0;
    const cache = new Map<number, [number, number]>();
    // S at shift m for integrand T = a0 + a1 cos u + a2 cos 2u (pure: a1 = 1, scaled by the caller).
    return (m: number, a0: number, a1: number, a2: number, key: number): [number, number] => {
      const hit = cache.get(key);
      if (hit) return hit;
      const cx = shiftCos[m];
      const sx = shiftSin[m];
      let sr = 0;
      let sim = 0;
      for (let j = 0; j < cphi.length; j++) {
        const cu = cphi[j] * cx - sphi[j] * sx;
        const su = sphi[j] * cx + cphi[j] * sx;
        const c2 = cu * cu - su * su;
        const P = Math.max(0, a0 + a1 * cu + a2 * c2);
        const fr = P * c2;
        const fi = P * 2 * su * cu;
        sr += zr[j] * fr - zi[j] * fi;
        sim += zr[j] * fi + zi[j] * fr;
      }
      flops += 24 * cphi.length;
      const r: [number, number] = [sr, sim];
      cache.set(pure ? m : key, r);
      return r;
    };
  });
  const quad = new Float64Array(p * p);
  const turning = ex.clusters.map(() => new Float64Array(p * p));
  const fixed = ex.clusters.map(() => new Float64Array(p * p));
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = modn(a - b, p);
      let q = 0;
      ex.clusters.forEach((c, k) => {
        const si = ints[k][d];
        const m = shiftIndex(p, c.k, a, b);
        const pure = c.shape.rho === 0 && c.shape.kappa === 0;
        const g = given?.(k, si, m);
        const [sr, sim] = g ? [g.re, g.im] : pure ? sums[k](m, 0, 1, 0, m) : sums[k](m, si.a0, si.a1, si.a2, d * 2 * p + m);
        const scale = pure && !g ? si.a1 : 1;
        const sumA = coefAbsSum(si.a0, si.a1, si.a2);
        const f0 = si.coef[2];
        const err = Math.hypot(scale * sr - c.Zre * f0, scale * sim - c.Zim * f0);
        const sumErr = g ? g.err + 52 * U64 * c.W * sumA : c.W * sumA * (288 * U64 + 2 * gamma(c.phases.length + 8));
        q += err * (1 + 8 * U64) + sumErr + c.W * si.coefErr;
        turning[k][a * p + b] = (err * (1 + 8 * U64) + sumErr + c.W * si.coefErr) * (1 + 4 * U64);
        fixed[k][a * p + b] = sumErr;
      });
      quad[a * p + b] = q * (1 + gamma(3 * K + 4));
      flops += 12 * K;
    }
  }
  return { quad, flops, turning, fixed };
}

/**
 * The per-shift tier's Lipschitz bound from its quadrature term: per-input ε̄ and its flop count. reduced: max_c (X + Y + Z)
 * per input when it was computed elsewhere as an upper bound (boundReduceGpu).
 */
export function residualTier(ex: Explanation, res: Residuals, ints: ShapeIntegrand[][], quad: F64, reduced?: F64): { eps: F64; flops: number } {
  const { p } = ex;
  const K = ex.clusters.length;
  const eps = combine(reduced ?? boundReduce(res.X, res.Y, distancePart(ex, res, ints), p), quad);
  return { eps, flops: res.flops + p * p * (2 * K + 1) + 3 * p * p * p + K * p * p * (6 * res.J + 16) };
}
