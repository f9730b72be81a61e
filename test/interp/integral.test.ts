import { describe, expect, it } from 'vitest';
import { INTEGRAL_FC, closedForm, clusterQuadrature, fc, fs, quadratureInput, quadratureSums, quadratureSumsGpu, relativeErrors, shifts } from '../../src/interp/integral.js';
import { clusters, neuronFourier } from '../../src/interp/fourier.js';
import { mlpStructure } from '../../src/interp/structure.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { Rng } from '../../src/util/rng.js';
import { MODEL_A, expectClose, testGpu } from '../helpers.js';

/**
 * ∫_lo^hi f by composite Simpson on the pieces between the given kinks: each piece is smooth (a
 * trigonometric polynomial), so 4000 panels give ~1e-14.
 */
function integrate(f: (u: number) => number, lo: number, hi: number, kinks: number[]): number {
  const cuts = [lo, ...kinks.filter((k) => k > lo && k < hi).sort((a, b) => a - b), hi];
  let total = 0;
  for (let j = 0; j + 1 < cuts.length; j++) {
    const [a, b] = [cuts[j], cuts[j + 1]];
    const n = 4000;
    const h = (b - a) / n;
    let s = f(a) + f(b);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
    total += (s * h) / 3;
  }
  return total;
}

describe('the integral (SPEC §3)', () => {
  it('∫ReLU(cos u)cos 2u du = 2/3 and ∫ReLU(cos u)sin 2u du = 0 over a period', () => {
    const kinks = [-Math.PI / 2, Math.PI / 2];
    expect(Math.abs(integrate(fc, -Math.PI, Math.PI, kinks) - INTEGRAL_FC)).toBeLessThan(1e-9);
    expect(Math.abs(integrate(fs, -Math.PI, Math.PI, kinks))).toBeLessThan(1e-9);
    expect(INTEGRAL_FC).toBe(2 / 3);
  });

  it('(1/2π)∫ReLU(cos(ωa+φ) + cos(ωb+φ))·cos(ωc+2φ) dφ equals the closed form to 1e-9', () => {
    const rng = new Rng(5);
    for (const p of [5, 59, 113]) {
      for (let t = 0; t < 12; t++) {
        const [k, a, b, c] = [1 + rng.int((p - 1) / 2), rng.int(p), rng.int(p), rng.int(p)];
        const w = (2 * Math.PI * k) / p;
        const g = (phi: number) => Math.max(Math.cos(w * a + phi) + Math.cos(w * b + phi), 0) * Math.cos(w * c + 2 * phi);
        // Kinks where the sum changes sign: 2cos(w(a−b)/2)·cos(w(a+b)/2 + φ) = 0.
        const x0 = (w * (a + b)) / 2;
        const kinks = [-1, 1].map((j) => Math.atan2(Math.sin((j * Math.PI) / 2 - x0), Math.cos((j * Math.PI) / 2 - x0)));
        const numeric = integrate(g, -Math.PI, Math.PI, kinks) / (2 * Math.PI);
        expect(Math.abs(numeric - closedForm(p, [{ k, weight: 1 }], a, b, c))).toBeLessThan(1e-9);
      }
    }
  });

  it('a cluster of equispaced equal-weight nodes integrates f exactly up to its aliasing: relative error tiny', () => {
    const n = 64;
    const q = quadratureInput([{ phases: Array.from({ length: n }, (_, i) => (2 * Math.PI * i) / n + 0.1), weights: new Array(n).fill(1 / n) }]);
    const x = shifts(7);
    // f_c's Fourier coefficients decay like 1/m²: 64 nodes leave an error of order 1e-3.
    expect(relativeErrors(q, quadratureSums(q, x), x.length)[0]).toBeLessThan(3e-3);
  });

  it('model A: learned phases integrate far better than random ones; the GPU kernel agrees with float64', async () => {
    const ck = loadCheckpoint(MODEL_A);
    const nf = neuronFourier(mlpStructure(ck.cfg, ck.params));
    const cl = clusters(nf);
    const r = clusterQuadrature(59, nf, cl);
    for (const c of r) {
      expect(c.relative_error).toBeLessThan(0.1);
      expect(c.relative_error).toBeLessThan(c.random_relative_error);
    }
    const { g, k } = await testGpu();
    const q = quadratureInput(cl.map((c) => ({ phases: c.neurons.map((i) => nf[i].phi), weights: c.neurons.map((i) => nf[i].w) })));
    const x = shifts(59);
    expectClose(await quadratureSumsGpu(g, k, q, x), quadratureSums(q, x), 1e-5, 1e-5);
  });
});
