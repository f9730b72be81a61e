import { describe, expect, it } from 'vitest';
import { compressedQuadratureBound, fcCoef, fsCoefIm, integrandCoef, integrandTail, phaseMoments, reluCosCoef } from '../../src/bound/integrand.js';
import { fc, fs } from '../../src/interp/integral.js';
import { Rng } from '../../src/util/rng.js';

/** (1/2π)∫_{−π}^{π} f(u) e^{−imu} du by Simpson on the smooth pieces between the kinks ±π/2 (and a zero piece). */
function coef(f: (u: number) => number, m: number): { re: number; im: number } {
  let re = 0;
  let im = 0;
  const n = 20000;
  const [a, b] = [-Math.PI / 2, Math.PI / 2]; // f vanishes outside
  const h = (b - a) / n;
  for (let i = 0; i <= n; i++) {
    const u = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    re += w * f(u) * Math.cos(m * u);
    im -= w * f(u) * Math.sin(m * u);
  }
  return { re: (re * h) / 3 / (2 * Math.PI), im: (im * h) / 3 / (2 * Math.PI) };
}

describe('integrand Fourier coefficients', () => {
  it('match numerical integration to 1e-12 for |m| ≤ 40', () => {
    const relu = (u: number) => Math.max(Math.cos(u), 0);
    for (let m = -40; m <= 40; m++) {
      const g = coef(relu, m);
      expect(Math.abs(g.re - reluCosCoef(m))).toBeLessThan(1e-12);
      const c = coef(fc, m);
      expect(Math.abs(c.re - fcCoef(m))).toBeLessThan(1e-12);
      expect(Math.abs(c.im)).toBeLessThan(1e-12);
      const s = coef(fs, m);
      expect(Math.abs(s.re)).toBeLessThan(1e-12);
      expect(Math.abs(s.im - fsCoefIm(m))).toBeLessThan(1e-12);
    }
    expect(integrandCoef(0)).toBeCloseTo(1 / (3 * Math.PI), 15);
  });

  it('tail closed form bounds (and equals) the summed coefficients', () => {
    for (const M of [4, 5, 8, 17, 64, 255]) {
      let s = 0;
      for (let m = M + 1; m < 2e6; m++) s += Math.abs(integrandCoef(m)) + Math.abs(integrandCoef(-m));
      const t = integrandTail(M);
      expect(t).toBeGreaterThanOrEqual(s);
      // the partial sum stops at 2e6: the remainder is < 2/(π·2e6)
      expect(t - s).toBeLessThan(1 / (Math.PI * 1e6) + 1e-14);
    }
    expect(() => integrandTail(3)).toThrow(/M 3/);
  });

  it('compressed bound holds at every shift for random clusters', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(40);
      const phi = Array.from({ length: n }, () => (2 * rng.uniform() - 1) * Math.PI);
      const w = Array.from({ length: n }, () => rng.uniform());
      const d = Array.from({ length: n }, () => 0.3 * rng.normal());
      const Mo = 4 + rng.int(30);
      const bound = compressedQuadratureBound(phaseMoments(phi, w, d, Mo));
      const W = w.reduce((a, b) => a + b, 0);
      let Zr = 0;
      let Zi = 0;
      for (let i = 0; i < n; i++) { Zr += w[i] * Math.cos(d[i]); Zi += w[i] * Math.sin(d[i]); }
      for (let j = 0; j < 400; j++) {
        const x = (2 * Math.PI * j) / 400;
        let sr = 0;
        let si = 0;
        for (let i = 0; i < n; i++) {
          const u = phi[i] + x;
          // z_i F(u) = w_i e^{iδ} (f_c + i f_s)
          sr += w[i] * (Math.cos(d[i]) * fc(u) - Math.sin(d[i]) * fs(u));
          si += w[i] * (Math.sin(d[i]) * fc(u) + Math.cos(d[i]) * fs(u));
        }
        const err = Math.hypot(sr - Zr / (3 * Math.PI), si - Zi / (3 * Math.PI));
        expect(err).toBeLessThanOrEqual(bound);
      }
      expect(bound).toBeLessThan(3 * W);
    }
  });

  it('equispaced phases have vanishing low moments', () => {
    const n = 64;
    const phi = Array.from({ length: n }, (_, i) => -Math.PI + (2 * Math.PI * i) / n);
    const mo = phaseMoments(phi, Array(n).fill(1), Array(n).fill(0), 32);
    for (let m = 1; m < 32; m++) expect(Math.hypot(mo.re[m + 32], mo.im[m + 32])).toBeLessThan(1e-13);
    expect(compressedQuadratureBound(mo)).toBeLessThan(0.02 * n);
  });
});
