// A tighter residual bound for the per-shift tier (SPEC §4 (i)): instead of summing every neuron's Lipschitz residual
// |h_i − ĥ_i|·|W_L[i, c]| in absolute value (≈ 21 on model A, whose true residual is ≈ 3), the input residual is summed
// with its sign, so the neurons' residuals cancel as they do in the model.
//
// Per input (a, b), δ_i = ReLU(h_i) − ReLU(ĥ_i) is computed for every neuron of the explanation (h_i = U_i(a) + V_i(b) + c_i,
// ĥ_i = Û_i(a) + Û_i(b) + r_iκ: O(d_mlp), the per-shift tier's own cost per input). With W_L = Ŵ + ΔW,
// Ŵ_i(c) = s_i cos(ω_k c + ψ_i) = Re[e^{iω_k c} s_i e^{iψ_i}] and p̂_i = ReLU(ĥ_i) = r_i P_{k,d}(u_i) (src/bound/shape.ts):
//   M − M̂ = S + Σ_i δ_iΔW_i(c) + Σ_i p̂_iΔW_i(c) + [Σ_i p̂_iŴ_i(c) − M̂] + left-out neurons,
//   S(a, b, c) = Σ_k Re[e^{iω_k c}·L_k(a, b)],  L_k = Σ_{i∈k} δ_i s_i e^{iψ_i}   (computed, signed: the neurons cancel here),
// and the other terms are bounded in absolute value:
//   second order  |Σ δ_iΔW_i(c)| ≤ Σ_i (eU_i(a) + eV_i(b) + ec_i)|ΔW_i(c)|, since |δ_i| ≤ |h_i − ĥ_i| (ReLU is 1-Lipschitz)
//                 (tables like X, Y, O(p²·d_mlp)), or ≤ ‖δ‖₂·‖ΔW[·, c]‖₂ (Cauchy–Schwarz; δ is 0 on neurons that stay off),
//                 whichever is smaller;
//   output        Σ_{i∈k} r_i P(φ_i + x)ΔW_i(c) = Σ_j P̂(j) e^{ijx} G_k[j, c], G_k[j, c] = Σ_{i∈k} r_i e^{ijφ_i}ΔW_i(c)
//                 (P continuous with summable coefficients), so it is ≤ Σ_{|j|≤J} |P̂(j)||G_k[j, c]| + Σ_{|j|>J} |P̂(j)|·out[k, c]
//                 for every shift x at once: the residuals of W_L rows cancel across the cluster in each G_k[j, c]
//                 (outputTerm in residuals.ts, which the compressed tier uses too);
//   quadrature    the tier's own term (per shift or compressed), unchanged;
//   left out      R_i|W_L[i, c]| as before.
// The bound is per logit, so an input is certified by the signed rule of certifySigned. The cost is O(p²·d_mlp) (δ and L_k
// per input, the second-order tables) and O(p³·K) for S: outside the compressed tier's class.
import type { MlpStructure } from '../../interp/structure.js';
import type { F64 } from '../../ops/cpu/types.js';
import { type Certification } from '../certify.js';
import { type Residuals, outputTerm } from '../residuals.js';
import { type Explanation, clusterIntegrands, modn } from '../explanation.js';
import { U64, gamma } from '../integrand.js';
import type { ShapeIntegrand } from '../shape.js';

export interface SignedResiduals {
  /** Signed part S(a, b, c) [p², p] (row a·p + b, then c). */
  S: F64;
  /** Absolute part R(a, b, c) [p², p]: a bound on |M − M̂ − S| without the quadrature term, rounding of S included. */
  R: F64;
  flops: number;
}

/**
 * S and R for every input and logit c < p. The output term is outputTerm (residuals.ts) with res.J terms, from the clusters'
 * integrands at the order M = res.J + 2 (coefficients to M + 2, tail beyond).
 *
 * Rounding (each a bound on |computed − real|): h_i = U + V + c within 2u(|U| + |V| + |c|) ≤ allow_i and ĥ_i within 3·allow_i
 * (Û within allow_i, Residuals), so δ_i within 4·allow_i + u|δ_i|; s_i e^{iψ_i} within 2u·s_i; L_k within
 * Σ (4·allow_i + 8u|δ_i|)s_i + γ_{n+2}·Σ|terms|;
 * Re[e^{iωc}L] within errL + 20u|L| (the angle 2πm/p is within 2.4u relative, so its cos and sin within 16u absolute, then two
 * products and a sum), and the sum over K clusters of 2 terms each within 2γ_{2K+2}·Σ_k|L_k| (review 2026-11-25); |ΔW| is res.dW
 * (computed + allowance). Non-negative sums are rounded up by γ.
 */
export function signedResiduals(s: MlpStructure, ex: Explanation, res: Residuals): SignedResiduals {
  const { p, d_mlp: n } = s;
  const K = ex.clusters.length;
  const ints = clusterIntegrands(ex, Math.max(4, res.J + 2));
  const tb = signedTables(s, ex, res, ints);
  let flops = K * p * (30 * (res.J + 5) + 2000) + tb.flops; // the integrands, as counted in bound.ts
  const { expl, zr, zi, up } = tb;

  // Second-order tables XΔ[a, c] = Σ_i eU_i(a)|ΔW_i(c)| (YΔ likewise) and cΔ[c] = Σ_i ec_i|ΔW_i(c)|, explained neurons only.
  const XD = new Float64Array(p * p);
  const YD = new Float64Array(p * p);
  const cD = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    for (let x = 0; x < p; x++) {
      let su = 0;
      let sv = 0;
      for (const i of expl) {
        su += res.eU[x * n + i] * res.dW[i * p + c];
        sv += res.eV[x * n + i] * res.dW[i * p + c];
      }
      XD[x * p + c] = su * up;
      YD[x * p + c] = sv * up;
    }
    let t = 0;
    for (const i of expl) t += res.ec[i] * res.dW[i * p + c];
    cD[c] = t * up;
  }
  flops += 4 * p * p * expl.length;

  // Per input: δ and L_k, then S and R for every c.
  const out: SignedResiduals = { S: new Float64Array(p * p * p), R: new Float64Array(p * p * p), flops: 0 };
  const Lre = new Float64Array(K);
  const Lim = new Float64Array(K);
  const Lerr = new Float64Array(K);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      Lre.fill(0);
      Lim.fill(0);
      Lerr.fill(0);
      let dNorm2 = 0;
      for (const i of expl) {
        const k = ex.member[i];
        const hHat = res.uHat[a * n + i] + res.uHat[b * n + i] + ex.fourier[i].r * ex.clusters[k].shape.kappa;
        const delta = Math.max(0, s.U[a * n + i] + s.V[b * n + i] + s.c[i]) - Math.max(0, hHat);
        Lre[k] += delta * zr[i];
        Lim[k] += delta * zi[i];
        Lerr[k] += (4 * res.allow[i] + 8 * U64 * Math.abs(delta) + gamma(n + 2) * Math.abs(delta)) * ex.fourier[i].s;
        dNorm2 += (Math.abs(delta) * (1 + 2 * U64) + 4 * res.allow[i]) ** 2;
      }
      const dNorm = Math.sqrt(dNorm2 * up + expl.length * Number.MIN_VALUE) * (1 + 2 * U64);
      flops += expl.length * 15;
      signedRow(out, tb, a, b, Lre, Lim, Lerr, dNorm, (c) => XD[a * p + c] + YD[b * p + c] + cD[c]);
      flops += p * (4 * K + 10);
    }
  }
  out.flops = flops;
  return out;
}

/** What every signed bound shares: the output terms, ‖ΔW[·, c]‖₂, the left-out neurons' bound and each neuron's s_i e^{iψ_i}. */
export interface SignedTables {
  /** [p (d), p (c)]: Σ_k outputTerm of cluster k at distance d plus the left-out neurons' bound, rounded up. */
  base: F64;
  /** [p (c)]: ‖ΔW[·, c]‖₂ over the explained neurons (with allowances, rounded up). */
  wNorm: F64;
  /** s_i cos ψ_i and s_i sin ψ_i of the explained neurons [d_mlp]. */
  zr: F64;
  zi: F64;
  /** The explained neurons. */
  expl: number[];
  /** cos and sin of ω_k c for every cluster and c [K][p]. */
  rotC: F64[];
  rotS: F64[];
  /** 1 + γ_{n+8}: rounds up a sum over neurons. */
  up: number;
  p: number;
  flops: number;
}

/**
 * SignedTables with the clusters' integrands ints (outputTerm reads their coefficients and tail, and the first `terms` moments of
 * G). O(K·p²·J + p·d_mlp).
 */
export function signedTables(s: MlpStructure, ex: Explanation, res: Residuals, ints: ShapeIntegrand[][], terms = res.J): SignedTables {
  const { p, d_mlp: n, d_vocab_out: Vo } = s;
  const K = ex.clusters.length;
  let flops = 0;
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  const leftOut = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    if (ex.member[i] < 0) {
      for (let c = 0; c < p; c++) leftOut[c] += res.ec[i] * Math.abs(s.W_L[i * Vo + c]);
      flops += 2 * p;
      continue;
    }
    zr[i] = ex.fourier[i].s * Math.cos(ex.fourier[i].psi);
    zi[i] = ex.fourier[i].s * Math.sin(ex.fourier[i].psi);
  }
  const up = 1 + gamma(n + 8);
  const outG = new Float64Array(p * p);
  for (let k = 0; k < K; k++) {
    const done = new Map<ShapeIntegrand, F64>();
    for (let d = 0; d < p; d++) {
      const si = ints[k][d];
      let row = done.get(si);
      if (!row) {
        done.set(si, (row = outputTerm(res, k, si, terms)));
        flops += p * (6 * Math.min(terms, res.J) + 16);
      }
      for (let c = 0; c < p; c++) outG[d * p + c] += row[c];
    }
  }
  const expl = Array.from({ length: n }, (_, i) => i).filter((i) => ex.member[i] >= 0);
  // A square below the normal range errs by up to 2^-1075 absolute (Number.MIN_VALUE/2 each).
  const wNorm = Float64Array.from({ length: p }, (_, c) => {
    let t = 0;
    for (const i of expl) t += res.dW[i * p + c] ** 2;
    return Math.sqrt(t * up + expl.length * Number.MIN_VALUE) * (1 + 2 * U64);
  });
  flops += 2 * p * expl.length;
  const rotC = ex.clusters.map((cl) => Float64Array.from({ length: p }, (_, c) => Math.cos((2 * Math.PI * modn(cl.k * c, p)) / p)));
  const rotS = ex.clusters.map((cl) => Float64Array.from({ length: p }, (_, c) => Math.sin((2 * Math.PI * modn(cl.k * c, p)) / p)));
  const base = outG.map((x, j) => x * (1 + gamma(K + 2)) + leftOut[j % p] * up);
  flops += 3 * p * p;
  return { base, wNorm, zr, zi, expl, rotC, rotS, up, p, flops };
}

/**
 * S(a, b, c) and R(a, b, c) of one input for every c from L_k (computed within Lerr_k of the real value) and an upper bound dNorm on
 * ‖δ‖₂: S = Σ_k Re[e^{iω_k c}L_k], R = min(second(c), dNorm·‖ΔW[·, c]‖₂) + output term + left-out neurons + S's rounding.
 */
export function signedRow(out: SignedResiduals, tb: SignedTables, a: number, b: number, Lre: F64, Lim: F64, Lerr: F64, dNorm: number, second?: (c: number) => number): void {
  const { p, rotC, rotS } = tb;
  const K = Lre.length;
  const row = a * p + b;
  const d = modn(a - b, p);
  let errS = 0;
  for (let k = 0; k < K; k++) errS += Lerr[k] * (1 + 4 * U64) + (20 * U64 + 2 * gamma(2 * K + 2)) * Math.hypot(Lre[k], Lim[k]) * 1.01;
  for (let c = 0; c < p; c++) {
    let sc = 0;
    for (let k = 0; k < K; k++) sc += rotC[k][c] * Lre[k] - rotS[k][c] * Lim[k];
    out.S[row * p + c] = sc;
    const cs = dNorm * tb.wNorm[c] * (1 + 2 * U64) + Number.MIN_VALUE; // a product below the normal range errs by 2^-1075
    const sec = second ? Math.min(second(c), cs) : cs;
    out.R[row * p + c] = (sec + tb.base[d * p + c] + errS) * (1 + gamma(8));
  }
}

/**
 * ε̄(a, b) = max_c (|S| + R) + quad(a, b) + dM, rounded up: a bound on max_c |M − M̂| (the tier's quadrature and the
 * structure's rounding dM do not depend on c).
 */
export function signedEps(p: number, lin: SignedResiduals, quad: F64, dM: number): F64 {
  const eps = new Float64Array(p * p);
  for (let r = 0; r < p * p; r++) {
    let m = 0;
    for (let c = 0; c < p; c++) m = Math.max(m, Math.abs(lin.S[r * p + c]) + lin.R[r * p + c]);
    eps[r] = (m + quad[r] + dM) * (1 + 8 * U64);
  }
  return eps;
}

/**
 * The signed rule: M(a, b, c) = M̂ + S + err with |err| ≤ R(c) + q (q = quad(a, b) + dM), so input (a, b) is certified when for
 * every c ≠ c* = a + b: [M̂(c*) + S(c*) + D(c*)] − [M̂(c) + S(c) + D(c)] > R(c*) + R(c) + 2q + slack. slack covers D's and the
 * margin's rounding (as for certify); the S terms add their own rounding, 8u·(|S(c*)| + |S(c)|).
 * With pair(r, d, j), a bound on the quadrature's share of the margin of input r (distance d) against logit c = c* + j (SupQuadrature.pair),
 * that share is pair + 2dM instead of 2q: the quadrature error turns with c, so it mostly cancels against the answer's own.
 * Inputs certified by `also` (another sound certificate of the same tier) stay certified.
 */
export function certifySigned(p: number, mTable: F64, D: (a: number, b: number, c: number) => number, lin: SignedResiduals, quad: F64, dM: number, slack: number, also: Certification, pair?: (r: number, d: number, j: number) => number): Certification {
  const certified = new Uint8Array(p * p);
  const uncertified: [number, number][] = [];
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const r = a * p + b;
      const d = modn(a - b, p);
      const cs = (a + b) % p;
      const q = (quad[r] + dM) * (1 + 4 * U64);
      const sTop = lin.S[r * p + cs];
      const top = mTable[d * p] + D(a, b, cs) + sTop;
      let ok = true;
      for (let c = 0; c < p && ok; c++) {
        if (c === cs) continue;
        const sc = lin.S[r * p + c];
        const j = modn(c - cs, p);
        const margin = top - mTable[d * p + j] - D(a, b, c) - sc;
        const qq = pair ? (pair(r, d, j) + 2 * dM) * (1 + 4 * U64) : 2 * q;
        const need = (lin.R[r * p + cs] + lin.R[r * p + c] + qq + 8 * U64 * (Math.abs(sTop) + Math.abs(sc))) * (1 + 4 * U64) + slack;
        if (!(margin > need)) ok = false;
      }
      if (ok || also.certified[r]) certified[r] = 1;
      else uncertified.push([a, b]);
    }
  }
  return { certified, accuracy: (p * p - uncertified.length) / (p * p), uncertified };
}
