// The compressed tier's uniform bound (src/bound/compressed/uniform.ts): it must dominate (up to rounding), input by input, the per-input
// Lipschitz bound it is the maximum of (built from the same residuals and the same quadrature), and the envelope's output term
// must dominate each distance's; on model A it is below the signal. Soundness against brute force is in soundness.test.ts.
import { describe, expect, it } from 'vitest';
import { boundModel } from '../../src/bound/bound.js';
import { supQuadrature } from '../../src/bound/compressed/quadrature.js';
import { clusterIntegrands } from '../../src/bound/explanation.js';
import { gamma } from '../../src/bound/integrand.js';
import { outputTerm, residuals } from '../../src/bound/residuals.js';
import { residualTier } from '../../src/bound/per_shift/quadrature.js';
import { envelope, uniformBound } from '../../src/bound/compressed/uniform.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { Rng } from '../../src/util/rng.js';
import { MODEL_A, randomPlanted } from '../helpers.js';

describe('uniform compressed bound', () => {
  it('is at least the per-input Lipschitz bound at every input (up to rounding), and the envelope at least every output term, on 200 planted models', () => {
    const rng = new Rng(5150);
    for (let trial = 0; trial < 200; trial++) {
      const { p, s, ex } = randomPlanted(rng);
      const M = 4 + rng.int(40);
      const ints = clusterIntegrands(ex, M);
      const res = residuals(s, ex);
      const cq = supQuadrature(ex, ints, M);
      const { eps } = uniformBound(s, ex, res, ints, cq);
      const perInput = residualTier(ex, res, ints, cq.quad).eps;
      // Up to rounding: the per-input bound rounds cst up twice, the uniform bound once (a few ulps; review 2026-11-30).
      const tol = 1 - gamma(ex.clusters.length + 8);
      for (let r = 0; r < p * p; r++) if (!(eps >= perInput[r] * tol)) throw new Error(`trial ${trial}: uniform ${eps} < per-input ${perInput[r]} at input ${r}`);
      ints.forEach((byD, k) => {
        const env = outputTerm(res, k, envelope(byD));
        for (const si of new Set(byD)) {
          const row = outputTerm(res, k, si);
          for (let c = 0; c < p; c++) expect(env[c]).toBeGreaterThanOrEqual(row[c]);
        }
      });
    }
  });

  it('model A: below the signal, certifying nothing (its margins need the per-input bound: blocking says which term), in fewer flops than the compressed tier', () => {
    const ck = loadCheckpoint(MODEL_A);
    const r = boundModel(ck.cfg, ck.params);
    const u = r.tiers.compressed.uniform!;
    expect(u.eps_bound).toBeGreaterThanOrEqual(r.tiers.compressed.eps_bound);
    expect(u.eps_bound).toBeLessThan(r.signal);
    expect(u.certified_accuracy).toBe(0);
    expect(u.flops).toBeLessThan(r.tiers.compressed.flops);
    // What blocks it: the sign-blind input residual alone exceeds the ε̄ that would certify 99 % (7.4).
    expect(u.blocking!.parts.input_residual).toBeGreaterThan(u.blocking!.eps_for_99_percent);
    expect(u.blocking!.over_by).toBeGreaterThan(0);
  });
});
