// The three cost tiers of SPEC §4. Each gives, for every input (a, b), a bound ε̄(a, b) ≥ max_{c<p}
// |M(a, b, c) − M̂(a, b, c)| proven in real arithmetic (float64 with rounding allowances), and certifies (a, b)
// when min_{c≠a+b} [M̂(a,b,a+b) − M̂(a,b,c) + D(a,b,a+b) − D(a,b,c)] > 2ε̄(a, b): then the true logit of
// a + b beats every other, since each of M(·, c*) and M(·, c) is within ε̄(a, b) of M̂. (SPEC §4 states the
// rule with one ε̄; the input's own bound is never larger, so the rule is the same, applied input by input.)
// The tier's ε̄ is the max over inputs.
import type { MlpStructure } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { F64 } from '../ops/cpu/types.js';
import { type Explanation, modn, shiftIndex } from './explanation.js';
import { U64, gamma } from './integrand.js';
import { type ShapeIntegrand, coefAbsSum } from './shape.js';
import { boundReduce } from '../ops/cpu/bound_reduce.js';

export interface TierResult {
  eps_bound: number;
  certified_accuracy: number;
  uncertified: [number, number][];
  /** How it certifies an input: from the forward pass, per input against ε̄(a, b), or per logit. */
  certificate: string;
  flops: number;
  seconds: number;
}

/** Floating-point operations of one forward pass over all p² inputs (matmuls; the model as SPEC §1 runs it). */
export function forwardFlops(c: ModelConfig): number {
  const perInput = 2 * c.n_ctx * c.d_model * 3 * c.n_heads * c.d_head // q, k, v at every position
    + 4 * c.n_heads * c.n_ctx * c.d_head // last query's scores and weighted values
    + 2 * c.n_heads * c.d_head * c.d_model // W_O
    + 4 * c.d_model * c.d_mlp // W_in and W_out
    + 2 * c.d_model * c.d_vocab_out; // W_U
  return c.p * c.p * perInput;
}

export interface Certification {
  certified: Uint8Array;
  accuracy: number;
  uncertified: [number, number][];
}

/**
 * Certify every input: mTable is M̂ by [d, j] (explanationTable), D(a, b, c) the rest of the logits, eps the
 * per-input bounds [p²]; slack covers the margin's own float64 rounding and the structure's.
 */
export function certify(p: number, mTable: F64, D: (a: number, b: number, c: number) => number, eps: F64, slack: number): Certification {
  const margin = margins(p, mTable, D);
  const certified = new Uint8Array(p * p);
  const uncertified: [number, number][] = [];
  for (let j = 0; j < p * p; j++) {
    if (margin[j] > 2 * eps[j] * (1 + 4 * U64) + slack) certified[j] = 1;
    else uncertified.push([Math.floor(j / p), j % p]);
  }
  return { certified, accuracy: (p * p - uncertified.length) / (p * p), uncertified };
}

/** Per input [p²]: the explanation's margin min_{c≠a+b} [M̂(a,b,a+b) − M̂(a,b,c) + D(a,b,a+b) − D(a,b,c)], as computed. */
export function margins(p: number, mTable: F64, D: (a: number, b: number, c: number) => number): F64 {
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = modn(a - b, p);
      const cs = (a + b) % p;
      const top = mTable[d * p] + D(a, b, cs);
      let margin = Infinity;
      for (let c = 0; c < p; c++) {
        if (c === cs) continue;
        margin = Math.min(margin, top - mTable[d * p + modn(c - cs, p)] - D(a, b, c));
      }
      out[a * p + b] = margin;
    }
  }
  return out;
}

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
