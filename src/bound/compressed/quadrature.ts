// The compressed tier's quadrature bound (SPEC §4), sharper than the triangle inequality over m while still one bound
// for every shift: per cluster k and distance class d, a number Q ≥ sup_x |E(x)| with
//   E(x) = Σ_i z_i F(φ_i + x) − Z·F̂(0) = W·Σ_{m≠0} F̂(m) μ_m e^{imx}      (F = F_{k,d}, src/bound/integrand.ts),
// split at the truncation order M into
//   a trigonometric polynomial T(x) = W·Σ_{0<|m|≤M} F̂(m) μ_m e^{imx}: its sup over all real x from its values on an
//     N-point grid (one FFT) and its derivatives' coefficient sums (trigSup), and
//   the tail, bounded pointwise near the integrand's kinks instead of by Σ_{|m|>M}|F̂(m)| at every node (kinkTail).
// Cost per cluster O(M·n) for the moments and O(n log M) for the kink windows, per distance class O(N log N):
// independent of p except through the number of distance classes.
import { type Explanation, modn } from '../explanation.js';
import { U64, gamma, phaseMoments } from '../integrand.js';
import { type ShapeIntegrand, coefAbsSum, tailAt } from '../shape.js';
import type { F64 } from '../../ops/cpu/types.js';

/** Twiddles e^{2πik/N}, k < N/2, for fft: one table per grid size, shared by every transform of that size. */
export function twiddles(N: number): { re: F64; im: F64 } {
  if (!Number.isInteger(Math.log2(N)) || N < 2) throw new Error(`twiddles: N ${N} must be a power of 2 ≥ 2`);
  return {
    re: Float64Array.from({ length: N / 2 }, (_, k) => Math.cos((2 * Math.PI * k) / N)),
    im: Float64Array.from({ length: N / 2 }, (_, k) => Math.sin((2 * Math.PI * k) / N)),
  };
}

/**
 * In-place radix-2 FFT with the positive exponent: y_j = Σ_r x_r e^{+2πi·rj/N}, N = re.length a power of 2, tw = twiddles(N).
 * Returns a bound on max_j |computed y_j − y_j| (Higham, Accuracy and Stability of Numerical Algorithms, Thm 24.2: the computed
 * transform is within log₂N·η/(1 − log₂N·η)·‖y‖₂ in the 2-norm, η = μ + γ₄(√2 + μ), μ = 8u a bound on the twiddles' error (a
 * rounded argument 2πk/N and a faithful cos/sin), and ‖y‖₂ = √N·‖x‖₂).
 */
export function fft(re: Float64Array, im: Float64Array, tw: { re: F64; im: F64 }): number {
  const N = re.length;
  const L = Math.log2(N);
  if (!Number.isInteger(L) || im.length !== N || tw.re.length !== N / 2) throw new Error(`fft: length ${N} (im ${im.length}, twiddles ${tw.re.length}) must be one power of 2 (twiddles half of it)`);
  let norm2 = 0;
  for (let j = 0; j < N; j++) norm2 += re[j] * re[j] + im[j] * im[j];
  for (let i = 1, j = 0; i < N; i++) {
    let bit = N >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= N; len <<= 1) {
    const half = len >> 1;
    const step = N / len;
    for (let k = 0; k < half; k++) {
      const wr = tw.re[k * step];
      const wi = tw.im[k * step];
      for (let s = 0; s < N; s += len) {
        const a = s + k;
        const b = a + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
  const mu = 8 * U64;
  const eta = L * (mu + gamma(4) * (Math.SQRT2 + mu));
  return ((eta / (1 - eta)) * Math.sqrt(N * norm2 * (1 + gamma(2 * N))) + Number.MIN_VALUE) * 1.01;
}

/**
 * An upper bound on sup_x |T(x)| for T(x) = Σ_{0<|m|≤M} c_m e^{imx} (re, im indexed m + M; the m = 0 entry is ignored).
 * With g = |T|² (a real trigonometric polynomial), at a maximiser x* g'(x*) = 0, and the grid point x_j = 2πj/N nearest x*
 * is within h = π/N, so g(x_j) ≥ g(x*) − (h²/2)·sup|g''|, and g'' = 2Re(T''·conj T) + 2|T'|² ≤ 2‖T‖L₂ + 2L₁² with
 * L_k = Σ|m|^k|c_m| ≥ ‖T^{(k)}‖. Hence y = ‖T‖ solves y² ≤ G + h²(L₂y + L₁²), G = max_j |T(x_j)|², and
 * y ≤ (h²L₂ + √(h⁴L₂² + 4(G + h²L₁²)))/2. The grid values are exact for coefficients folded modulo N (e^{imx_j} depends
 * on m mod N only; each fold sums ≤ 2M/N + 1 terms, γ of that times Σ|c_m|), then one FFT of size N (fft, with its error),
 * all on the coefficients divided by Σ|c_m|. Returns the bound and the flops spent.
 */
export function trigSup(re: ArrayLike<number>, im: ArrayLike<number>, M: number, tw: { re: F64; im: F64 }): { sup: number; flops: number } {
  const N = 2 * tw.re.length;
  const flops = 5 * N * Math.log2(N) + 3 * N + 28 * M;
  // Scaled by Σ|c_m| so that squares neither underflow nor overflow; the division errs by u relative, ≤ u·Σ|c'| = u at any x.
  let scale = 0;
  for (let m = -M; m <= M; m++) if (m !== 0) scale += Math.hypot(re[m + M], im[m + M]);
  if (scale === 0) return { sup: 0, flops };
  const xr = new Float64Array(N);
  const xi = new Float64Array(N);
  let L0 = 0;
  let L1 = 0;
  let L2 = 0;
  for (let m = -M; m <= M; m++) {
    if (m === 0) continue;
    const [cr, ci] = [re[m + M] / scale, im[m + M] / scale];
    const a = Math.hypot(cr, ci) * (1 + 4 * U64);
    L0 += a;
    L1 += Math.abs(m) * a;
    L2 += m * m * a;
    xr[modn(m, N)] += cr;
    xi[modn(m, N)] += ci;
  }
  const up = 1 + gamma(2 * M + 8);
  L0 *= up;
  L1 *= up;
  L2 *= up;
  const err = fft(xr, xi, tw) + gamma(Math.ceil((2 * M) / N) + 2) * L0 * Math.SQRT2;
  let G = 0;
  for (let j = 0; j < N; j++) G = Math.max(G, Math.hypot(xr[j], xi[j]) * (1 + 4 * U64) + err);
  G = G * G * (1 + 4 * U64);
  const h = (Math.PI / N) * (1 + 4 * U64);
  const h2 = h * h * (1 + 4 * U64);
  const sup = ((h2 * L2 + Math.sqrt((h2 * L2) ** 2 + 4 * (G + h2 * L1 * L1))) / 2) * (1 + 32 * U64) + 2 * U64 * L0;
  return { sup: sup * scale * (1 + 4 * U64), flops };
}

/**
 * An upper bound on sup_y Σ_i w_i κ(φ_i − y) for κ(θ) = Σ_{N ∈ Ns} min(1/(N − 1), 1/(N²|sin(θ/2)|)), even and decreasing in
 * |θ| ∈ [0, π]. With radii π = t_0 > t_1 > … > t_L and Win(t) the largest weight within distance t of any point (a window of
 * length 2t, scanned over the phases sorted, starting at a phase: O(n) per radius), neurons at distance in [t_{l+1}, t_l) get
 * κ ≤ κ(t_{l+1}) and those closer than t_L get κ(0), so by Abel summation over the shells
 *   Σ_i w_i κ(θ_i) ≤ κ(t_1)·W + Σ_{l=1}^{L} (κ(t_{l+1}) − κ(t_l))·Win(t_l),   κ(t_{L+1}) := κ(0),
 * every coefficient ≥ 0, so upper bounds on Win suffice. Window sums are prefix differences (2γ_{2n}·W each); the window's
 * edge test is widened by 1e-12 so rounding never leaves a neuron out. t_L is taken where κ is already κ(0).
 */
export function kinkWeight(phases: ArrayLike<number>, weights: ArrayLike<number>, Ns: number[]): { H: number; flops: number } {
  const n = phases.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => phases[i] - phases[j]);
  const ph = new Float64Array(2 * n);
  const pre = new Float64Array(2 * n + 1);
  let W = 0;
  for (let j = 0; j < 2 * n; j++) {
    const i = order[j % n];
    ph[j] = phases[i] + (j >= n ? 2 * Math.PI : 0);
    pre[j + 1] = pre[j] + weights[i];
    if (j < n) W += weights[i];
  }
  if (n === 0 || W === 0) return { H: 0, flops: 0 };
  const wErr = 4 * gamma(2 * n + 2) * W;
  const win = (t: number) => {
    if (2 * t >= 2 * Math.PI) return W * (1 + gamma(n + 2));
    let best = 0;
    for (let j = 0, e = 0; j < n; j++) {
      if (e < j) e = j;
      while (e < j + n && ph[e] - ph[j] <= 2 * t * (1 + 1e-12) + 1e-12) e++;
      best = Math.max(best, pre[e] - pre[j]);
    }
    return Math.min(best + wErr, W * (1 + gamma(n + 2)));
  };
  const kappa = (t: number) => {
    const sh = Math.abs(Math.sin(t / 2)) * (1 - 4 * U64);
    let k = 0;
    for (const N of Ns) k += Math.min(1 / (N - 1), sh > 0 ? 1 / (N * N * sh) : Infinity);
    return k * (1 + 8 * U64);
  };
  const sat = Math.min(...Ns.map((N) => (N - 1) / (N * N)));
  const radii = [Math.PI];
  while (Math.sin(radii[radii.length - 1] / 2) > sat) radii.push(radii[radii.length - 1] * 0.75);
  const k0 = kappa(0);
  let H = kappa(radii[1] ?? 0) * W;
  for (let l = 1; l < radii.length; l++) {
    const next = l + 1 < radii.length ? kappa(radii[l + 1]) : k0;
    const diff = Math.max(0, next - kappa(radii[l])) + 16 * U64 * next;
    H += diff * win(radii[l]);
  }
  return { H: H * (1 + gamma(2 * radii.length + 4)), flops: n * 20 + radii.length * (4 * n + 40) };
}

/** The compressed tier's quadrature bounds (supQuadrature), one for every shift of each cluster and distance. */
export interface SupQuadrature {
  /** Per cluster [p (d)]: the bound on |X_{k,d}| = |E + Z·(F̂(0) − used F̂(0))|, the part of the error that turns with the logit. */
  turning: F64[];
  /** Per cluster [p (d)]: the table's own rounding (Z's and the rotation's), which does not turn. */
  fixed: F64[];
  /** Per input [p²]: Σ_k (turning + fixed), a bound on the quadrature part of |M − M̂| at every logit. */
  quad: F64;
  /**
   * [p (d), p (j)]: a bound on the quadrature part of the margin between the answer and the logit j past it. At logit c the
   * cluster's error is Re[e^{iθ_k(c)}X_k] with θ_k = ω_k(c − a − b) (the table M̂ turns Z by the same angle), so between c* = a + b
   * (θ = 0) and c it is Re[(1 − e^{iω_k j})X_k], at most 2|sin(πkj/p)|·|X_k|; the fixed parts count twice.
   */
  pair: F64;
  flops: number;
  /** The part of flops spent on the per-input tables quad and pair (O(p²·K)), which the uniform bound does not read. */
  tableFlops: number;
}

/** |1 − e^{iω_k j}| = 2|sin(πkj/p)| rounded up, per cluster [K][p (j)]: how much of a turning error survives in a margin (SupQuadrature.pair). */
export function turnTable(ex: Explanation): F64[] {
  const { p } = ex;
  return ex.clusters.map((c) => Float64Array.from({ length: p }, (_, j) => 2 * Math.abs(Math.sin((Math.PI * modn(c.k * j, p)) / p)) * (1 + 4 * U64)));
}

/** Points of the grid on which supQuadrature evaluates T (a power of 2). */
export const GRID_POINTS = 256;

/**
 * The truncations the compressed tier tries: M and every power of two from 8 below it. Each bound is a function of its own
 * truncation alone (clusterBound), and the tier keeps the smallest per cluster and distance, so a larger M is never worse than
 * any power of two below it: the bound at one M can grow with M (the FFT grid and the coefficients' errors, summed over 2M
 * terms, outgrow the shrinking tail; model A: 8.5 at 128, 13.6 at 2000, 75 at 20000), more work never reports a worse one.
 */
export function truncations(M: number): number[] {
  const out = [M];
  for (let t = 8; t < M; t *= 2) out.push(t);
  return out;
}

/** One cluster's bound at truncation M (the doc of supQuadrature), from integrands built at any order ≥ M. */
function clusterBound(c: Explanation['clusters'][number], ints: ShapeIntegrand[], M: number, tw: { re: F64; im: F64 }): { turning: F64; fixed: F64; flops: number } {
  const p = ints.length;
  const n = c.phases.length;
  const mo = phaseMoments(c.phases, c.weights, c.deltas, M);
  const kw = kinkWeight(c.phases, c.weights, [M - 1, M + 3]);
  let flops = n * (M * 18 + 40) + kw.flops; // per (m, i): the power (6) and z·P, z·conj P accumulated (12)
  const turning = new Float64Array(p);
  const fixed = new Float64Array(p);
  const done = new Map<ShapeIntegrand, [number, number]>();
  const re = new Float64Array(2 * M + 1);
  const im = new Float64Array(2 * M + 1);
  for (let d = 0; d < p; d++) {
    const si = ints[d];
    let q = done.get(si);
    if (!q) {
      if (si.coef.length < M + 3) throw new Error(`supQuadrature: integrand has coefficients to ${si.coef.length - 1}, needs M + 2 = ${M + 2}`);
      let eC = 0;
      for (let m = -M; m <= M; m++) {
        if (m === 0) continue;
        const f = si.coef[Math.abs(m - 2)];
        re[m + M] = mo.W * f * mo.re[m + M];
        im[m + M] = mo.W * f * mo.im[m + M];
        const mu = Math.hypot(mo.re[m + M], mo.im[m + M]);
        eC += Math.abs(f) * (mo.err + 4 * U64 * mu) + si.coefErr * (mu + mo.err); // 4u·|f||μ|: the products' rounding
      }
      const T = trigSup(re, im, M, tw);
      const cube = (N: number) => 1 / (2 * (N - 1) ** 2);
      const local = (si.kinks / (2 * Math.PI)) * kw.H + mo.W * (si.smooth / (2 * Math.PI)) * (cube(M - 1) + cube(M + 3));
      const tail = Math.min(local, mo.W * tailAt(si, M)) * (1 + 16 * U64);
      const sumA = coefAbsSum(si.a0, si.a1, si.a2);
      q = [(T.sup + eC * mo.W * (1 + gamma(2 * M + 8)) + tail + mo.W * si.coefErr) * (1 + 8 * U64), mo.W * sumA * (64 * U64 + gamma(n + 4)) * (1 + 8 * U64)]; // 32u of it: the ideal W_L row's two float forms (residuals.ts)
      done.set(si, q);
      flops += T.flops + 18 * (2 * M + 1) + 30;
    }
    turning[d] = q[0];
    fixed[d] = q[1];
  }
  return { turning, fixed, flops };
}

/**
 * The compressed quadrature bound per cluster and distance: Q[k][d] ≥ sup_x |E_{k,d}(x)| + the table's rounding, for the
 * integrands ints (built at order M: coefficients to M + 2, tail, kinks and smooth parts beyond M).
 * E = T + tail. T's coefficients c_m = W·F̂(m)·μ_m are known within W·(|F̂|·err + coefErr·(|μ| + err)) each (moments within
 * err, coefficients within coefErr), so sup|T| ≤ trigSup(computed) + Σ of those. The tail is (1/W)Σ_i z_i R(φ_i + x) with
 * R(u) = e^{2iu}Σ_{j∈𝒯} P̂(j)e^{iju}, 𝒯 = {j ≥ M − 1} ∪ {j ≤ −(M + 3)} (F̂(m) = P̂(m − 2)). With P̂(j) = −[Σ_r J_r e^{−iju_r} +
 * I_j]/(2πj²) (ShapeIntegrand.kinks, .smooth), each kink's part is Σ_{j≥N} e^{±ij(u−u_r)}/j², at most
 * min(1/(N − 1), 1/(N²|sin((u − u_r)/2)|)) by Abel summation (the partial sums of e^{ijθ} are ≤ 1/|sin(θ/2)|, 1/j² decreases),
 * so Σ_i w_i|R(φ_i + x)| ≤ kinks/(2π)·H + W·smooth/(2π)·Σ_{j∈𝒯}1/|j|³ for every x, H = kinkWeight(N = M − 1, M + 3), and
 * Σ_{j≥N} 1/j³ ≤ 1/(2(N − 1)²). The tail is the smaller of that and W·tail (|μ_m| ≤ 1). The table M̂ uses the computed F̂(0):
 * W·coefErr more turns with the logit (turning); Z's rounding and the table's rotation, W·Σ|a|·(32u + γ_{n+4}), do not (fixed).
 * Cost: the moments O(M·n) per cluster, one FFT of N points per distinct integrand (N = GRID_POINTS: model A's bound is 3.1 at
 * M = 128 against 2.8 with N = 512 and 4.2 with N = 128).
 */
export function supQuadrature(ex: Explanation, ints: ShapeIntegrand[][], M: number, N = GRID_POINTS): SupQuadrature {
  const { p } = ex;
  let flops = 0;
  const fixed = ex.clusters.map(() => new Float64Array(p));
  const tw = twiddles(N);
  flops += 20 * N;
  const ladder = truncations(M);
  const turning = ex.clusters.map((c, k) => {
    const byD = new Float64Array(p).fill(Infinity);
    for (const Mt of ladder) {
      const b = clusterBound(c, ints[k], Mt, tw);
      flops += b.flops;
      for (let d = 0; d < p; d++) {
        byD[d] = Math.min(byD[d], b.turning[d]);
        fixed[k][d] = b.fixed[d];
      }
    }
    return byD;
  });
  const K = ex.clusters.length;
  const quad = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = modn(a - b, p);
      let q = 0;
      for (let k = 0; k < K; k++) q += turning[k][d] + fixed[k][d];
      quad[a * p + b] = q * (1 + gamma(2 * K + 4));
    }
  }
  const pair = new Float64Array(p * p);
  turnTable(ex).forEach((turn, k) => {
    for (let j = 0; j < p; j++) for (let d = 0; d < p; d++) pair[d * p + j] += turn[j] * turning[k][d] + 2 * fixed[k][d];
  });
  for (let j = 0; j < p * p; j++) pair[j] *= 1 + gamma(2 * K + 4);
  const tableFlops = 2 * p * p * K + K * p * p * 5;
  return { turning, fixed, quad, pair, flops: flops + tableFlops, tableFlops };
}
