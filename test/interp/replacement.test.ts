import { describe, expect, it } from 'vitest';
import { scoreLogits } from '../../src/interp/evaluate.js';
import { clusters, neuronFourier } from '../../src/interp/fourier.js';
import { mlpLogits, replacements } from '../../src/interp/replacement.js';
import type { MlpStructure } from '../../src/interp/structure.js';
import { makeConfig } from '../../src/model/config.js';

/**
 * An MLP of exact single-frequency neurons at equispaced phases (n per frequency), ψ = 2φ, no offsets:
 * the idealisation is exact, and the integral is its infinite-width limit.
 */
function idealModel(p: number, ks: number[], n: number) {
  const d = ks.length * n;
  const U = new Float64Array(p * d);
  const W_L = new Float64Array(d * p);
  ks.forEach((k, t) => {
    const w = (2 * Math.PI * k) / p;
    for (let j = 0; j < n; j++) {
      const i = t * n + j;
      const phi = (2 * Math.PI * j) / n + 0.3;
      for (let x = 0; x < p; x++) {
        U[x * d + i] = Math.cos(w * x + phi);
        W_L[i * p + x] = 3 * Math.cos(w * x + 2 * phi);
      }
    }
  });
  const z = (m: number) => new Float64Array(m);
  const s: MlpStructure = { p, d_mlp: d, d_vocab_out: p, exact: true, U, V: U, c: z(d), W_L, Da: z(p * p), Db: z(p * p), Dconst: z(p) };
  const hookPost = new Float64Array(p * p * d);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let i = 0; i < d; i++) hookPost[(a * p + b) * d + i] = Math.max(U[a * d + i] + U[b * d + i], 0);
  const cfg = makeConfig({ p, d_model: 4, n_heads: 1, d_mlp: d, attention_rate: 0, attention_convention: 'sum' });
  const logits = mlpLogits(s, hookPost);
  return { cfg, s, ev: { ...scoreLogits(cfg, logits), logits, hookPre: z(p * p * d), hookPost } };
}

describe('replacement experiments', () => {
  it('are exact on an exactly idealised MLP, and the integral approaches it with many equispaced neurons', () => {
    const { cfg, s, ev } = idealModel(13, [2, 5], 48);
    const nf = neuronFourier(s);
    const r = replacements(cfg, s, nf, clusters(nf), ev);
    expect(r.ideal.fve_mlp).toBeCloseTo(1, 10);
    expect(r.secondary.fve_mlp).toBeCloseTo(1, 10);
    expect(r.ideal.loss).toBeCloseTo(ev.loss, 10);
    expect(r.integral.fve_mlp).toBeGreaterThan(0.999);
    expect(r.integral.accuracy).toBe(ev.accuracy);
  });
});
