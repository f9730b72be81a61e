// Zhong et al.'s pizza-or-clock diagnostics (SPEC §5).
import type { ModelConfig } from '../model/config.js';
import { CpuBackend } from '../model/cpu_backend.js';
import { batchOf } from '../model/inputs.js';
import { type ParamValues, paramSpecs } from '../model/params.js';
import { backward, forward } from '../model/schedule.js';
import { Rng } from '../util/rng.js';

/**
 * The correct logit as a p×p table T[(a+b) mod p][(a−b) mod p]; logits is [p², d_vocab_out] in allPairs
 * order. Row-major: T[s·p + d].
 */
export function correctLogitTable(cfg: ModelConfig, logits: ArrayLike<number>): Float64Array {
  const { p, d_vocab_out: V } = cfg;
  const t = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const s = (a + b) % p;
      t[s * p + ((a - b + p) % p)] = logits[(a * p + b) * V + s];
    }
  }
  return t;
}

const std = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / xs.length);
};

/**
 * Distance irrelevance: the mean over columns (fixed a − b) of the standard deviation down the column
 * (over a + b), divided by the standard deviation of all entries. Near 0 for pizza, near 1 for clock.
 */
export function distanceIrrelevance(cfg: ModelConfig, logits: ArrayLike<number>): number {
  const { p } = cfg;
  const t = correctLogitTable(cfg, logits);
  let total = 0;
  for (let d = 0; d < p; d++) total += std(Array.from({ length: p }, (_, s) => t[s * p + d]));
  return total / p / std(t);
}

/**
 * Gradient symmetricity: over `triples` random (a, b, c) (seeded), the mean cosine similarity between
 * ∂logit_c/∂x0[position 0] and ∂logit_c/∂x0[position 1], taken with the project's own backward pass (the
 * generic schedule on the float64 CPU backend, seeded with a one-hot dlogits). Near 1 for pizza.
 */
export function gradientSymmetricity(cfg: ModelConfig, params: ParamValues, opts: { triples?: number; seed?: number } = {}): number {
  const n = opts.triples ?? 100;
  const rng = new Rng(opts.seed ?? 0);
  const { p, d_model: dm, n_ctx, d_vocab_out: V } = cfg;
  const pairs = Array.from({ length: n }, () => rng.int(p * p));
  const targets = Array.from({ length: n }, () => rng.int(p));
  const batch = batchOf(cfg, pairs);
  // Every parameter frozen: only the input gradient dx0 is wanted.
  const be = new CpuBackend(cfg, params, batch, paramSpecs(cfg).map((s) => s.name));
  const act = forward(be, cfg, n);
  act.dlogits.fill(0);
  targets.forEach((c, r) => (act.dlogits[r * V + c] = 1));
  const dx0 = backward(be, cfg, n, act);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const g0 = dx0.subarray(r * n_ctx * dm, r * n_ctx * dm + dm);
    const g1 = dx0.subarray(r * n_ctx * dm + dm, r * n_ctx * dm + 2 * dm);
    let dot = 0;
    let n0 = 0;
    let n1 = 0;
    for (let d = 0; d < dm; d++) {
      dot += g0[d] * g1[d];
      n0 += g0[d] * g0[d];
      n1 += g1[d] * g1[d];
    }
    total += dot / Math.sqrt(n0 * n1);
  }
  return total / n;
}

/**
 * Where the verdict draws its lines. Zhong et al. give no sharp cut: these lie between the ideal values
 * (pizza 0 and 1, clock 1 and 0) and clear of what their models measure (A, pizza: 0.17 and 0.99; B, clock:
 * 0.85 and 0.36).
 */
export const VERDICT_THRESHOLDS = { distance_irrelevance: 0.5, gradient_symmetricity: 0.8 } as const;

/** Pizza when both diagnostics say so, clock when both do, mixed when they disagree. */
export function pizzaOrClock(distance_irrelevance: number, gradient_symmetricity: number): 'pizza' | 'clock' | 'mixed' {
  const pizzaByDistance = distance_irrelevance < VERDICT_THRESHOLDS.distance_irrelevance;
  const pizzaByGradient = gradient_symmetricity > VERDICT_THRESHOLDS.gradient_symmetricity;
  return pizzaByDistance && pizzaByGradient ? 'pizza' : !pizzaByDistance && !pizzaByGradient ? 'clock' : 'mixed';
}
