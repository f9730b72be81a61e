import { describe, expect, it } from 'vitest';
import { circularStats, clusters, dft, neuronFourier, phaseDoubling, wrapAngle } from '../../src/interp/fourier.js';
import { median } from '../../src/util/stats.js';
import type { MlpStructure } from '../../src/interp/structure.js';
import { mlpStructure } from '../../src/interp/structure.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { MODEL_A } from '../helpers.js';

/** A structure whose neurons are exact cosines: neuron i at frequency ks[i], phase phis[i], ψ = 2φ + shift. */
function synthetic(p: number, ks: number[], phis: number[], shift = 0): MlpStructure {
  const d = ks.length;
  const U = new Float64Array(p * d);
  const W_L = new Float64Array(d * p);
  ks.forEach((k, i) => {
    const w = (2 * Math.PI * k) / p;
    for (let x = 0; x < p; x++) {
      U[x * d + i] = 2 * Math.cos(w * x + phis[i]);
      W_L[i * p + x] = 0.5 * Math.cos(w * x + 2 * phis[i] + shift);
    }
  });
  const z = (n: number) => new Float64Array(n);
  return { p, d_mlp: d, d_vocab_out: p, exact: true, U, V: U, c: z(d), W_L, Da: z(p * p), Db: z(p * p), Dconst: z(p) };
}

describe('per-neuron Fourier analysis', () => {
  it('dft uses angle(Σ f e^{−iωx}) as the phase', () => {
    const p = 7;
    const f = Array.from({ length: p }, (_, x) => 3 * Math.cos((2 * Math.PI * 2 * x) / p + 0.4));
    const z = dft(f, p, 2);
    expect(Math.atan2(z.im, z.re)).toBeCloseTo(0.4, 12);
    expect(Math.hypot(z.re, z.im)).toBeCloseTo((3 * p) / 2, 12);
  });

  it('recovers frequency, amplitude, phase and the doubling of exact cosines', () => {
    const s = synthetic(11, [1, 3, 3, 5, 2], [0.3, -2.0, 1.1, 2.9, -0.7], 0.1);
    const nf = neuronFourier(s);
    expect(nf.map((n) => n.k)).toEqual([1, 3, 3, 5, 2]);
    nf.forEach((n, i) => {
      expect(n.r).toBeCloseTo(2, 10);
      expect(n.s).toBeCloseTo(0.5, 10);
      expect(n.w).toBeCloseTo(1, 10);
      expect(n.shareUV).toBeCloseTo(1, 10);
      expect(n.phi).toBeCloseTo([0.3, -2.0, 1.1, 2.9, -0.7][i], 10);
    });
    expect(clusters(nf).map((c) => [c.k, c.neurons])).toEqual([[1, [0]], [2, [4]], [3, [1, 2]], [5, [3]]]);
    const pd = phaseDoubling(nf);
    expect(pd.circular_mean_rad).toBeCloseTo(0.1, 10);
    expect(pd.median_abs_deviation_rad).toBeLessThan(1e-10);
  });

  it('model A: three clusters at k = 3, 15, 17 with 149, 190 and 173 neurons, and ψ ≈ 2φ', () => {
    const ck = loadCheckpoint(MODEL_A);
    const nf = neuronFourier(mlpStructure(ck.cfg, ck.params));
    expect(clusters(nf).map((c) => [c.k, c.neurons.length])).toEqual([[3, 149], [15, 190], [17, 173]]);
    const pd = phaseDoubling(nf);
    expect(Math.abs(pd.circular_mean_rad)).toBeLessThan(0.01);
    expect(pd.median_abs_deviation_rad).toBeLessThan(0.01);
    // Secondary structure (SPEC §3): a 2k component of about a tenth of the primary, phase near 2φ + π.
    expect(median(nf.map((n) => n.r2u / n.r))).toBeGreaterThan(0.05);
    expect(median(nf.map((n) => n.r2u / n.r))).toBeLessThan(0.2);
    const sec = circularStats(nf.map((n) => n.phi2u - 2 * n.phi));
    expect(Math.abs(wrapAngle(sec.circular_mean_rad - Math.PI))).toBeLessThan(0.05);
    expect(sec.median_abs_deviation_rad).toBeLessThan(0.05);
  });
});
