// Per-neuron Fourier analysis (SPEC §3): each neuron's frequency k, the amplitude and phase of U_i, V_i and
// of its logit row W_L[i, ·], clusters by frequency, and the phase-doubling statistics of ψ − 2φ.
// Phase convention: the angle of Σ_x f(x)·e^{−iω_k x}, so f(x) = r cos(ω_k x + φ) has phase φ.
import { median } from '../util/stats.js';
import type { MlpStructure } from './structure.js';

export interface Coef { re: number; im: number }

/** Σ_{x<p} f[offset + x·stride]·e^{−2πi·kx/p}: the DFT at k of one column of a row-major [p, stride] array. */
export function dft(f: ArrayLike<number>, p: number, k: number, stride = 1, offset = 0): Coef {
  let re = 0;
  let im = 0;
  for (let x = 0; x < p; x++) {
    const t = (2 * Math.PI * ((k * x) % p)) / p; // reduced mod p first: exact angles for large k·x
    re += f[offset + x * stride] * Math.cos(t);
    im -= f[offset + x * stride] * Math.sin(t);
  }
  return { re, im };
}

const abs2 = (z: Coef) => z.re * z.re + z.im * z.im;
/** Amplitude r and phase φ of the cosine r cos(ω x + φ) whose DFT over p points is z (k ≠ 0, 2k ≠ p). */
const cosine = (z: Coef, p: number) => ({ r: (2 / p) * Math.sqrt(abs2(z)), phase: Math.atan2(z.im, z.re) });
/** The angle wrapped into (−π, π]. */
export const wrapAngle = (x: number) => Math.atan2(Math.sin(x), Math.cos(x));

export interface NeuronFourier {
  /** Frequency in 1..(p−1)/2 with the most power in U_i, V_i and W_L[i, ·] combined (each as a share of its own variance). */
  k: number;
  /** U_i(a) ≈ r cos(ω_k a + φ), V_i(b) ≈ r cos(ω_k b + φ): amplitude and phase of the mean of U's and V's coefficients. */
  r: number;
  phi: number;
  /** W_L[i, c] ≈ s cos(ω_k c + ψ) over c < p. */
  s: number;
  psi: number;
  /** w_i = r_i·s_i, the neuron's weight in the quadrature sum. */
  w: number;
  /** Share of U_i's and V_i's variance over the token (mean removed) at frequency k. */
  shareUV: number;
  /** The same for W_L[i, c<p]. */
  shareWL: number;
  /** Means over the token: U_i(a) and V_i(b) ≈ mean + cosine; the neuron's constant offset is uMean + vMean + c_i. */
  uMean: number;
  vMean: number;
  /** The secondary components at frequency 2k: U_i(a) ⊃ r2u cos(2ω_k a + phi2u), likewise V. */
  r2u: number;
  phi2u: number;
  r2v: number;
  phi2v: number;
  /** False when ReLU(h_i) is zero on every input: the neuron never fires and belongs to no cluster. */
  alive: boolean;
}

/** Fourier fit of every neuron. W_L is read on its first p columns (the answers). */
export function neuronFourier(s: MlpStructure): NeuronFourier[] {
  const { p, d_mlp, U, V, W_L, c, d_vocab_out: nOut } = s;
  const K = Math.floor((p - 1) / 2);
  return Array.from({ length: d_mlp }, (_, i) => {
    const uv: number[] = [0];
    const wl: number[] = [0];
    for (let k = 1; k <= K; k++) {
      uv.push(abs2(dft(U, p, k, d_mlp, i)) + abs2(dft(V, p, k, d_mlp, i)));
      wl.push(abs2(dft(W_L, p, k, 1, i * nOut)));
    }
    const uvTotal = uv.reduce((x, y) => x + y, 0) || 1;
    const wlTotal = wl.reduce((x, y) => x + y, 0) || 1;
    // Each side as a share of its own power, so that neither dominates by its units.
    const score = (k: number) => uv[k] / uvTotal + wl[k] / wlTotal;
    let k = 1;
    for (let j = 2; j <= K; j++) if (score(j) > score(k)) k = j;

    const u = dft(U, p, k, d_mlp, i);
    const v = dft(V, p, k, d_mlp, i);
    const fit = cosine({ re: (u.re + v.re) / 2, im: (u.im + v.im) / 2 }, p);
    const out = cosine(dft(W_L, p, k, 1, i * nOut), p);
    const k2 = (2 * k) % p;
    const u2 = cosine(dft(U, p, k2, d_mlp, i), p);
    const v2 = cosine(dft(V, p, k2, d_mlp, i), p);
    const uMean = dft(U, p, 0, d_mlp, i).re / p;
    const vMean = dft(V, p, 0, d_mlp, i).re / p;
    let maxU = -Infinity;
    let maxV = -Infinity;
    for (let x = 0; x < p; x++) {
      maxU = Math.max(maxU, U[x * d_mlp + i]);
      maxV = Math.max(maxV, V[x * d_mlp + i]);
    }
    return {
      k, r: fit.r, phi: fit.phase, s: out.r, psi: out.phase, w: fit.r * out.r,
      shareUV: uv[k] / uvTotal, shareWL: wl[k] / wlTotal, uMean, vMean,
      r2u: u2.r, phi2u: u2.phase, r2v: v2.r, phi2v: v2.phase,
      alive: maxU + maxV + c[i] > 0,
    };
  });
}

export interface Cluster {
  k: number;
  /** The live neurons of frequency k, in index order. */
  neurons: number[];
  /** W_k = Σ_i w_i. */
  weight: number;
}

/** Live neurons grouped by frequency, in increasing k. */
export function clusters(nf: readonly NeuronFourier[]): Cluster[] {
  const by = new Map<number, number[]>();
  nf.forEach((n, i) => { if (n.alive) by.set(n.k, [...(by.get(n.k) ?? []), i]); });
  return [...by.keys()].sort((a, b) => a - b).map((k) => {
    const neurons = by.get(k)!;
    return { k, neurons, weight: neurons.reduce((t, i) => t + nf[i].w, 0) };
  });
}

export interface PhaseDoubling {
  /** Circular mean of ψ_i − 2φ_i over the live neurons. */
  circular_mean_rad: number;
  /** Median of |ψ_i − 2φ_i − circular mean| (wrapped). */
  median_abs_deviation_rad: number;
}

export function phaseDoubling(nf: readonly NeuronFourier[]): PhaseDoubling {
  return circularStats(nf.filter((n) => n.alive).map((n) => n.psi - 2 * n.phi));
}

/** Circular mean of angles and the median absolute (wrapped) deviation from it; NaN for no angles. */
export function circularStats(angles: readonly number[]): PhaseDoubling {
  const d = angles.map(wrapAngle);
  if (d.length === 0) return { circular_mean_rad: NaN, median_abs_deviation_rad: NaN };
  const mean = Math.atan2(d.reduce((t, x) => t + Math.sin(x), 0), d.reduce((t, x) => t + Math.cos(x), 0));
  return { circular_mean_rad: mean, median_abs_deviation_rad: median(d.map((x) => Math.abs(wrapAngle(x - mean)))) };
}

