// Soundness of every tier (SPEC §4) on a thousand small planted models: ε̄(a, b) ≥ max_c |M − M̂| on every input,
// and every certified input truly correct, judged by brute force in float64. The structures are built directly
// (U, V, c, W_L, D) so that the truth M = ReLU(U + V + c)·W_L is exact by construction.
import { describe, expect, it } from 'vitest';
import { BOUND_FIGURES, boundFigure, boundStructure } from '../../src/bound/bound.js';
import { plantedStructure } from '../../src/bound/planted.js';
import type { MlpStructure } from '../../src/interp/structure.js';
import { Rng } from '../../src/util/rng.js';

describe('soundness on planted models', () => {
  it('ε̄ ≥ ε input by input and certified ⇒ correct, every tier, 1000 small models', () => {
    const rng = new Rng(2024);
    const certifiedSome = { brute_force: 0, per_shift: 0, compressed: 0, compressed_uniform: 0 };
    let wrongSome = 0;
    const info = { attention_rate: 0, structure_flops: 0 };
    for (let trial = 0; trial < 1000; trial++) {
      const p = 5 + rng.int(9);
      const d = 1 + rng.int(64);
      const noise = [0, 0.001, 0.02, 0.1, 0.5][rng.int(5)];
      const { s } = plantedStructure(rng, p, d, noise);
      const r = boundStructure(s, info, { M: 4 + rng.int(60), shape: rng.uniform() < 0.7 });
      const pi = r.perInput;
      const bruteOpen = new Set(r.tiers.brute_force.uncertified.map(([a, b]) => a * p + b));
      for (const name of BOUND_FIGURES) {
        const eps = pi[name]!;
        const t = boundFigure(r, name)!;
        const uncert = new Set(t.uncertified.map(([a, b]) => a * p + b));
        for (let j = 0; j < p * p; j++) {
          if (!(eps[j] >= pi.eps[j])) throw new Error(`trial ${trial} ${name}: ε̄ ${eps[j]} < ε ${pi.eps[j]} at input ${j}`);
          if (!uncert.has(j) && !pi.correct[j]) throw new Error(`trial ${trial} ${name}: input ${j} certified but wrong`);
          // The ladder: a cheaper tier never certifies an input that brute force (the proof of what the model does) does not.
          if (!uncert.has(j) && bruteOpen.has(j)) throw new Error(`trial ${trial} ${name}: input ${j} certified, but not by brute force`);
        }
        expect(t.eps_bound).toBeGreaterThanOrEqual(r.eps_true);
        if (t.certified_accuracy > 0) certifiedSome[name]++;
      }
      if (r.accuracy < 1) wrongSome++;
    }
    // The test means something only if both cases occur often.
    expect(certifiedSome.brute_force).toBeGreaterThan(900);
    expect(certifiedSome.per_shift).toBeGreaterThan(50);
    expect(certifiedSome.compressed).toBeGreaterThan(0);
    expect(certifiedSome.compressed_uniform).toBeGreaterThan(0);
    expect(wrongSome).toBeGreaterThan(50);
  });

  it('the compressed tier certifies every input of a clean, evenly spread model', () => {
    // One frequency, 64 evenly spaced phases, equal weights, exact secondary and offset: every low moment vanishes.
    const p = 7;
    const d = 64;
    const U = new Float64Array(p * d);
    const c = new Float64Array(d).fill(0.2);
    const W_L = new Float64Array(d * p);
    for (let i = 0; i < d; i++) {
      const phi = -Math.PI + (2 * Math.PI * i) / d;
      for (let x = 0; x < p; x++) {
        const ang = (2 * Math.PI * 2 * x) / p + phi;
        U[x * d + i] = Math.cos(ang) - 0.1 * Math.cos(2 * ang);
        W_L[i * p + x] = Math.cos((2 * Math.PI * 2 * x) / p + 2 * phi);
      }
    }
    const zero = new Float64Array(p * p);
    const s: MlpStructure = { p, d_mlp: d, d_vocab_out: p, exact: true, U, V: U, c, W_L, Da: zero, Db: zero, Dconst: new Float64Array(p) };
    const r = boundStructure(s, { attention_rate: 0, structure_flops: 0 }, { M: 64, shape: true });
    expect(r.explanation.clusters).toHaveLength(1);
    expect(r.explanation.clusters[0].rho).toBeCloseTo(0.1, 12);
    expect(r.explanation.clusters[0].kappa).toBeCloseTo(0.2, 12);
    expect(r.tiers.compressed.certified_accuracy).toBe(1);
    expect(r.tiers.compressed.eps_bound).toBeGreaterThanOrEqual(r.eps_true);
    expect(r.tiers.compressed.eps_bound).toBeLessThan(0.2 * r.signal);
  });
});

describe('scales where float64 rounding is absolute', () => {
  // An independent review (2026-11-25) found ε̄ below ε on structures around 1e-158 (products near the subnormal range),
  // where every relative allowance underflows. Such structures are refused at every tier, never certified.
  it('a planted model scaled by 2^-300 is refused with the reason; the same model at scale 1 is certified', () => {
    const { s } = plantedStructure(new Rng(7), 7, 12, 0.001);
    const info = { attention_rate: 0, structure_flops: 0 };
    const opts = { M: 32, shape: true };
    const f = 2 ** -300;
    const scaled: MlpStructure = { ...s, U: s.U.map((x) => x * f), V: s.V.map((x) => x * f), c: s.c.map((x) => x * f), W_L: s.W_L.map((x) => x * f), Da: s.Da.map((x) => x * f * f), Db: s.Db.map((x) => x * f * f), Dconst: s.Dconst.map((x) => x * f * f) };
    const r = boundStructure(scaled, info, opts);
    expect(r.refused).toMatch(/outside \[2\^-250, 2\^250\]/);
    for (const t of ['per_shift', 'compressed'] as const) {
      expect(r.tiers[t].eps_bound).toBe(Infinity);
      expect(r.tiers[t].certified_accuracy).toBe(0);
    }
    const plain = boundStructure(s, info, opts);
    expect(plain.refused).toBeNull();
    expect(plain.tiers.brute_force.certified_accuracy).toBeGreaterThan(0);
    // Brute force carries absolute underflow terms in its radii, so it needs no range: a power-of-two scale changes nothing.
    expect(r.tiers.brute_force.uncertified).toEqual(plain.tiers.brute_force.uncertified);
    expect(r.eps_true).toBe(plain.eps_true * f * f);
  });
});
