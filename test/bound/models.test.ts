// The bounds on the real checkpoints (SPEC §4): model A (pizza) non-vacuous and sound, model B (clock) refused
// beyond brute force, and model A made worse on purpose (noise, a cluster removed); brute force in float64 judges.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOUND_OPTIONS, boundModel } from '../../src/bound/bound.js';
import { clusterIntegrands, explain } from '../../src/bound/explanation.js';
import { boundReduceGpu, shiftSumsGpu } from '../../src/bound/per_shift/gpu.js';
import { distancePart, perShiftQuadrature } from '../../src/bound/per_shift/quadrature.js';
import { residuals } from '../../src/bound/residuals.js';
import { boundReduce } from '../../src/ops/cpu/bound_reduce.js';
import { quadratureInput, quadratureSums, shifts } from '../../src/interp/integral.js';
import { mlpStructure } from '../../src/interp/structure.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import type { ParamValues } from '../../src/model/params.js';
import { Rng } from '../../src/util/rng.js';
import { MODEL_A, MODEL_B, testGpu } from '../helpers.js';

type Report = ReturnType<typeof boundModel>;

/** Every tier: ε̄(a, b) ≥ max_c |M − M̂| on every input and every certified input truly correct. */
function expectSound(r: Report): void {
  const p = r.p;
  for (const name of ['brute_force', 'per_shift', 'compressed'] as const) {
    const eps = r.perInput[name];
    const t = r.tiers[name];
    if (!eps) {
      expect(t.certified_accuracy).toBe(0);
      expect(t.eps_bound).toBe(Infinity);
      continue;
    }
    const uncert = new Set(t.uncertified.map(([a, b]) => a * p + b));
    for (let j = 0; j < p * p; j++) {
      expect(eps[j]).toBeGreaterThanOrEqual(r.perInput.eps[j]);
      if (!uncert.has(j)) expect(r.perInput.correct[j]).toBe(1);
    }
    expect(t.eps_bound).toBeGreaterThanOrEqual(r.eps_true);
  }
}

const opts = DEFAULT_BOUND_OPTIONS;

describe('bounds on the real checkpoints', () => {
  it('model A: sound, non-vacuous at every tier, compressed ≥ 100× cheaper than brute force', () => {
    const { cfg, params } = loadCheckpoint(MODEL_A);
    const r = boundModel(cfg, params, opts);
    expectSound(r);
    expect(r.refused).toBeNull();
    expect(r.accuracy).toBe(1);
    expect(r.eps_true).toBeLessThan(0.1 * r.signal);
    expect(r.tiers.brute_force.certified_accuracy).toBe(1);
    for (const t of [r.tiers.per_shift, r.tiers.compressed]) expect(t.eps_bound).toBeLessThan(r.signal);
    expect(r.tiers.brute_force.flops / r.tiers.compressed.flops).toBeGreaterThanOrEqual(100);
    // The signed residual bound certifies every input (ε, 3.97): per input in the per-shift tier (src/bound/per_shift/signed.ts), from phase
    // arcs and one quadrature bound for all shifts in the compressed tier (src/bound/compressed/).
    for (const t of [r.tiers.per_shift, r.tiers.compressed]) {
      expect(t.certified_accuracy).toBe(1);
      expect(t.eps_bound).toBeLessThan(0.25 * r.signal);
    }
  });

  it('model B (clock, α = 1): brute force only, with the reason; never a false certificate', () => {
    const { cfg, params } = loadCheckpoint(MODEL_B);
    const r = boundModel(cfg, params, opts);
    expect(r.refused).toMatch(/α = 1/);
    expectSound(r);
  });

  it('model A made worse: noise on W_in, a cluster removed', () => {
    const { cfg, params } = loadCheckpoint(MODEL_A);
    const rng = new Rng(3);
    const noisy: ParamValues = { ...params, 'blocks.0.mlp.W_in': params['blocks.0.mlp.W_in'].map((x) => x + 0.4 * rng.normal()) };
    const rn = boundModel(cfg, noisy, opts);
    expectSound(rn);
    const ex = explain(mlpStructure(cfg, params), { shape: true });
    const gone = new Set(ex.clusters[2].neurons);
    const W_out = params['blocks.0.mlp.W_out'].map((x, j) => (gone.has(Math.floor(j / cfg.d_model)) ? 0 : x));
    const rc = boundModel(cfg, { ...params, 'blocks.0.mlp.W_out': W_out }, opts);
    expectSound(rc);
    expect(Math.min(rn.accuracy, rc.accuracy)).toBeLessThan(1);
  });

  it("the project's own trained pizza model (results/pizza-seed0): sound, brute force certifies most inputs", () => {
    const { cfg, params } = loadCheckpoint(new URL('../../results/pizza-seed0/model.safetensors', import.meta.url).pathname);
    const r = boundModel(cfg, params, opts);
    expectSound(r);
    expect(r.refused).toBeNull();
    expect(r.tiers.per_shift.eps_bound).toBeLessThan(r.signal);
    expect(r.tiers.brute_force.certified_accuracy).toBeGreaterThan(0.9);
  });

  it("GPU reduction of model A's residual bound agrees with the CPU and stays above it", async () => {
    const { g, k } = await testGpu();
    const { cfg, params } = loadCheckpoint(MODEL_A);
    const s = mlpStructure(cfg, params);
    const ex = explain(s, { shape: true });
    const ints = clusterIntegrands(ex, 64);
    const res = residuals(s, ex);
    const Z = distancePart(ex, res, ints);
    const want = boundReduce(res.X, res.Y, Z, cfg.p);
    const got = await boundReduceGpu(g, k, res.X, res.Y, Z, cfg.p);
    for (let j = 0; j < want.length; j++) {
      expect(got[j]).toBeGreaterThanOrEqual(want[j]);
      expect(got[j]).toBeLessThanOrEqual(want[j] * (1 + 1e-6));
    }
  });
});

describe('per-shift quadrature on the GPU (neuron-integral kernel)', () => {
  it.each([false, true])('model A, shape terms %s: float32 sums within their proven allowance of float64 at every distance class and shift; the tier agrees', async (shape) => {
    const { g, k } = await testGpu();
    const { cfg, params } = loadCheckpoint(MODEL_A);
    const ex = explain(mlpStructure(cfg, params), { shape });
    const ints = clusterIntegrands(ex, 64);
    const { sums } = (await shiftSumsGpu(g, k, ex, ints))!;
    const x = shifts(cfg.p);
    const n = x.length;
    ex.clusters.forEach((c, t) => {
      for (const si of new Set(ints[t])) {
        const groups = [Math.cos, Math.sin].map((f) => ({ phases: c.phases, weights: c.weights.map((w, j) => w * f(c.deltas[j])), shape: [si.a0, si.a1, si.a2] }));
        const ref = quadratureSums(quadratureInput(groups), x); // float64, [2 (cos 2u, sin 2u), 2 groups, shifts]
        const sumA = Math.abs(si.a0) + Math.abs(si.a1) + Math.abs(si.a2);
        for (let m = 0; m < n; m++) {
          const got = sums(t, si, m);
          expect(Math.abs(got.re - (ref[m] - ref[3 * n + m]))).toBeLessThanOrEqual(got.err);
          expect(Math.abs(got.im - (ref[n + m] + ref[2 * n + m]))).toBeLessThanOrEqual(got.err);
          expect(got.err).toBeLessThan(1e-4 * c.W * sumA);
        }
      }
    });
    const want = perShiftQuadrature(ex, ints).quad;
    const got = perShiftQuadrature(ex, ints, sums).quad;
    // They differ by the float32 allowance (≈ 2e-5·W·Σ|a| per cluster, u = 2^-23 for WGSL's either-neighbour rounding).
    for (let j = 0; j < want.length; j++) expect(Math.abs(got[j] - want[j])).toBeLessThan(0.06 * want[j] + 0.02);
  });
});
