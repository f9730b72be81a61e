// The bound report's ladder as the pages read it: from bound.json's `summary` block when it has one (the reshaped
// report: { eps, signal, accuracy, ladder, refused }), otherwise built from the older `tiers`, so a page reads
// reports of either shape.

export interface Rung {
  tier: string;
  /** null: the tier was refused (its ε̄ is infinite). */
  eps_bound: number | null;
  certified_accuracy: number;
  flops: number;
  seconds: number;
  eps_bound_over_eps: number | null;
}

export interface BoundSummary { eps: number; signal: number; accuracy: number; ladder: Rung[]; refused: string | null }

interface Tier { eps_bound: number | null; certified_accuracy: number; flops: number; seconds: number; uniform?: Tier }
interface BoundJson {
  summary?: BoundSummary;
  eps_true?: number; signal?: number; accuracy?: number; refused?: string | null;
  tiers?: Record<string, Tier>;
}

export function boundSummary(json: unknown): BoundSummary {
  const b = json as BoundJson;
  if (b.summary) return b.summary;
  if (!b.tiers || typeof b.eps_true !== 'number' || typeof b.signal !== 'number') throw new Error('bound.json has neither a summary nor tiers with eps_true and signal');
  const eps = b.eps_true;
  const rung = (tier: string, t: Tier): Rung => ({
    tier, eps_bound: t.eps_bound, certified_accuracy: t.certified_accuracy, flops: t.flops, seconds: t.seconds,
    eps_bound_over_eps: t.eps_bound === null || !(eps > 0) ? null : t.eps_bound / eps,
  });
  const ladder = Object.entries(b.tiers).flatMap(([name, t]) => [rung(name, t), ...(t.uniform ? [rung(`${name}_uniform`, t.uniform)] : [])]);
  return { eps, signal: b.signal, accuracy: b.accuracy ?? NaN, ladder, refused: b.refused ?? null };
}

/** What a tier's certificate rests on (SPEC §4), for the page's ladder table. */
export const TIER_METHOD: Record<string, string> = {
  brute_force: 'the real model on all p² inputs with a proven rounding allowance: proves what the model does (its certified accuracy is the model’s accuracy wherever margins exceed the allowance)',
  per_shift: 'per-token residuals of U, V and W_L through the 1-Lipschitz ReLU, plus each cluster’s quadrature error at each of the 2p shifts, O(p·d_mlp)',
  compressed: 'the quadrature error bounded for every shift at once from the integrand’s Fourier series and the phases’ moments, O(M·d_mlp), refined input by input',
  compressed_uniform: 'the compressed tier with no per-input work: one ε̄ for every input',
};
