// Soundness of every tier (SPEC §4) on a thousand small planted models: ε̄(a, b) ≥ max_c |M − M̂| on every input,
// and every certified input truly correct, judged by brute force in float64. The structures are built directly
// (U, V, c, W_L, D) so that the truth M = ReLU(U + V + c)·W_L is exact by construction.
import { describe, expect, it } from 'vitest';
import { boundStructure } from '../../src/bound/bound.js';
import type { MlpStructure } from '../../src/interp/structure.js';
import { Rng } from '../../src/util/rng.js';

/** A pizza-like MLP at p with d neurons on 1–3 frequencies, with secondary/offset terms and noise of size `noise`. */
function planted(rng: Rng, p: number, d: number, noise: number): { s: MlpStructure; hookPost: Float64Array; logits: Float64Array } {
  const K = Math.floor((p - 1) / 2);
  const freqs = Array.from({ length: 1 + rng.int(Math.min(3, K)) }, () => 1 + rng.int(K));
  const rho = 0.15 * rng.uniform();
  const kappa = 0.4 * (rng.uniform() - 0.5);
  const U = new Float64Array(p * d);
  const V = new Float64Array(p * d);
  const c = new Float64Array(d);
  const W_L = new Float64Array(d * p);
  const even = rng.uniform() < 0.5;
  for (let i = 0; i < d; i++) {
    const k = freqs[i % freqs.length];
    const w = (2 * Math.PI * k) / p;
    const phi = even ? -Math.PI + (2 * Math.PI * (i + 0.5 * rng.uniform())) / d : (2 * rng.uniform() - 1) * Math.PI;
    const r = even ? 1 + 0.05 * rng.normal() : 0.5 + rng.uniform();
    const sOut = even ? 1 + 0.05 * rng.normal() : 0.5 + rng.uniform();
    const delta = 0.1 * rng.normal();
    for (let x = 0; x < p; x++) {
      const ang = w * x + phi;
      U[x * d + i] = r * (Math.cos(ang) - rho * Math.cos(2 * ang)) + noise * rng.normal();
      V[x * d + i] = r * (Math.cos(ang) - rho * Math.cos(2 * ang)) + noise * rng.normal();
      W_L[i * p + x] = sOut * Math.cos(w * x + 2 * phi + delta) + noise * rng.normal();
    }
    c[i] = r * kappa + noise * rng.normal();
    if (rng.uniform() < 0.05) c[i] = -10; // a dead neuron now and then
  }
  const Da = Float64Array.from({ length: p * p }, () => noise * rng.normal());
  const Db = Float64Array.from({ length: p * p }, () => noise * rng.normal());
  const Dconst = Float64Array.from({ length: p }, () => noise * rng.normal());
  const s: MlpStructure = { p, d_mlp: d, d_vocab_out: p, exact: true, U, V, c, W_L, Da, Db, Dconst };
  const hookPost = new Float64Array(p * p * d);
  const logits = new Float64Array(p * p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const r = a * p + b;
      for (let i = 0; i < d; i++) hookPost[r * d + i] = Math.max(0, U[a * d + i] + V[b * d + i] + c[i]);
      for (let o = 0; o < p; o++) {
        let m = Da[a * p + o] + Db[b * p + o] + Dconst[o];
        for (let i = 0; i < d; i++) m += hookPost[r * d + i] * W_L[i * p + o];
        logits[r * p + o] = m;
      }
    }
  }
  return { s, hookPost, logits };
}

describe('soundness on planted models', () => {
  it('ε̄ ≥ ε input by input and certified ⇒ correct, every tier, 1000 small models', () => {
    const rng = new Rng(2024);
    const certifiedSome = { brute_force: 0, per_shift: 0, compressed: 0 };
    let wrongSome = 0;
    const info = { attention_rate: 0, forward_flops: 0, structure_flops: 0 };
    for (let trial = 0; trial < 1000; trial++) {
      const p = 5 + rng.int(9);
      const d = 1 + rng.int(64);
      const noise = [0, 0.001, 0.02, 0.1, 0.5][rng.int(5)];
      const { s, hookPost, logits } = planted(rng, p, d, noise);
      const r = boundStructure(s, { hookPost, logits }, info, { M: 4 + rng.int(60), shape: rng.uniform() < 0.7 });
      const pi = r.perInput;
      for (const name of ['brute_force', 'per_shift', 'compressed'] as const) {
        const eps = pi[name]!;
        const t = r.tiers[name];
        const uncert = new Set(t.uncertified.map(([a, b]) => a * p + b));
        for (let j = 0; j < p * p; j++) {
          if (!(eps[j] >= pi.eps[j])) throw new Error(`trial ${trial} ${name}: ε̄ ${eps[j]} < ε ${pi.eps[j]} at input ${j}`);
          if (!uncert.has(j) && !pi.correct[j]) throw new Error(`trial ${trial} ${name}: input ${j} certified but wrong`);
        }
        expect(t.eps_bound).toBeGreaterThanOrEqual(r.eps_true);
        if (t.certified_accuracy > 0) certifiedSome[name]++;
      }
      if (r.accuracy < 1) wrongSome++;
    }
    // The test means something only if both cases occur often.
    expect(certifiedSome.per_shift).toBeGreaterThan(50);
    expect(certifiedSome.compressed).toBeGreaterThan(0);
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
    const hookPost = new Float64Array(p * p * d);
    const logits = new Float64Array(p * p * p);
    for (let r = 0; r < p * p; r++) {
      const [a, b] = [Math.floor(r / p), r % p];
      for (let i = 0; i < d; i++) hookPost[r * d + i] = Math.max(0, U[a * d + i] + U[b * d + i] + c[i]);
      for (let o = 0; o < p; o++) for (let i = 0; i < d; i++) logits[r * p + o] += hookPost[r * d + i] * W_L[i * p + o];
    }
    const r = boundStructure(s, { hookPost, logits }, { attention_rate: 0, forward_flops: 0, structure_flops: 0 }, { M: 64, shape: true });
    expect(r.explanation.clusters).toHaveLength(1);
    expect(r.explanation.clusters[0].rho).toBeCloseTo(0.1, 12);
    expect(r.explanation.clusters[0].kappa).toBeCloseTo(0.2, 12);
    expect(r.tiers.compressed.certified_accuracy).toBe(1);
    expect(r.tiers.compressed.eps_bound).toBeGreaterThanOrEqual(r.eps_true);
    expect(r.tiers.compressed.eps_bound).toBeLessThan(0.2 * r.signal);
  });
});
