// Merging a sweep: every model's files gathered into one row of figures, rows aggregated per grid point over seeds,
// and log-log slopes against the first axis (d_mlp in a width sweep). Reads only the files the stages wrote, so
// shards merged afterwards give the same summary as one unsharded run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic.js';
import { parseJson, parseWith } from '../io/schemas.js';
import { readMetrics, runFiles } from '../train/run.js';
import { type Slope, logLogSlope } from '../util/fit.js';
import { type ModelStatus, STAGES, readStatus, sweepFiles } from './files.js';
import { type Point, type SweepModel, type SweepSpec, sweepModels } from './spec.js';

export const SUMMARY_SCHEMA = 'sweep-summary/1';
/** Test accuracy at which a model counts as grokked (its grokking step is the first evaluation reaching it). */
export const GROKKED = 0.99;
export const TIERS = ['brute_force', 'per_shift', 'compressed', 'compressed_uniform'] as const;

export type Status = 'ok' | 'not_grokked' | 'failed' | 'pending';

export interface ClusterRow { k: number; neurons: number; weight: number; quadrature_relative_error: number; equispaced_relative_error: number; random_relative_error: number }

export interface ModelRow {
  id: string;
  dir: string;
  point: Record<string, number | string>;
  status: Status;
  /** Why a model failed (stage: message), or null. */
  error: string | null;
  /** Why the cheaper bound tiers were refused, or null. */
  refused: string | null;
  metrics: Record<string, number | null>;
  clusters: ClusterRow[];
}

export interface Aggregate { mean: number; std: number; min: number; max: number; n: number }
export interface GroupRow { point: Record<string, number | string>; n: number; statuses: Partial<Record<Status, number>>; metrics: Record<string, Aggregate | null> }
export interface SlopeRow extends Slope { metric: string; against: string; where: Record<string, number | string> }

export interface SweepSummary {
  schema: typeof SUMMARY_SCHEMA;
  spec: SweepSpec;
  /** The axis the slopes are fitted against. */
  x: string;
  models: ModelRow[];
  groups: GroupRow[];
  /** Over grokked models only: a model that has not learnt the task has no integral to approximate. */
  slopes: SlopeRow[];
}

/** Every metric a model row carries, in CSV column order. Names ending in `seconds` are wall-clock times. */
export const METRICS = [
  'train_accuracy', 'test_accuracy', 'train_loss', 'test_loss', 'grok_step', 'steps', 'train_seconds',
  'clusters', 'dead_neurons', 'quadrature_error', 'equispaced_quadrature_error', 'random_quadrature_error', 'distance_irrelevance', 'gradient_symmetricity',
  'accuracy', 'eps', 'signal', 'eps_over_signal',
  ...TIERS.flatMap((t) => ['eps_bound', 'eps_bound_over_eps', 'certified_accuracy', 'flops', 'seconds'].map((f) => `${t}.${f}`)),
  'analyze_seconds', 'bound_seconds',
] as const;

/** The metrics whose scaling with width the sweep is for. */
const SLOPE_METRICS = ['quadrature_error', 'equispaced_quadrature_error', 'random_quadrature_error', 'eps', 'eps_over_signal',
  ...TIERS.flatMap((t) => [`${t}.eps_bound`, `${t}.flops`, `${t}.seconds`]), 'train_seconds'];

const numeric = (v: string): number | string => (Number.isFinite(Number(v)) ? Number(v) : v);
const typed = (p: Point) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, numeric(v)]));
/** A stage's report, validated against the fields the summary reads (one line naming the file and field if not). */
const readJson = <S extends z.ZodType>(schema: S, path: string): z.output<S> | undefined =>
  (existsSync(path) ? parseWith(schema, parseJson(readFileSync(path, 'utf8'), path), path) : undefined);
/**
 * A model's quadrature error: its clusters' relative errors weighted by their weights W_k = Σ w_i, i.e. the clusters'
 * worst absolute quadrature errors summed, over what the integral gives them all (null without clusters). Unweighted,
 * the clusters of one to three neurons that small widths have (relative errors of 4 to 8: no quadrature at all) drown
 * the rest.
 */
function weightedMean(cs: readonly ClusterRow[], err: (c: ClusterRow) => number): number | null {
  const W = cs.reduce((t, c) => t + Math.abs(c.weight), 0);
  return cs.length && W > 0 ? cs.reduce((t, c) => t + Math.abs(c.weight) * err(c), 0) / W : null;
}

// What the summary reads of analysis.json and bound.json (the reports hold more: loose objects).
const num = z.number({ error: 'must be a number' });
const AnalysisJson = z.looseObject({
  clusters: z.array(z.looseObject({ frequency: num, neurons: num, weight: num, quadrature_relative_error: num, equispaced_relative_error: num, random_relative_error: num })),
  dead_neurons: num, distance_irrelevance: num, gradient_symmetricity: num,
});
const TierJson = z.looseObject({ eps_bound: num.nullable(), certified_accuracy: num, flops: num, seconds: num });
const BoundJson = z.looseObject({
  eps_true: num, signal: num, accuracy: num, refused: z.string().nullable(),
  tiers: z.record(z.string(), TierJson.extend({ uniform: TierJson.optional() })),
});
type TierJson = z.output<typeof TierJson>;

/** One model's row from its run directory, status, analysis and bound report. */
export function modelRow(dir: string, m: SweepModel): ModelRow {
  const f = sweepFiles(dir);
  const status: ModelStatus | undefined = readStatus(dir, m.id);
  const metrics: Record<string, number | null> = Object.fromEntries(METRICS.map((k) => [k, null]));
  const row: ModelRow = { id: m.id, dir: m.id, point: typed(m.point), status: 'pending', error: null, refused: null, metrics, clusters: [] };
  const lines = readMetrics(runFiles(f.model(m.id)).metrics);
  const last = lines.at(-1);
  if (last) {
    Object.assign(metrics, { train_accuracy: last.train_accuracy, test_accuracy: last.test_accuracy, train_loss: last.train_loss, test_loss: last.test_loss, steps: last.step, train_seconds: last.seconds });
    metrics.grok_step = lines.find((l) => l.test_accuracy >= GROKKED)?.step ?? null;
  }
  const a = readJson(AnalysisJson, f.analysis(m.id));
  if (a) {
    row.clusters = a.clusters.map((c) => ({ k: c.frequency, neurons: c.neurons, weight: c.weight, quadrature_relative_error: c.quadrature_relative_error, equispaced_relative_error: c.equispaced_relative_error, random_relative_error: c.random_relative_error }));
    Object.assign(metrics, {
      clusters: a.clusters.length, dead_neurons: a.dead_neurons, distance_irrelevance: a.distance_irrelevance, gradient_symmetricity: a.gradient_symmetricity,
      quadrature_error: weightedMean(row.clusters, (c) => c.quadrature_relative_error),
      equispaced_quadrature_error: weightedMean(row.clusters, (c) => c.equispaced_relative_error),
      random_quadrature_error: weightedMean(row.clusters, (c) => c.random_relative_error),
    });
  }
  const b = readJson(BoundJson, f.bound(m.id));
  if (b) {
    row.refused = b.refused;
    Object.assign(metrics, { accuracy: b.accuracy, eps: b.eps_true, signal: b.signal, eps_over_signal: b.eps_true / b.signal });
    const tiers: Record<string, TierJson | undefined> = { ...b.tiers, compressed_uniform: b.tiers.compressed?.uniform };
    for (const t of TIERS) {
      const x = tiers[t];
      if (!x) continue;
      Object.assign(metrics, {
        [`${t}.eps_bound`]: x.eps_bound, [`${t}.eps_bound_over_eps`]: x.eps_bound === null ? null : x.eps_bound / b.eps_true,
        [`${t}.certified_accuracy`]: x.certified_accuracy, [`${t}.flops`]: x.flops, [`${t}.seconds`]: x.seconds,
      });
    }
  }
  metrics.analyze_seconds = status?.stages.analyze?.seconds ?? null;
  metrics.bound_seconds = status?.stages.bound?.seconds ?? null;
  const failed = STAGES.find((s) => status?.stages[s] && !status.stages[s]!.ok);
  if (failed) {
    row.status = 'failed';
    row.error = `${failed}: ${status!.stages[failed]!.error}`;
  } else if (STAGES.every((s) => status?.stages[s]?.ok)) {
    row.status = (metrics.test_accuracy ?? 0) >= GROKKED ? 'ok' : 'not_grokked';
  }
  return row;
}

function aggregate(xs: number[]): Aggregate | null {
  if (!xs.length) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

const withoutSeed = (p: Record<string, number | string>) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'seed'));
const keyOf = (p: Record<string, unknown>) => JSON.stringify(p);

/** The summary of the sweep in `dir` from whatever its models have written so far. */
export function summarize(dir: string, spec: SweepSpec): SweepSummary {
  const models = sweepModels(spec).map((m) => modelRow(dir, m));
  const done = models.filter((r) => r.status === 'ok' || r.status === 'not_grokked');
  const groups = new Map<string, ModelRow[]>();
  for (const r of models) groups.set(keyOf(withoutSeed(r.point)), [...(groups.get(keyOf(withoutSeed(r.point))) ?? []), r]);
  const groupRows: GroupRow[] = [...groups.values()].map((rows) => {
    const statuses: Partial<Record<Status, number>> = {};
    for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const finished = rows.filter((r) => done.includes(r));
    return {
      point: withoutSeed(rows[0].point), n: rows.length, statuses,
      metrics: Object.fromEntries(METRICS.map((k) => [k, aggregate(finished.map((r) => r.metrics[k]).filter((v): v is number => v !== null && Number.isFinite(v)))])),
    };
  });
  const x = spec.grid[0].field;
  return { schema: SUMMARY_SCHEMA, spec, x, models, groups: groupRows, slopes: slopes(models.filter((r) => r.status === 'ok'), spec, x) };
}

/**
 * Log-log slopes against x for each combination of the other axes: per model for the SLOPE_METRICS, and per cluster
 * (quadrature error against the cluster's neuron count, with the same weights at equispaced and random phases beside it).
 */
function slopes(rows: ModelRow[], spec: SweepSpec, x: string): SlopeRow[] {
  if (x === 'seed' || !rows.every((r) => typeof r.point[x] === 'number')) return [];
  const others = spec.grid.map((a) => a.field).filter((f) => f !== x && f !== 'seed');
  const parts = new Map<string, ModelRow[]>();
  for (const r of rows) {
    const where = keyOf(Object.fromEntries(others.map((f) => [f, r.point[f]])));
    parts.set(where, [...(parts.get(where) ?? []), r]);
  }
  const out: SlopeRow[] = [];
  for (const [whereKey, rs] of parts) {
    const where = JSON.parse(whereKey) as Record<string, number | string>;
    const seedOf = (r: ModelRow) => String(r.point.seed);
    for (const metric of SLOPE_METRICS) {
      const s = logLogSlope(rs.map((r) => ({ x: r.point[x] as number, y: r.metrics[metric] ?? NaN, seed: seedOf(r) })));
      if (s) out.push({ metric, against: x, where, ...s });
    }
    for (const [metric, field] of [['quadrature_error', 'quadrature_relative_error'], ['equispaced_quadrature_error', 'equispaced_relative_error'], ['random_quadrature_error', 'random_relative_error']] as const) {
      const s = logLogSlope(rs.flatMap((r) => r.clusters.map((c) => ({ x: c.neurons, y: c[field], seed: seedOf(r) }))));
      if (s) out.push({ metric, against: 'cluster_neurons', where, ...s });
    }
  }
  return out;
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (header: string[], rows: unknown[][]) => [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/** summary.json, summary.csv (a row per model) and summary_by_group.csv (mean and std per grid point), atomically. */
export function writeSummary(dir: string, s: SweepSummary): void {
  const axes = s.spec.grid.map((a) => a.field);
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(s, null, 2) + '\n');
  writeFileAtomic(join(dir, 'summary.csv'), csv(
    ['id', ...axes, 'status', 'error', 'refused', ...METRICS],
    s.models.map((r) => [r.id, ...axes.map((a) => r.point[a]), r.status, r.error, r.refused, ...METRICS.map((k) => r.metrics[k])]),
  ));
  const groupAxes = axes.filter((a) => a !== 'seed');
  writeFileAtomic(join(dir, 'summary_by_group.csv'), csv(
    [...groupAxes, 'models', 'finished', ...METRICS.flatMap((k) => [`${k}.mean`, `${k}.std`])],
    s.groups.map((g) => [...groupAxes.map((a) => g.point[a]), g.n, (g.statuses.ok ?? 0) + (g.statuses.not_grokked ?? 0), ...METRICS.flatMap((k) => [g.metrics[k]?.mean, g.metrics[k]?.std])]),
  ));
}
