// The shape of a sweep's summary.json (schema sweep-summary/1, written by npm run sweep) as the sweep page reads it.

export type SweepStatus = 'ok' | 'not_grokked' | 'failed' | 'pending';

export interface SweepModel {
  id: string;
  /** The model's run directory, relative to the sweep directory. */
  dir: string;
  point: Record<string, number>;
  status: SweepStatus;
  error: string | null;
  metrics: Record<string, number | null>;
  clusters: { k: number; neurons: number; quadrature_relative_error: number }[];
}

export interface MetricStats { mean: number; std: number; min: number; max: number; n: number }

export interface SweepSummary {
  schema: 'sweep-summary/1';
  spec: Record<string, unknown>;
  /** The swept field the slopes are taken against (d_mlp). */
  x: string;
  models: SweepModel[];
  groups: { point: Record<string, number>; n: number; metrics: Record<string, MetricStats | null> }[];
  slopes: { metric: string; against: string; slope: number; lo: number; hi: number; n: number }[];
}

/** The flat metric names in the order the page shows them (SPEC §6). */
export const SWEEP_METRICS = [
  'train_accuracy', 'test_accuracy', 'train_loss', 'test_loss', 'grok_step', 'train_seconds', 'clusters', 'quadrature_error',
  'eps', 'signal', 'eps_over_signal',
  ...['brute_force', 'per_shift', 'compressed', 'compressed_uniform'].flatMap((t) => ['eps_bound', 'certified_accuracy', 'flops', 'seconds'].map((m) => `${t}.${m}`)),
];

export function readSweepSummary(json: unknown, path: string): SweepSummary {
  const s = json as SweepSummary;
  if (s?.schema !== 'sweep-summary/1' || !Array.isArray(s.models) || !Array.isArray(s.groups) || !Array.isArray(s.slopes) || typeof s.x !== 'string') {
    throw new Error(`${path}: not a sweep summary (expected schema sweep-summary/1 with x, models, groups and slopes)`);
  }
  return s;
}
