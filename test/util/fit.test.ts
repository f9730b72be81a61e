// Log-log slopes: exact power laws are recovered, and the interval comes from the seeds' own slopes.
import { describe, expect, it } from 'vitest';
import { fitLine, logLogSlope, t975 } from '../../src/util/fit.js';

describe('log-log slopes', () => {
  it('recover an exact power law y = 3·x^-1.5, whatever the seeds', () => {
    const pts = [32, 64, 128, 256].flatMap((x) => ['0', '1'].map((seed) => ({ x, y: 3 * x ** -1.5, seed })));
    const s = logLogSlope(pts)!;
    expect(s.slope).toBeCloseTo(-1.5, 12);
    expect(Math.exp(s.intercept)).toBeCloseTo(3, 10);
    expect(s.hi - s.lo).toBeLessThan(1e-9);
    expect(s.per_seed).toEqual({ 0: expect.closeTo(-1.5, 12), 1: expect.closeTo(-1.5, 12) });
  });

  it('take the interval from the per-seed slopes: mean ± t·sd/√S', () => {
    // seed a: slope -1, seed b: slope -2 (each exact), so the pooled slope is -1.5 and sd = 1/√2.
    const pts = [1, 2, 4].flatMap((x) => [{ x, y: x ** -1, seed: 'a' }, { x, y: x ** -2, seed: 'b' }]);
    const s = logLogSlope(pts)!;
    expect(s.slope).toBeCloseTo(-1.5, 12);
    const half = (t975(1) * Math.SQRT1_2) / Math.SQRT2;
    expect(s.lo).toBeCloseTo(-1.5 - half, 10);
    expect(s.hi).toBeCloseTo(-1.5 + half, 10);
  });

  it('skip non-positive and non-finite values, and give no slope with one x', () => {
    expect(logLogSlope([{ x: 8, y: 1, seed: '0' }, { x: 8, y: 2, seed: '1' }])).toBeNull();
    const s = logLogSlope([{ x: 1, y: 1, seed: '0' }, { x: 2, y: 0.5, seed: '0' }, { x: 4, y: 0, seed: '0' }, { x: 8, y: NaN, seed: '0' }, { x: 4, y: 0.25, seed: '0' }])!;
    expect(s.n).toBe(3);
    expect(s.slope).toBeCloseTo(-1, 12);
  });

  it('fit a line with the textbook standard error', () => {
    const f = fitLine([0, 1, 2, 3], [1, 3, 2, 4]);
    expect(f.slope).toBeCloseTo(0.8, 12);
    expect(f.intercept).toBeCloseTo(1.3, 12);
    expect(f.se).toBeCloseTo(Math.sqrt(1.8 / 2 / 5), 12);
  });
});
