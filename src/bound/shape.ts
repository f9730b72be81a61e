// The integrand of one cluster at one distance d = a − b once the neuron's secondary 2k component and
// constant offset are modelled (SPEC §3, §4). A neuron of the explanation has pre-activation
//   ĥ_i(a, b) = r_i·[cos(ωa + φ_i) + cos(ωb + φ_i) − ρ(cos 2(ωa + φ_i) + cos 2(ωb + φ_i)) + κ]
//             = r_i·T(u),   T(u) = κ + 2|C| cos u − 2ρ·C₂ cos 2u,
// with C = cos(ωd/2), C₂ = cos(ωd), u = φ_i + ω(a + b)/2 (+ π when C < 0), because cos x + cos y =
// 2 cos((x − y)/2) cos((x + y)/2) and cos 2(u + π) = cos 2u. The secondary's phase is fixed at 2φ + π (ρ > 0
// means U ⊃ −ρr cos 2(ωa + φ)), which is what trained pizza models show. The cluster's output is then
// Re[e^{iθ}·Σ_i z_i·P(u_i)·e^{2iu_i}] with P = ReLU(T), so the integrand is F(u) = P(u)·e^{2iu} and its
// coefficients are F̂(m) = P̂(m − 2); ρ = κ = 0 gives back P = 2|C|·ReLU(cos u).
import { U64, integrandTail } from './integrand.js';

export interface ShapeParams {
  /** Secondary amplitude ratio ρ and offset κ (in units of r_i), shared by the cluster. */
  rho: number;
  kappa: number;
}

export interface ShapeIntegrand {
  /** T(u) = a0 + a1 cos u + a2 cos 2u. */
  a0: number;
  a1: number;
  a2: number;
  /** P̂(j) = (1/2π)∫ ReLU(T(u)) e^{−iju} du (real, even in j) for j = 0..J: float64 values. */
  coef: Float64Array;
  /** A bound on |coef[j] − P̂(j)| for every j ≤ J. */
  coefErr: number;
  /** Σ_{|m| > M} |F̂(m)| = Σ_{|m| > M} |P̂(m − 2)|, bounded, for the M the coefficients were built for (J = M + 2). */
  tail: number;
  /** An upper bound on max_u ReLU(T(u)). */
  max: number;
  /**
   * The tail's two parts (see shapeIntegrand): kinks ≥ Σ_r |T'(u_r)| over the roots u_r of one period (the jumps of P'), and
   * smooth ≥ Σ_r |T''(u_r)| + ∫_S |T'''|, so that P̂(j) = −[Σ_r J_r e^{−iju_r} + I_j]/(2πj²) with |I_j| ≤ smooth/|j| (j ≠ 0).
   */
  kinks: number;
  smooth: number;
}

/** a0, a1, a2 of T for one cluster's shape at cos(ωd/2) = C and cos(ωd) = C2. */
export function shapeCoefficients(sh: ShapeParams, C: number, C2: number): [number, number, number] {
  return [sh.kappa, 2 * Math.abs(C), -2 * sh.rho * C2];
}

/** T(u) in float64; within evalError(a) of the real value for |u| ≤ 4π. */
export const evalT = (a0: number, a1: number, a2: number, u: number) => a0 + a1 * Math.cos(u) + a2 * Math.cos(2 * u);
/** Σ|a| = |a0| + |a1| + |a2|: the scale of T, and of every rounding allowance on it. */
export const coefAbsSum = (a0: number, a1: number, a2: number) => Math.abs(a0) + Math.abs(a1) + Math.abs(a2);

const evalError = (a0: number, a1: number, a2: number) => 32 * U64 * coefAbsSum(a0, a1, a2);

/** Real roots of q(t) = 2a2 t² + a1 t + (a0 − a2) in (−1, 1): T(u) = q(cos u). */
export function rootsInT(a0: number, a1: number, a2: number): number[] {
  const A = 2 * a2;
  const B = a1;
  const Cq = a0 - a2;
  let r: number[];
  if (A === 0) r = B === 0 ? [] : [-Cq / B];
  else {
    const disc = B * B - 4 * A * Cq;
    if (disc < 0) r = [];
    else {
      // The stable pair: q1 = −(B + sign(B)√disc)/2, roots q1/A and Cq/q1.
      const q1 = -(B + (B >= 0 ? 1 : -1) * Math.sqrt(disc)) / 2;
      r = q1 === 0 ? [0] : [q1 / A, Cq / q1];
    }
  }
  return r.filter((t) => t > -1 && t < 1);
}

/** ∫_α^β cos(νu) du. */
const cosIntegral = (nu: number, alpha: number, beta: number) =>
  nu === 0 ? beta - alpha : (Math.sin(nu * beta) - Math.sin(nu * alpha)) / nu;

/**
 * Coefficients P̂(0..J) of P = ReLU(T), with a proven error bound, its coefficient tail beyond M = J − 2 and max.
 *
 * Coefficients: P is even, so P̂(j) = (1/π)∫_0^π P(u) cos(ju) du. On [0, π], u ↦ cos u is monotone, so the
 * positive set S of T is cut by the roots acos(t) of the quadratic q; S̃ is that set as computed, and
 * ∫_{S̃} T(u) cos(ju) du is closed form (product-to-sum). Error: |P̂(j) − (1/π)∫_{S̃} T cos(ju)| ≤
 * (1/π)∫_0^π |P − T·1_{S̃}|, and the integrand vanishes wherever sign(T) agrees with membership of S̃.
 * A cell of half-width h around γ that contains no boundary of S̃ and has |T(γ)| > L1·h + ev (L1 = |a1| + 2|a2|
 * ≥ |T'|, ev the evaluation error) agrees throughout; cells that fail are split 8 ways down to a depth, and any
 * left over contribute at most 2h·(|T(γ)| + L1 h + ev)/π. Closed-form rounding adds ≤ 256u·Σ|a| (a dozen sin
 * differences, each within a few u of 1, divided by ν ≥ 1 or times (β − α) ≤ π).
 *
 * Tail: P is continuous and periodic and P', P'' are piecewise smooth, jumping only at the roots u_r of T
 * (P' by J_r = |T'(u_r)|, P'' by K_r = |T''(u_r)|). Integrating by parts three times,
 *   |P̂(j)| ≤ [Σ_r J_r + (Σ_r K_r + ∫_S |T'''|)/|j|] / (2πj²).
 * Every root lies in a leftover cell (the others are proven sign-definite), so J_r ≤ max over leftover cells
 * of |T'(γ)| + L2·h and K_r ≤ |T''(γ)| + L3·h (L2 = |a1| + 4|a2| ≥ |T''|, L3 = |a1| + 8|a2| ≥ |T'''|). Roots per
 * period: T = q(cos u) with q quadratic, so ≤ 4, and ≤ 2 when q is monotone on [−1, 1] (a2 = 0 or its vertex
 * outside). |S_period| ≤ 2(|S̃| + leftover length). With F̂(m) = P̂(m − 2) the tail runs over j ≥ M − 1 and
 * j ≤ −(M + 3), and Σ_{j≥N} 1/j² ≤ 1/(N − 1), Σ_{j≥N} 1/j³ ≤ 1/(2(N − 1)²). For ρ = κ = 0 the exact tail
 * 2|C|·integrandTail(M) is used when smaller.
 */
export function shapeIntegrand(a0: number, a1: number, a2: number, M: number): ShapeIntegrand {
  if (!Number.isInteger(M) || M < 4) throw new Error(`shapeIntegrand: M ${M} must be an integer ≥ 4`);
  const J = M + 2;
  const bounds = [0, ...rootsInT(a0, a1, a2).map((t) => Math.acos(t)).sort((x, y) => x - y), Math.PI];
  const intervals: [number, number][] = [];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const [lo, hi] = [bounds[j], bounds[j + 1]];
    if (hi > lo && evalT(a0, a1, a2, (lo + hi) / 2) > 0) intervals.push([lo, hi]);
  }
  const a = [a0, a1, a2];
  const coef = new Float64Array(J + 1);
  for (let j = 0; j <= J; j++) {
    let s = 0;
    for (const [lo, hi] of intervals) {
      for (let l = 0; l < 3; l++) if (a[l] !== 0) s += (a[l] * (cosIntegral(l - j, lo, hi) + cosIntegral(l + j, lo, hi))) / 2;
    }
    coef[j] = s / Math.PI;
  }

  const sumA = coefAbsSum(a0, a1, a2);
  const ev = evalError(a0, a1, a2);
  const L1 = Math.abs(a1) + 2 * Math.abs(a2);
  const L2 = Math.abs(a1) + 4 * Math.abs(a2);
  const L3 = Math.abs(a1) + 8 * Math.abs(a2);
  const inside = (u: number) => intervals.some(([lo, hi]) => u >= lo && u <= hi);
  let leftover = 0; // ∫ bound of |P − T·1_S̃|
  let leftoverLen = 0;
  let jump = 0;
  let jump2 = 0;
  const visit = (lo: number, hi: number, depth: number) => {
    const g = (lo + hi) / 2;
    const h = (hi - lo) / 2;
    const T = evalT(a0, a1, a2, g);
    const cut = bounds.some((b) => b > lo && b < hi);
    if (!cut && Math.abs(T) > L1 * h + ev && (T > 0) === inside(g)) return;
    // Refine only while it can matter: a cell whose whole possible contribution is below 1e-13·Σ|a|·h is kept
    // as leftover at once (T ≡ 0, or nearly, would otherwise split into 8^6 cells).
    if (depth < 6 && Math.abs(T) + L1 * h + ev > 1e-13 * sumA) {
      for (let c = 0; c < 8; c++) visit(lo + ((hi - lo) * c) / 8, lo + ((hi - lo) * (c + 1)) / 8, depth + 1);
      return;
    }
    leftover += 2 * h * (Math.abs(T) + L1 * h + ev);
    leftoverLen += 2 * h;
    jump = Math.max(jump, Math.abs(a1 * Math.sin(g) + 2 * a2 * Math.sin(2 * g)) + L2 * h + ev);
    jump2 = Math.max(jump2, Math.abs(a1 * Math.cos(g) + 4 * a2 * Math.cos(2 * g)) + L3 * h + ev);
  };
  const N0 = 64;
  for (let c = 0; c < N0; c++) visit((Math.PI * c) / N0, (Math.PI * (c + 1)) / N0, 0);
  const coefErr = (leftover / Math.PI) * (1 + 1e-10) + 256 * U64 * sumA;

  const measure = intervals.reduce((t, [lo, hi]) => t + hi - lo, 0);
  const monotone = a2 === 0 || Math.abs(a1) >= 4 * Math.abs(a2) * (1 + 1e-9);
  const roots = monotone ? 2 : 4;
  const A = roots * jump;
  const B = roots * jump2 + 2 * (measure + leftoverLen) * L3;

  // max of q(t) = 2a2 t² + a1 t + (a0 − a2) over t ∈ [−1, 1]: the ends and the vertex.
  const q = (t: number) => 2 * a2 * t * t + a1 * t + (a0 - a2);
  const cand = [q(-1), q(1)];
  if (a2 !== 0) {
    const tv = -a1 / (4 * a2);
    if (tv > -1 && tv < 1) cand.push(q(tv));
  }
  const max = Math.max(0, ...cand) + ev;
  const kinks = A * (1 + 1e-10);
  const smooth = B * (1 + 1e-10);
  return { a0, a1, a2, coef, coefErr, tail: tailAt({ a0, a1, a2, kinks, smooth }, M), max, kinks, smooth };
}

/**
 * The coefficient tail Σ_{j ≥ M − 1 or j ≤ −(M + 3)} |P̂(j)| at any truncation M ≥ 4, from the integrand's kinks and smooth parts
 * alone (so an integrand built at a larger order gives the same tail as one built at M): with Σ_{j≥N} 1/j² ≤ 1/(N − 1) and
 * Σ_{j≥N} 1/j³ ≤ 1/(2(N − 1)²). For ρ = κ = 0 the exact tail 2|C|·integrandTail(M) is used when smaller.
 */
export function tailAt(si: Pick<ShapeIntegrand, 'a0' | 'a1' | 'a2' | 'kinks' | 'smooth'>, M: number): number {
  const tail = (si.kinks / (2 * Math.PI)) * (1 / (M - 2) + 1 / (M + 2)) + (si.smooth / (2 * Math.PI)) * (1 / (2 * (M - 2) ** 2) + 1 / (2 * (M + 2) ** 2));
  const up = tail * (1 + 1e-9);
  return si.a0 === 0 && si.a2 === 0 ? Math.min(up, si.a1 * integrandTail(M) * (1 + 4 * U64)) : up;
}

