// The signed input residual of src/bound/per_shift/signed.ts at the compressed tier's cost: the same exact L_k = Σ_{i∈k} δ_i s_i e^{iψ_i}
// per input (δ_i = ReLU(h_i) − ReLU(ĥ_i)), without touching every neuron of every input.
//
// ĥ_i = r_i·T_{k,d}(u_i) with u_i = φ_i + x (src/bound/shape.ts), and |h_i − ĥ_i| ≤ ē_i = max eU_i + max eV_i + ec_i. For a
// neuron with ē_i ≤ τ_k·r_i ("regular"): where T(u_i) > τ_k both h_i and ĥ_i are positive, so δ_i = Δh_i = ΔU_i(a) + ΔV_i(b) + Δc_i
// (ΔU = U − Û, ΔV = V − Û, Δc = c − r_iκ); where T(u_i) < −τ_k both are ≤ 0 and δ_i = 0. Those sets are arcs of u (T = q(cos u),
// q quadratic: sureArcs), hence arcs of phase at each shift, so over the cluster's regular neurons sorted by phase their sums
// Σ ΔU_i(a)s_i e^{iψ_i} are differences of prefix sums (one table per token a, O(p·d_mlp) in all). Only the neurons in between
// (the window, where |T(u_i)| ≤ τ_k: near the kinks) and the irregular ones get δ_i computed one by one.
// ‖δ‖₂, for the second-order term δ·ΔW (Cauchy–Schwarz, as in signed.ts), is bounded on the arcs by Minkowski,
// ‖Δh‖_A ≤ ‖ΔU(a)‖_A + ‖ΔV(b)‖_A + ‖Δc‖_A (prefix sums of squares), and exact on the window.
// Cost: O(p·d_mlp) tables, per input O(K log d_mlp) plus the window's neurons (model A: a fifth of them, most at the distances
// where |cos(ω_k d/2)| is small and T is flat) plus O(p·K) for S and R at every logit.
import type { MlpStructure } from '../../interp/structure.js';
import type { F64 } from '../../ops/cpu/types.js';
import { type Explanation, modn, shiftIndex } from '../explanation.js';
import { U64, gamma } from '../integrand.js';
import { type ShapeIntegrand, coefAbsSum, rootsInT } from '../shape.js';
import { type SignedResiduals, signedRow, signedTables } from '../per_shift/signed.js';
import type { Residuals } from '../residuals.js';

/** Terms of the output series the compressed tier reads (outputTerm): model A certifies the same with 4 as with 14, ε̄ +0.2 at 8. */
export const COMPRESSED_OUTPUT_TERMS = 8;

/** Arcs [lo, hi] of u (lo < hi, hi − lo ≤ 2π) on which T(u) > τ (on) or T(u) < −τ (off) for the real T, and their total length. */
export interface SureArcs {
  on: [number, number][];
  off: [number, number][];
  length: number;
}

/** Each arc is shrunk by this much at both ends: far above the rounding of φ_i + x, of acos and of the shift πm/p (≈ 1e-15). */
const ARC_MARGIN = 1e-9;

/**
 * sureArcs for T(u) = a0 + a1 cos u + a2 cos 2u = q(cos u), q(t) = 2a2 t² + a1 t + (a0 − a2), from a computed integrand whose
 * coefficients are within 4u·|a| of the real ones. In t = cos u the set {±q > τ} is cut by the roots of q ∓ τ; each candidate
 * t-interval is verified: q is quadratic, so its extremes on [t1, t2] are at the ends or the vertex, and ±q there must exceed
 * τ + 32u·(Σ|a| + τ), which covers q's evaluation (a few roundings on terms ≤ 3Σ|a|: ≤ 10u·Σ|a|), the coefficients (4u relative
 * each: ≤ 12u·Σ|a|) and the rounded vertex (second order). A failing interval is shrunk by
 * 1e-9 in t and tried once more, then dropped (its neurons fall in the window, which is always sound). cos u ∈ [t1, t2] is
 * u ∈ ±[acos t2, acos t1], one arc through 0 when t2 = 1 or through π when t1 = −1.
 */
export function sureArcs(a0: number, a1: number, a2: number, tau: number): SureArcs {
  const sumA = coefAbsSum(a0, a1, a2);
  const marg = 64 * U64 * (sumA + tau);
  const q = (t: number) => 2 * a2 * t * t + a1 * t + (a0 - a2);
  const arcsOf = (sign: 1 | -1): [number, number][] => {
    const level = tau + marg;
    const roots = rootsInT(a0 - sign * level, a1, a2).sort((x, y) => x - y);
    const cuts = [-1, ...roots, 1];
    const g = (t: number) => sign * q(t);
    const verified = (t1: number, t2: number) => {
      let lo = Math.min(g(t1), g(t2));
      if (a2 !== 0) {
        const tv = -a1 / (4 * a2);
        if (tv > t1 && tv < t2) lo = Math.min(lo, g(tv));
      }
      return lo > tau + marg / 2;
    };
    const arcs: [number, number][] = [];
    for (let j = 0; j + 1 < cuts.length; j++) {
      let [t1, t2] = [cuts[j], cuts[j + 1]];
      if (!(t2 > t1) || !(g((t1 + t2) / 2) > level)) continue;
      if (!verified(t1, t2)) {
        if (t1 > -1) t1 += 1e-9;
        if (t2 < 1) t2 -= 1e-9;
        if (!(t2 > t1) || !verified(t1, t2)) continue;
      }
      const A1 = t2 >= 1 ? 0 : Math.acos(t2);
      const A2 = t1 <= -1 ? Math.PI : Math.acos(t1);
      if (A1 === 0 && A2 === Math.PI) arcs.push([-Math.PI, Math.PI + 2 * Math.PI]); // the whole circle (length > 2π)
      else if (A1 === 0) arcs.push([-A2 + ARC_MARGIN, A2 - ARC_MARGIN]);
      else if (A2 === Math.PI) arcs.push([A1 + ARC_MARGIN, 2 * Math.PI - A1 - ARC_MARGIN]);
      else arcs.push([A1 + ARC_MARGIN, A2 - ARC_MARGIN], [-A2 + ARC_MARGIN, -A1 - ARC_MARGIN]);
    }
    return arcs.filter(([lo, hi]) => hi > lo);
  };
  const on = arcsOf(1);
  const off = arcsOf(-1);
  const length = [...on, ...off].reduce((t, [lo, hi]) => t + Math.min(hi - lo, 2 * Math.PI), 0);
  return { on, off, length };
}

/** First index of the sorted array xs with xs[idx] ≥ v (strict: > v). */
function bound(xs: F64, v: number, strict: boolean): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? xs[mid] <= v : xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index ranges [start, end) of the sorted phases (in [−π, π]) lying in the arc [lo − x, hi − x] (mod 2π). */
function indexRanges(ph: F64, lo: number, hi: number, x: number): [number, number][] {
  if (hi - lo >= 2 * Math.PI) return [[0, ph.length]];
  const turns = Math.floor((lo - x + Math.PI) / (2 * Math.PI));
  const l = lo - x - 2 * Math.PI * turns;
  const h = hi - x - 2 * Math.PI * turns;
  const r: [number, number][] = [[bound(ph, l, false), bound(ph, Math.min(h, Math.PI), true)]];
  if (h > Math.PI) r.push([0, bound(ph, h - 2 * Math.PI, true)]);
  return r.filter(([s, e]) => e > s);
}

/** Neurons of one cluster sharing a threshold τ (ē_i ≤ τ·r_i), sorted by phase, with prefix tables and their sure arcs. */
interface ArcGroup {
  tau: number;
  order: Int32Array;
  ph: F64;
  /** Prefix sums over the group's neurons: [p (token), nr + 1] for ΔU·z (re, im) and ΔU², likewise V; [nr + 1] for Δc. */
  uRe: F64; uIm: F64; uSq: F64;
  vRe: F64; vIm: F64; vSq: F64;
  cRe: F64; cIm: F64; cSq: F64;
  /** Per distance d: the sure arcs of the cluster's integrand at τ. */
  arcs: SureArcs[];
}

interface ClusterArcs {
  groups: ArcGroup[];
  /** Neurons whose δ is always computed one by one. */
  irregular: number[];
  /** Σ_{i∈k} s_i·(4 allow_i + 8u ē_i) + 128γ·(groups)·Σ s_i ē_i: bounds |computed L_k − real L_k| for every input. */
  errL: number;
}

/** Per-input cost of a group's arcs, in neurons computed one by one (≈ 4 arcs of ≈ 60 flops, against ≈ 12 flops a neuron). */
const GROUP_OVERHEAD = 20;

/**
 * Split a cluster's neurons, by their ratio ē_i/r_i, into groups with their own τ (the group's largest ratio) and the irregular rest,
 * minimising the expected number of neurons computed one by one: Σ_groups (#neurons·mean share of the circle outside the sure arcs
 * over the distances + GROUP_OVERHEAD) + #irregular. Cut points at the ratios' deciles; dynamic programming over them.
 * Returns, per group, the index range [from, to) of the sorted ratios and τ, and the flops spent.
 */
function chooseGroups(sorted: number[], ints: ShapeIntegrand[]): { groups: { from: number; to: number; tau: number }[]; flops: number } {
  const n = sorted.length;
  const classes = [...new Set(ints)];
  const cuts = [...new Set(Array.from({ length: 11 }, (_, q) => Math.round((q / 10) * n)))].sort((x, y) => x - y); // 0 … n
  const tauAt = (j: number) => sorted[j - 1] * (1 + 1e-9);
  const share = new Map<number, number>();
  for (const j of cuts) {
    if (j === 0) continue;
    let t = 0;
    for (const si of classes) t += 1 - sureArcs(si.a0, si.a1, si.a2, tauAt(j)).length / (2 * Math.PI);
    share.set(j, t / classes.length);
  }
  // best[c]: least cost of the neurons below cuts[c] in groups; the rest irregular.
  const best = cuts.map(() => Infinity);
  const from = cuts.map(() => -1);
  best[0] = 0;
  for (let c = 1; c < cuts.length; c++) {
    for (let b = 0; b < c; b++) {
      const cost = best[b] + (cuts[c] - cuts[b]) * share.get(cuts[c])! + GROUP_OVERHEAD;
      if (cost < best[c]) {
        best[c] = cost;
        from[c] = b;
      }
    }
  }
  let end = 0;
  for (let c = 0; c < cuts.length; c++) if (best[c] + (n - cuts[c]) < best[end] + (n - cuts[end])) end = c;
  const groups: { from: number; to: number; tau: number }[] = [];
  for (let c = end; c > 0; c = from[c]) groups.unshift({ from: cuts[from[c]], to: cuts[c], tau: tauAt(cuts[c]) });
  return { groups, flops: share.size * classes.length * 120 + cuts.length ** 2 * 4 };
}

function clusterArcs(s: MlpStructure, ex: Explanation, res: Residuals, ints: ShapeIntegrand[], k: number, zr: F64, zi: F64): { ca: ClusterArcs; flops: number } {
  const { p, d_mlp: n } = s;
  const cl = ex.clusters[k];
  const eBar = cl.neurons.map((i) => {
    let mu = 0;
    let mv = 0;
    for (let x = 0; x < p; x++) {
      mu = Math.max(mu, res.eU[x * n + i]);
      mv = Math.max(mv, res.eV[x * n + i]);
    }
    return (mu + mv + res.ec[i]) * (1 + 4 * U64);
  });
  const ratio = cl.neurons.map((i, j) => (eBar[j] / ex.fourier[i].r) * (1 + 4 * U64));
  const byRatio = cl.neurons.map((_, j) => j).sort((x, y) => ratio[x] - ratio[y]);
  const chosen = chooseGroups(byRatio.map((j) => ratio[j]), ints);
  let flops = cl.neurons.length * (2 * p + 12) + chosen.flops;
  const inGroup = new Set<number>();
  const groups = chosen.groups.map(({ from, to, tau }) => {
    const members = byRatio.slice(from, to).filter((j) => ratio[j] <= tau).sort((x, y) => cl.phases[x] - cl.phases[y]);
    for (const j of members) inGroup.add(j);
    const order = Int32Array.from(members, (j) => cl.neurons[j]);
    const nr = order.length;
    const table = (delta: (i: number) => number, rows: number) => {
      const re = new Float64Array(rows * (nr + 1));
      const im = new Float64Array(rows * (nr + 1));
      const sq = new Float64Array(rows * (nr + 1));
      for (let x = 0; x < rows; x++) {
        const o = x * (nr + 1);
        for (let l = 0; l < nr; l++) {
          const i = order[l];
          const dv = delta(x * n + i);
          re[o + l + 1] = re[o + l] + dv * zr[i];
          im[o + l + 1] = im[o + l] + dv * zi[i];
          sq[o + l + 1] = sq[o + l] + dv * dv;
        }
      }
      return { re, im, sq };
    };
    const u = table((xi) => s.U[xi] - res.uHat[xi], p);
    const v = table((xi) => s.V[xi] - res.uHat[xi], p);
    const c = table((xi) => s.c[xi] - ex.fourier[xi].r * cl.shape.kappa, 1);
    const done = new Map<ShapeIntegrand, SureArcs>();
    const arcs = ints.map((si) => {
      let a = done.get(si);
      if (!a) done.set(si, (a = sureArcs(si.a0, si.a1, si.a2, tau)));
      return a;
    });
    flops += 14 * p * nr + 7 * nr + done.size * 120;
    const g: ArcGroup = { tau, order, ph: Float64Array.from(members, (j) => cl.phases[j]), uRe: u.re, uIm: u.im, uSq: u.sq, vRe: v.re, vIm: v.im, vSq: v.sq, cRe: c.re, cIm: c.im, cSq: c.sq, arcs };
    return g;
  });
  const irregular = cl.neurons.filter((_, j) => !inGroup.has(j));
  let sE = 0;
  let sA = 0;
  cl.neurons.forEach((i, j) => {
    // The tables hold uncentred terms (U − Û, V − Û, c − rκ), which ē (centred on each neuron's midrange) need not bound:
    // their own largest sizes count too (review 2026-11-25).
    let mu = 0;
    let mv = 0;
    for (let x = 0; x < p; x++) {
      mu = Math.max(mu, Math.abs(s.U[x * n + i] - res.uHat[x * n + i]));
      mv = Math.max(mv, Math.abs(s.V[x * n + i] - res.uHat[x * n + i]));
    }
    const term = mu + mv + Math.abs(s.c[i] - ex.fourier[i].r * cl.shape.kappa);
    sE += ex.fourier[i].s * (eBar[j] + term * (1 + 4 * U64));
    sA += ex.fourier[i].s * (4 * res.allow[i] + 8 * U64 * eBar[j]);
  });
  flops += 4 * p * cl.neurons.length;
  // Per group ≤ 8 index ranges (4 arcs, each split at ±π at most once) × 3 tables, each difference within 2γ_n·Σ s_i·(its terms'
  // sizes), counted by sE (ē and the uncentred terms' largest sizes); their sum.
  // Products below the normal range err by 2^-1075 absolute: n·2^-1074 per sum covers them.
  const errL = (sA + 128 * Math.max(1, groups.length) * gamma(n + 8) * sE) * (1 + gamma(n + 4)) + 64 * Math.max(1, groups.length) * n * Number.MIN_VALUE;
  return { ca: { groups, irregular, errL }, flops };
}

/**
 * S and R of the signed bound (signed.ts) for every input and logit c < p, with L_k exact as there and ‖δ‖₂ bounded as described
 * above; outputTerm through signedTables with the integrands ints. Rounding: the arcs are sure for the real values (sureArcs, τ
 * rounded up); each prefix difference errs by ≤ γ_{n}·(both prefixes) ≤ 2γ_n·Σ over the group, and each term by its allowance,
 * all in ClusterArcs.errL for L; for ‖δ‖₂ each squared-sum difference gets 2γ_{n+2}·(its table's total), and the per-neuron errors
 * (≤ 4·allow_i each) add their ℓ1 sum ≥ their ℓ2 norm. `computed` counts the δ_i computed one by one. The output term reads the
 * first `terms` moments of G (outputTerm).
 */
export function arcResiduals(s: MlpStructure, ex: Explanation, res: Residuals, ints: ShapeIntegrand[][], terms = res.J): SignedResiduals & { computed: number } {
  const { p, d_mlp: n } = s;
  const K = ex.clusters.length;
  const tb = signedTables(s, ex, res, ints, terms);
  let flops = tb.flops;
  const cas = ex.clusters.map((_, k) => {
    const r = clusterArcs(s, ex, res, ints[k], k, tb.zr, tb.zi);
    flops += r.flops;
    return r.ca;
  });
  let allowNorm = 0;
  for (const i of tb.expl) allowNorm += 4 * res.allow[i];
  allowNorm *= 1 + gamma(n + 2);
  const g2 = 2 * gamma(n + 2);
  // h_i and ĥ_i of a neuron computed one by one from two table entries each: U + c and Û + rκ per token, V and Û.
  const uc = new Float64Array(p * n);
  const uk = new Float64Array(p * n);
  for (let x = 0; x < p; x++) {
    for (const i of tb.expl) {
      uc[x * n + i] = s.U[x * n + i] + s.c[i];
      uk[x * n + i] = res.uHat[x * n + i] + ex.fourier[i].r * ex.clusters[ex.member[i]].shape.kappa;
    }
  }
  flops += 3 * p * tb.expl.length;
  const out: SignedResiduals = { S: new Float64Array(p * p * p), R: new Float64Array(p * p * p), flops: 0 };
  const Lre = new Float64Array(K);
  const Lim = new Float64Array(K);
  const Lerr = new Float64Array(K);
  let computed = 0;
  let searched = 0; // flops of the arcs: binary searches (⌈log₂(nr + 1)⌉ comparisons each) and, per sure-on range, 21 sums
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = modn(a - b, p);
      let nU = 0;
      let nV = 0;
      let nC = 0;
      let nW = tb.expl.length * Number.MIN_VALUE; // the window's squares below the normal range
      let lr = 0;
      let li = 0;
      const exact = (i: number) => {
        const delta = Math.max(0, uc[a * n + i] + s.V[b * n + i]) - Math.max(0, uk[a * n + i] + res.uHat[b * n + i]);
        lr += delta * tb.zr[i];
        li += delta * tb.zi[i];
        nW += delta * delta;
        computed++;
      };
      for (let k = 0; k < K; k++) {
        const cl = ex.clusters[k];
        const x = (Math.PI * shiftIndex(p, cl.k, a, b)) / p;
        lr = 0;
        li = 0;
        for (const g of cas[k].groups) {
          const nr = g.order.length;
          const oa = a * (nr + 1);
          const ob = b * (nr + 1);
          const sure: [number, number][] = [];
          const { on, off } = g.arcs[d];
          for (const [lo, hi] of on) {
            for (const [st, en] of indexRanges(g.ph, lo, hi, x)) {
              sure.push([st, en]);
              lr += g.uRe[oa + en] - g.uRe[oa + st] + g.vRe[ob + en] - g.vRe[ob + st] + g.cRe[en] - g.cRe[st];
              li += g.uIm[oa + en] - g.uIm[oa + st] + g.vIm[ob + en] - g.vIm[ob + st] + g.cIm[en] - g.cIm[st];
              // rounding of both prefixes, and squares below the normal range (2^-1075 each, nr in each prefix)
              const tiny = nr * Number.MIN_VALUE;
              nU += g.uSq[oa + en] - g.uSq[oa + st] + g2 * g.uSq[oa + nr] + tiny;
              nV += g.vSq[ob + en] - g.vSq[ob + st] + g2 * g.vSq[ob + nr] + tiny;
              nC += g.cSq[en] - g.cSq[st] + g2 * g.cSq[nr] + tiny;
              searched += 21;
            }
          }
          for (const [lo, hi] of off) sure.push(...indexRanges(g.ph, lo, hi, x));
          searched += (on.length + off.length) * (3 * Math.ceil(Math.log2(nr + 1)) + 8); // each arc: ≤ 3 searches, its wrap and shift
          // The window: the group's neurons outside every sure range, δ one by one.
          sure.sort((r1, r2) => r1[0] - r2[0]);
          let cur = 0;
          for (const [st, en] of sure) {
            for (let l = cur; l < st; l++) exact(g.order[l]);
            cur = Math.max(cur, en);
          }
          for (let l = cur; l < nr; l++) exact(g.order[l]);
        }
        for (const i of cas[k].irregular) exact(i);
        Lre[k] = lr;
        Lim[k] = li;
        Lerr[k] = cas[k].errL;
      }
      const arcNorm = Math.sqrt(Math.max(0, nU)) + Math.sqrt(Math.max(0, nV)) + Math.sqrt(Math.max(0, nC));
      const dNorm = (Math.sqrt((arcNorm * arcNorm + nW) * (1 + gamma(n + 8))) + allowNorm) * (1 + 8 * U64);
      signedRow(out, tb, a, b, Lre, Lim, Lerr, dNorm);
      flops += p * (4 * K + 5) + 20 + 12 * K; // per c: S (4K), R (5)
    }
  }
  out.flops = flops + searched + computed * 12; // a neuron computed one by one: 12
  return { ...out, computed };
}
