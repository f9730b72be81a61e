// The integrands of SPEC §3 in Fourier form, the proven tail of their series, and the compressed
// quadrature bound of SPEC §4 from weighted phase moments; float64 with explicit rounding allowances.
//
// One complex integrand carries both real ones: F(u) = ReLU(cos u)·e^{2iu} = f_c(u) + i·f_s(u). With complex
// neuron weights z_i = w_i·e^{iδ_i} (δ_i = ψ_i − 2φ_i, the neuron's departure from exact phase doubling),
// Σ_i w_i ReLU(cos u_i) cos(2u_i + θ + δ_i) = Re[e^{iθ}·Σ_i z_i F(u_i)], so one bound on
// |Σ_i z_i F(φ_i + x) − Z·F̂(0)| (Z = Σ z_i) covers every output c at once.

/** Unit roundoff of float64. */
export const U64 = 2 ** -53;

/** γ_n = n·u/(1 − n·u) (Higham): a float64 sum of n terms errs by at most γ_{n−1}·Σ|terms|. */
export function gamma(n: number, u = U64): number {
  if (!(n * u < 0.5)) throw new Error(`gamma: n ${n} too large for unit roundoff ${u}`);
  return (n * u) / (1 - n * u);
}

/**
 * ĝ(n) = (1/2π)∫_{−π}^{π} ReLU(cos u)·e^{−inu} du: 1/4 at n = ±1, 0 at other odd n, cos(nπ/2)/(π(1 − n²)) at
 * even n. Proof: the integrand is even, so ĝ(n) = (1/2π)∫_{−π/2}^{π/2} cos u cos nu du
 * = (1/4π)∫ [cos(n−1)u + cos(n+1)u] du = (1/2π)[sin((n−1)π/2)/(n−1) + sin((n+1)π/2)/(n+1)];
 * sin((n∓1)π/2) = ∓cos(nπ/2), which vanishes for odd n, giving 2cos(nπ/2)/(1 − n²)/(2π) for even n.
 */
export function reluCosCoef(n: number): number {
  if (!Number.isInteger(n)) throw new Error(`reluCosCoef: n ${n} is not an integer`);
  if (n === 1 || n === -1) return 0.25;
  if (n % 2 !== 0) return 0;
  return (n % 4 === 0 ? 1 : -1) / (Math.PI * (1 - n * n));
}

/** F̂(m) = ĝ(m − 2), real: the Fourier coefficient of F(u) = ReLU(cos u)·e^{2iu} (F̂(0) = 1/(3π)). */
export const integrandCoef = (m: number) => reluCosCoef(m - 2);

/** f̂_c(m) = (ĝ(m − 2) + ĝ(m + 2))/2 (real), since cos 2u = (e^{2iu} + e^{−2iu})/2. */
export const fcCoef = (m: number) => (reluCosCoef(m - 2) + reluCosCoef(m + 2)) / 2;

/** f̂_s(m) = (ĝ(m − 2) − ĝ(m + 2))/(2i): returned as its imaginary part (the real part is 0). */
export const fsCoefIm = (m: number) => -(reluCosCoef(m - 2) - reluCosCoef(m + 2)) / 2;

/**
 * Σ_{n even, n ≥ N} 1/(π(n² − 1)) = 1/(2π(N' − 1)), N' the least even number ≥ max(N, 2): exact, since
 * 1/(n² − 1) = (1/(n − 1) − 1/(n + 1))/2 telescopes over n = N', N' + 2, … to 1/(2(N' − 1)).
 */
function evenTail(N: number): number {
  const e = Math.max(2, N % 2 === 0 ? N : N + 1);
  return 1 / (2 * Math.PI * (e - 1));
}

/**
 * Σ_{|m| > M} |F̂(m)| in closed form (M ≥ 4, so the two coefficients 1/4 at m = 1, 3 are inside): the
 * terms are |ĝ(n)| at n = m − 2 even, i.e. n ≥ M − 1 from m > M and |n| ≥ M + 3 from m < −M; each is
 * evenTail. Decays like 1/M (coefficients like 1/m²: the kinks of ReLU(cos u) at ±π/2). Returned rounded
 * up by a relative 4u (a few float64 operations, each within u).
 */
export function integrandTail(M: number): number {
  if (!Number.isInteger(M) || M < 4) throw new Error(`integrandTail: M ${M} must be an integer ≥ 4`);
  return (evenTail(M - 1) + evenTail(M + 3)) * (1 + 8 * U64);
}

export interface Moments {
  /** Truncation order M. */
  M: number;
  /** μ_m = Σ_i z_i e^{imφ_i} / W for m = −M..M (index m + M), W = Σ_i |z_i|. */
  re: Float64Array;
  im: Float64Array;
  /** W = Σ_i |z_i| = Σ_i w_i. */
  W: number;
  /** A bound on |computed μ_m − true μ_m| for every m (rounding of the angle, the trig and the sum). */
  err: number;
}

/**
 * Weighted phase moments of one cluster, O(M·n): neuron i has phase φ_i, weight w_i ≥ 0 and phase offset δ_i.
 * e^{imφ_i} by repeated multiplication with e^{iφ_i} (6 flops a step, both signs of m from one power).
 * Rounding: cos, sin of V8 are within 1 ulp, so |ê − e^{iφ}| ≤ 2u; a complex product errs by ≤ √2γ₂ ≤ 3u
 * relative; by induction |P̂_m − e^{imφ}| ≤ e_m with e_m ≤ e_{m−1}(1 + 2u) + 5.1u, so e_m ≤ 6mu (m ≤ 10^12).
 * Times z_i (≤ 3u more, and 2u for z_i's own trig) and summed over n terms (γ_n), divided by W (u):
 * |computed μ_m − μ_m| ≤ (6(M + 2)u + γ_{n+4})·1.01.
 */
export function phaseMoments(phases: ArrayLike<number>, weights: ArrayLike<number>, deltas: ArrayLike<number>, M: number): Moments {
  const n = phases.length;
  if (weights.length !== n || deltas.length !== n) throw new Error(`phaseMoments: ${n} phases but ${weights.length} weights and ${deltas.length} offsets`);
  if (!Number.isInteger(M) || M < 0) throw new Error(`phaseMoments: M ${M} must be a non-negative integer`);
  let W = 0;
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0)) throw new Error(`phaseMoments: weight ${i} is ${weights[i]}, must be ≥ 0`);
    W += weights[i];
  }
  const re = new Float64Array(2 * M + 1);
  const im = new Float64Array(2 * M + 1);
  if (W === 0) return { M, re, im, W, err: 0 };
  for (let i = 0; i < n; i++) {
    const zr = weights[i] * Math.cos(deltas[i]);
    const zi = weights[i] * Math.sin(deltas[i]);
    const er = Math.cos(phases[i]);
    const ei = Math.sin(phases[i]);
    let pr = 1;
    let pi = 0;
    re[M] += zr;
    im[M] += zi;
    for (let m = 1; m <= M; m++) {
      const t = pr * er - pi * ei;
      pi = pr * ei + pi * er;
      pr = t;
      re[M + m] += zr * pr - zi * pi; // z·P
      im[M + m] += zr * pi + zi * pr;
      re[M - m] += zr * pr + zi * pi; // z·conj(P)
      im[M - m] += zi * pr - zr * pi;
    }
  }
  for (let j = 0; j <= 2 * M; j++) {
    re[j] /= W;
    im[j] /= W;
  }
  return { M, re, im, W, err: (6 * (M + 2) * U64 + gamma(n + 4)) * 1.01 };
}

/** An integrand F given by its coefficients: |F̂(m)| ≤ coefAbs(m) + coefErr for 0 < |m| ≤ M, Σ_{|m|>M} |F̂(m)| ≤ tail, |F̂(0) − used F̂(0)| ≤ coefErr. */
export interface CoefficientBounds {
  coefAbs: (m: number) => number;
  coefErr: number;
  tail: number;
}

/** The pure integrand F(u) = ReLU(cos u)·e^{2iu}: exact coefficients, exact tail. */
export const pureIntegrand = (M: number): CoefficientBounds => ({ coefAbs: (m) => Math.abs(integrandCoef(m)), coefErr: 0, tail: integrandTail(M) });

/**
 * The compressed quadrature bound (SPEC §4): for every shift x,
 *   |Σ_i z_i F(φ_i + x) − Z·F̂(0)| ≤ W·[Σ_{0<|m|≤M} |F̂(m)|·|μ_m| + Σ_{|m|>M} |F̂(m)|].
 * Proof: F is continuous with absolutely summable coefficients, so F(φ + x) = Σ_m F̂(m) e^{im(φ + x)} pointwise;
 * summing with weights z_i gives Σ_m F̂(m) e^{imx}·W·μ_m, the m = 0 term is Z·F̂(0), and |μ_m| ≤ 1 in the tail.
 * Each |μ_m| is taken as |computed| + err (true within err), each |F̂(m)| as its bound; when F̂(0) itself is
 * only known within coefErr, |Z|·coefErr ≤ W·coefErr is added. The sum of ≤ 2M + 2 non-negative terms is
 * rounded up by γ_{2M+16} (products add u each, hypot ≤ 2 ulp in V8, coefficients a few operations each).
 */
export function compressedQuadratureBound(mo: Moments, F: CoefficientBounds = pureIntegrand(mo.M)): number {
  const { M, re, im, W, err } = mo;
  if (W === 0) return 0;
  let s = F.coefErr;
  for (let m = -M; m <= M; m++) {
    if (m === 0) continue;
    const c = F.coefAbs(m) + F.coefErr;
    if (c === 0) continue;
    s += c * (Math.hypot(re[m + M], im[m + M]) * (1 + 4 * U64) + err);
  }
  s += F.tail;
  return s * W * (1 + gamma(2 * M + 16));
}
