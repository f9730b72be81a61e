// The explanation M̂ that the bounds certify (SPEC §3, §4), built from the interpretation (src/interp):
// each live neuron i of cluster k is idealised as
//   Û_i(a) = r_i[cos(ω_k a + φ_i) − ρ_k cos 2(ω_k a + φ_i)],  V̂_i likewise,  ĉ_i = r_i κ_k,
//   Ŵ_i(c) = s_i cos(ω_k c + ψ_i),
// with the cluster's shared secondary ratio ρ_k and offset κ_k (0 for the plain idealisation), and
//   M̂(a, b, c) = Σ_k Re[e^{iθ_k}·Z_k]·P̂_{k,d}(2),   θ_k = ω_k(c − a − b),  Z_k = Σ_{i∈k} w_i e^{i(ψ_i − 2φ_i)},
// where P̂_{k,d}(2) is the coefficient of the cluster's integrand at distance d = a − b (src/bound/shape.ts).
// For ρ = κ = 0 and ψ = 2φ this is M∞ of SPEC §3: P̂(2) = 2|C|/(3π). The complex Z_k keeps each neuron's own
// departure δ_i = ψ_i − 2φ_i from phase doubling exactly, so it costs nothing in the bound.
import { type NeuronFourier, clusters, neuronFourier, wrapAngle } from '../interp/fourier.js';
import type { MlpStructure } from '../interp/structure.js';
import type { F64 } from '../ops/cpu/types.js';
import { type ShapeIntegrand, type ShapeParams, shapeCoefficients, shapeIntegrand } from './shape.js';

export interface ClusterExplanation {
  k: number;
  /** Member neurons (indices < d_mlp). */
  neurons: number[];
  shape: ShapeParams;
  /** Per member: φ_i, w_i = r_i s_i ≥ 0, δ_i = ψ_i − 2φ_i. */
  phases: F64;
  weights: F64;
  deltas: F64;
  /** W = Σ w_i and Z = Σ w_i e^{iδ_i}. */
  W: number;
  Zre: number;
  Zim: number;
}

export interface Explanation {
  p: number;
  d_mlp: number;
  clusters: ClusterExplanation[];
  /** The Fourier fit of every neuron (r, φ, s, ψ of members are used). */
  fourier: NeuronFourier[];
  /** Cluster index of each neuron, −1 for neurons the explanation leaves out (dead or unassigned). */
  member: Int32Array;
}

/** Weighted median: the value minimising Σ w_i |x_i − x|, the L1 fit the residual bound pays for. */
function weightedMedian(xs: number[], ws: number[]): number {
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const half = ws.reduce((t, w) => t + w, 0) / 2;
  let acc = 0;
  for (const i of order) {
    acc += ws[i];
    if (acc >= half) return xs[i];
  }
  return 0;
}

/**
 * Build M̂ from the weights' structure. With `shape`, each cluster's ρ and κ are the w-weighted medians of its
 * neurons' own ratios: ρ_i from the 2k component's projection on −cos 2(ωa + φ_i), κ_i = (mean U + mean V + c_i)/r_i.
 */
export function explain(s: MlpStructure, opts: { shape: boolean }): Explanation {
  const nf = neuronFourier(s);
  const member = new Int32Array(s.d_mlp).fill(-1);
  const cl = clusters(nf).map((c, t) => {
    const members = c.neurons.filter((i) => nf[i].r > 0 && nf[i].s > 0);
    for (const i of members) member[i] = t;
    const w = members.map((i) => nf[i].w);
    let shape: ShapeParams = { rho: 0, kappa: 0 };
    if (opts.shape && members.length > 0) {
      const rho = members.map((i) => {
        const n = nf[i];
        return -(n.r2u * Math.cos(n.phi2u - 2 * n.phi) + n.r2v * Math.cos(n.phi2v - 2 * n.phi)) / (2 * n.r);
      });
      const kappa = members.map((i) => (nf[i].uMean + nf[i].vMean + s.c[i]) / nf[i].r);
      shape = { rho: weightedMedian(rho, w), kappa: weightedMedian(kappa, w) };
    }
    const deltas = Float64Array.from(members, (i) => wrapAngle(nf[i].psi - 2 * nf[i].phi));
    let Zre = 0;
    let Zim = 0;
    members.forEach((_, j) => { Zre += w[j] * Math.cos(deltas[j]); Zim += w[j] * Math.sin(deltas[j]); });
    return {
      k: c.k, neurons: members, shape, deltas, Zre, Zim,
      phases: Float64Array.from(members, (i) => nf[i].phi),
      weights: Float64Array.from(w),
      W: w.reduce((t, x) => t + x, 0),
    };
  });
  return { p: s.p, d_mlp: s.d_mlp, clusters: cl, fourier: nf, member };
}

/** (k·x) mod n in [0, n) for any integer x. */
export const modn = (kx: number, n: number) => ((kx % n) + n) % n;

/**
 * cos(πj/p) for an integer j, to a few u relative (u = 2^-53), exactly 0 at right angles. Math.cos(Math.PI·j/p)
 * errs by up to ~8u absolute (the rounded argument), which near a right angle is thousands of u relative, while
 * the bounds' allowances scale with |T|'s coefficients. Reduced exactly in integers to j' ∈ [0, p] (cos is even
 * about π), cos(πj'/p) = sin(π(p − 2j')/(2p)) with the argument y in [−π/2, π/2]: y is within 2.4u relative, and
 * |y·cot y| ≤ 1 there, so sin y is within 2.4u + 1 ulp ≤ 4u relative.
 */
function cosPiRational(j: number, p: number): number {
  const r = modn(j, 2 * p);
  const jr = r > p ? 2 * p - r : r;
  return p === 2 * jr ? 0 : Math.sin((Math.PI * (p - 2 * jr)) / (2 * p));
}

/**
 * C = cos(ωd/2) and C₂ = cos(ωd) for ω = 2πk/p, from the reduced integer angle, each within 4u relative and
 * exactly 0 when the angle is a right angle (possible for even p), with the sign of C decided exactly.
 */
export function distanceCos(p: number, k: number, d: number): { C: number; C2: number; negative: boolean } {
  const j = modn(k * d, 2 * p); // ωd/2 = πj/p
  return { C: cosPiRational(j, p), C2: cosPiRational(2 * j, p), negative: 2 * j > p && 2 * j < 3 * p };
}

/** The shift index m (x' = πm/p) of input (a, b) for frequency k: ω(a + b)/2, plus π when cos(ωd/2) < 0. */
export function shiftIndex(p: number, k: number, a: number, b: number): number {
  return modn(k * (a + b) + (distanceCos(p, k, a - b).negative ? p : 0), 2 * p);
}

/** Every cluster's integrand at every distance class j = (k·d mod p) ... indexed by d mod p: [clusters][p]. */
export function clusterIntegrands(ex: Explanation, M: number): ShapeIntegrand[][] {
  return ex.clusters.map((c) => {
    const byD: ShapeIntegrand[] = [];
    const cache = new Map<string, ShapeIntegrand>();
    for (let d = 0; d < ex.p; d++) {
      const { C, C2 } = distanceCos(ex.p, c.k, d);
      const [a0, a1, a2] = shapeCoefficients(c.shape, C, C2);
      const key = `${a0},${a1},${a2}`;
      let si = cache.get(key);
      if (!si) cache.set(key, (si = shapeIntegrand(a0, a1, a2, M)));
      byD.push(si);
    }
    return byD;
  });
}

/**
 * M̂(a, b, c) for c < p as a function of the distance d = a − b (mod p) and j = c − (a + b) (mod p):
 * table [p (d), p (j)] = Σ_k P̂_{k,d}(2)·Re[Z_k e^{iω_k j}]. All p³ values of M̂ are entries of this table.
 */
export function explanationTable(ex: Explanation, ints: ShapeIntegrand[][]): F64 {
  const { p } = ex;
  const t = new Float64Array(p * p);
  ex.clusters.forEach((c, ci) => {
    for (let j = 0; j < p; j++) {
      const ang = (2 * Math.PI * modn(c.k * j, p)) / p;
      const re = c.Zre * Math.cos(ang) - c.Zim * Math.sin(ang);
      for (let d = 0; d < p; d++) t[d * p + j] += ints[ci][d].coef[2] * re;
    }
  });
  return t;
}
