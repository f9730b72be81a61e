// The per-neuron residuals of SPEC §4 (i), shared by the per-shift and compressed tiers: how far each neuron's U, V, c and
// W_L row are from their idealised forms, and the W_L-row residuals' phase moments.
import type { MlpStructure } from '../interp/structure.js';
import type { F64 } from '../ops/cpu/types.js';
import { type Explanation, modn } from './explanation.js';
import { U64, gamma } from './integrand.js';
import { type ShapeIntegrand, coefAbsSum } from './shape.js';

/**
 * Per-neuron residual terms of SPEC §4 (i), shared by the per-shift and compressed tiers. For neuron i,
 *   |ReLU(h_i) − ReLU(ĥ_i)| ≤ |h_i − ĥ_i| ≤ eU_i(a) + eV_i(b) + ec_i   (ReLU is 1-Lipschitz),
 * with ΔU = U − Û, mU its midrange, eU(a) = |ΔU(a) − mU| (likewise V) and ec = |c − ĉ + mU + mV|; so the input
 * side of logit c costs Σ_i |W_L[i, c]|·(eU_i(a) + eV_i(b) + ec_i) = X[a, c] + Y[b, c] + (part of Z[·, c]).
 * Neurons left out of the explanation contribute ≤ R_i·|W_L[i, c]| with R_i = max(0, max U_i + max V_i + c_i).
 * The output side: ReLU(ĥ_i)|W_L[i, c] − Ŵ_i(c)| ≤ r_i·max P_{k,d}·|ΔW_i(c)|, summed per cluster as
 * out[k, c] = Σ_{i∈k} r_i|ΔW_i(c)|. X and Y are p×d_mlp×p products: O(p²·d_mlp).
 * Rounding: each residual is a few operations on values ≤ |U| + r(1 + ρ) + |mU| (trig of exactly reduced
 * angles within 1 ulp), so 64u of that is added; non-negative sums are rounded up by γ_{d_mlp+4}.
 */
export interface Residuals {
  /** [p (a), p (c)] and [p (b), p (c)] */
  X: F64;
  Y: F64;
  /** [p (c)]: Σ_i ec_i|W_L[i, c]| + left-out neurons. */
  cst: F64;
  /** [clusters, p (c)] */
  out: F64;
  flops: number;
  /** The part of flops spent on X, Y and cst (O(p²·d_mlp)), which the compressed tier does not use. */
  tableFlops: number;
  /** The flops of one term j of the moments G (all neurons): a tier reading fewer terms than J spends that much less. */
  termFlops: number;
  /** Per-token terms [p (x), d_mlp (i)] of the neurons of the explanation: eU = |ΔU − mU| + allow (eV likewise), ec as above (R_i for left-out neurons). */
  eU: F64;
  eV: F64;
  ec: F64;
  /** Û [p, d_mlp] as computed, within allow[i] of the real value (as are ΔU, ΔV and Δc). */
  uHat: F64;
  allow: F64;
  /** |ΔW_i(c)| + its allowance [d_mlp, p] (explained neurons; 0 for the others), ≥ the real |W_L[i, c] − Ŵ_i(c)|. */
  dW: F64;
  /**
   * The W_L-row residuals' phase moments G_k[j, c] = Σ_{i∈k} r_i e^{ijφ_i}ΔW_i(c) for j = 0..J [clusters, J + 1, p] (re, im, as
   * computed), and gErr [clusters, p] ≥ |computed − real| for every j (see outputTerm).
   */
  J: number;
  gRe: F64;
  gIm: F64;
  gErr: F64;
}

/** Terms of the output series kept by default (outputTerm): |P̂(j)| falls like 1/j², so a few carry it (model A: 14). */
export const OUTPUT_TERMS = 14;

export function residuals(s: MlpStructure, ex: Explanation, J = OUTPUT_TERMS): Residuals {
  const { p, d_mlp: n, d_vocab_out: V } = s;
  const eU = new Float64Array(p * n); // [a, i]
  const eV = new Float64Array(p * n);
  const ec = new Float64Array(n);
  const uHat = new Float64Array(p * n);
  const allowOf = new Float64Array(n);
  const out = new Float64Array(ex.clusters.length * p);
  const K = ex.clusters.length;
  const dW = new Float64Array(n * p);
  const gRe = new Float64Array(K * (J + 1) * p);
  const gIm = new Float64Array(K * (J + 1) * p);
  const outAllow = new Float64Array(K * p);
  const cj = new Float64Array(J + 1);
  const sj = new Float64Array(J + 1);
  let flops = 0;
  for (let i = 0; i < n; i++) {
    const t = ex.member[i];
    if (t < 0) {
      let mu = -Infinity;
      let mv = -Infinity;
      let scale = Math.abs(s.c[i]);
      for (let x = 0; x < p; x++) {
        mu = Math.max(mu, s.U[x * n + i]);
        mv = Math.max(mv, s.V[x * n + i]);
        scale = Math.max(scale, Math.abs(s.U[x * n + i]) + Math.abs(s.V[x * n + i]));
      }
      ec[i] = Math.max(0, mu + mv + s.c[i] + 8 * U64 * (scale + Math.abs(s.c[i]))); // R_i
      flops += 2 * p + 4;
      continue;
    }
    const cl = ex.clusters[t];
    const nf = ex.fourier[i];
    const { rho, kappa } = cl.shape;
    let loU = Infinity, hiU = -Infinity, loV = Infinity, hiV = -Infinity, scale = 0;
    for (let x = 0; x < p; x++) {
      const ang = (2 * Math.PI * modn(cl.k * x, p)) / p + nf.phi;
      const id = nf.r * (Math.cos(ang) - rho * Math.cos(2 * ang));
      const u = s.U[x * n + i];
      const v = s.V[x * n + i];
      eU[x * n + i] = u - id;
      eV[x * n + i] = v - id;
      uHat[x * n + i] = id;
      loU = Math.min(loU, u - id); hiU = Math.max(hiU, u - id);
      loV = Math.min(loV, v - id); hiV = Math.max(hiV, v - id);
      scale = Math.max(scale, Math.abs(u), Math.abs(v));
    }
    const mU = (loU + hiU) / 2;
    const mV = (loV + hiV) / 2;
    const allow = 64 * U64 * (scale + nf.r * (1 + Math.abs(rho)) + Math.abs(mU) + Math.abs(mV) + Math.abs(s.c[i]) + nf.r * Math.abs(kappa));
    for (let x = 0; x < p; x++) {
      eU[x * n + i] = Math.abs(eU[x * n + i] - mU) + allow;
      eV[x * n + i] = Math.abs(eV[x * n + i] - mV) + allow;
    }
    ec[i] = Math.abs(s.c[i] - nf.r * kappa + mU + mV) + allow;
    allowOf[i] = allow;
    for (let j = 0; j <= J; j++) {
      cj[j] = nf.r * Math.cos(j * nf.phi);
      sj[j] = nf.r * Math.sin(j * nf.phi);
    }
    for (let c = 0; c < p; c++) {
      const ang = (2 * Math.PI * modn(cl.k * c, p)) / p + nf.psi;
      const w = s.W_L[i * V + c];
      const d = w - nf.s * Math.cos(ang);
      const allowW = 64 * U64 * (Math.abs(w) + nf.s);
      dW[i * p + c] = Math.abs(d) + allowW;
      out[t * p + c] += nf.r * dW[i * p + c];
      outAllow[t * p + c] += nf.r * allowW;
      for (let j = 0; j <= J; j++) {
        gRe[(t * (J + 1) + j) * p + c] += cj[j] * d;
        gIm[(t * (J + 1) + j) * p + c] += sj[j] * d;
      }
    }
    // per token: angle and 2 trig (≈ 20), the ideal and 2 residuals, min/max, 2 abs; per output: ≈ 14, and 4 per moment
    flops += p * 34 + p * 14 + 8 + (J + 1) * (4 * p + 40);
  }
  const X = new Float64Array(p * p);
  const Y = new Float64Array(p * p);
  const cst = new Float64Array(p);
  const absW = new Float64Array(n);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < n; i++) absW[i] = Math.abs(s.W_L[i * V + c]);
    for (let x = 0; x < p; x++) {
      let su = 0;
      let sv = 0;
      for (let i = 0; i < n; i++) {
        su += eU[x * n + i] * absW[i];
        sv += eV[x * n + i] * absW[i];
      }
      X[x * p + c] = su;
      Y[x * p + c] = sv;
    }
    let k = 0;
    for (let i = 0; i < n; i++) k += ec[i] * absW[i];
    cst[c] = k;
  }
  const tableFlops = 4 * p * p * n + 2 * p * n;
  const termFlops = (4 * p + 40) * ex.clusters.reduce((t, c) => t + c.neurons.length, 0);
  flops += tableFlops;
  const up = 1 + gamma(n + 4);
  // G's rounding: cos jφ and sin jφ within (4J + 2)u (the argument jφ rounded by ≤ u|jφ| ≤ 4Ju), ΔW within allowW, the
  // products and the sum (γ): |computed − real| ≤ Σ r_i allowW + out·((4J + 16)u + γ_{n+2}).
  const gErr = outAllow.map((x, j) => (x + out[j] * ((4 * J + 16) * U64 + gamma(n + 2))) * up);
  return {
    X: X.map((x) => x * up), Y: Y.map((x) => x * up), cst: cst.map((x) => x * up), out: out.map((x) => x * up), flops, tableFlops, termFlops,
    eU, eV, ec, uHat, allow: allowOf, dW, J, gRe, gIm, gErr,
  };
}

/** What outputTerm reads of an integrand: its coefficients' magnitudes, their error and tail, and Σ|a|. */
export type OutputIntegrand = Pick<ShapeIntegrand, 'coef' | 'coefErr' | 'tail' | 'a0' | 'a1' | 'a2'>;

/**
 * The output residual of cluster k at distance d for every logit c: Σ_{i∈k} p̂_i ΔW_i(c) with p̂_i = r_i P(φ_i + x), P = P_{k,d}.
 * P is continuous with summable coefficients, so P(φ + x) = Σ_j P̂(j)e^{ij(φ + x)} and the sum is Σ_j P̂(j)e^{ijx}G_k[j, c];
 * P̂ is real and even and G_k[−j] = conj G_k[j], so for every shift x it is at most
 *   Σ_{|j|≤J} |P̂(j)|·|G_k[j, c]| + Σ_{|j|>J} |P̂(j)|·out[k, c],
 * with |P̂(j)| ≤ |coef_j| + coefErr and Σ_{|j|>J} |P̂(j)| ≤ 2[Σ_{J<j≤M−2} (|coef_j| + coefErr) + tail] (si's tail covers
 * j ≥ M − 1). The residuals of a cluster's W_L rows cancel in G (model A: 3.3 against 9.5 for max P·out). The computed P̃
 * differs from the real integrand by ≤ 6u·Σ|a| (C, C₂ within 4.4u relative, a₂ = −2ρC₂ within 5u): 6u·Σ|a|·out more. Returns [p] (c). With `terms` < res.J only
 * G_k[j] for j ≤ terms are read (the rest go to the tail), for a tier that computes no more than those.
 */
export function outputTerm(res: Residuals, k: number, si: OutputIntegrand, terms = res.J): F64 {
  const { gRe, gIm, gErr, out } = res;
  const p = res.dW.length / res.allow.length;
  const M = si.coef.length - 3;
  // Coefficients are known to M + 2; with M − 2 < J the tail and the series overlap, which only counts terms twice.
  const J = Math.min(res.J, terms, M + 2);
  const G = res.J + 1;
  let beyond = si.tail;
  for (let j = J + 1; j <= M - 2; j++) beyond += Math.abs(si.coef[j]) + si.coefErr;
  beyond *= 2 * (1 + gamma(M + 4));
  const sumA = coefAbsSum(si.a0, si.a1, si.a2);
  const row = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    const o = out[k * p + c];
    let t = (beyond + 6 * U64 * sumA) * o;
    for (let j = 0; j <= J; j++) {
      const g = Math.hypot(gRe[(k * G + j) * p + c], gIm[(k * G + j) * p + c]) * (1 + 4 * U64) + gErr[k * p + c];
      t += (j === 0 ? 1 : 2) * (Math.abs(si.coef[j]) + si.coefErr) * g;
    }
    row[c] = t * (1 + gamma(2 * J + 8));
  }
  return row;
}

