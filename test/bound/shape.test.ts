import { describe, expect, it } from 'vitest';
import { integrandTail, reluCosCoef } from '../../src/bound/integrand.js';
import { evalT, shapeIntegrand } from '../../src/bound/shape.js';
import { Rng } from '../../src/util/rng.js';

/** (1/π)∫_0^π ReLU(T(u)) cos(ju) du for j = 0..J by the midpoint rule on 4·10^4 cells (cos(ju) by recurrence). */
function numericCoefs(a0: number, a1: number, a2: number, J: number): Float64Array {
  const n = 40000;
  const out = new Float64Array(J + 1);
  for (let i = 0; i < n; i++) {
    const u = (Math.PI * (i + 0.5)) / n;
    const P = Math.max(0, evalT(a0, a1, a2, u));
    if (P === 0) continue;
    const c1 = Math.cos(u);
    let prev = c1; // cos(−u)
    let cur = 1;
    for (let j = 0; j <= J; j++) {
      out[j] += P * cur;
      const next = 2 * c1 * cur - prev;
      prev = cur;
      cur = next;
    }
  }
  return out.map((x) => x / n);
}

describe('shaped integrand', () => {
  it('ρ = κ = 0 gives 2|C|·ĝ(j) and the exact tail', () => {
    const C = 0.7;
    const si = shapeIntegrand(0, 2 * C, 0, 16);
    for (let j = 0; j <= 18; j++) expect(Math.abs(si.coef[j] - 2 * C * reluCosCoef(j))).toBeLessThan(1e-14);
    expect(si.tail).toBeCloseTo(2 * C * integrandTail(16), 14);
    expect(si.max).toBeGreaterThanOrEqual(2 * C);
  });

  it('coefficients within their proven error of numerical integration; tail and max bound the truth', () => {
    const rng = new Rng(9);
    const cases: [number, number, number][] = [[0.2, 2, 0.22], [0.2, 2, -0.22], [-0.5, 1, 0.9], [3, 1, 0.5], [-3, 1, 0.5], [0, 0, 1], [0.1, 0.3, -1]];
    for (let t = 0; t < 4; t++) cases.push([rng.normal(), 2 * rng.uniform(), 0.5 * rng.normal()]);
    for (const [a0, a1, a2] of cases) {
      const M = 12;
      const si = shapeIntegrand(a0, a1, a2, M);
      const num = numericCoefs(a0, a1, a2, 402);
      for (let j = 0; j <= M + 2; j++) expect(Math.abs(si.coef[j] - num[j])).toBeLessThanOrEqual(si.coefErr + 1e-8);
      // A partial sum of Σ_{|m|>M} |P̂(m − 2)| (P̂ even) cannot exceed the bound.
      let tail = 0;
      for (let m = M + 1; m <= 400; m++) tail += Math.abs(num[m - 2]) + Math.abs(num[m + 2]);
      expect(si.tail).toBeGreaterThanOrEqual(tail - 1e-6);
      let max = 0;
      for (let i = 0; i <= 10000; i++) max = Math.max(max, evalT(a0, a1, a2, (Math.PI * i) / 10000));
      expect(si.max).toBeGreaterThanOrEqual(max);
      expect(si.max).toBeLessThan(max + 1e-6);
    }
  });
});
