// The report pages' own figures, drawn from the JSON alone: the per-cluster quadrature error of a run, and a sweep's
// metrics against width and its clusters' quadrature error against their size, on log-log axes with the fitted power laws.
import { type Figure, figure, sig } from '../plot/figure.js';
import type { AnalysisReport } from '../interp/analysis.js';
import type { ModelRow, SlopeRow, SweepSummary } from '../sweep/summary.js';

/** Relative quadrature error per cluster (log scale): the learned phases beside the same weights at equispaced and random phases. */
export function quadratureErrorFigure(clusters: AnalysisReport['clusters']): Figure {
  const methods = ['learned phases', 'equispaced phases', 'random phases'];
  const rows = clusters.flatMap((c) => [c.quadrature_relative_error, c.equispaced_relative_error, c.random_relative_error]
    .map((error, j) => ({ k: String(c.frequency), method: methods[j], error: sig(error), neurons: c.neurons })))
    .filter((r) => r.error > 0);
  // Bars on a log scale need a floor to stand on: the decade below the smallest error; the top is the decade above the largest.
  const floor = 10 ** Math.floor(Math.log10(Math.min(...rows.map((r) => r.error))));
  const top = 10 ** Math.ceil(Math.log10(Math.max(...rows.map((r) => r.error))));
  return figure({
    title: { text: 'Quadrature error per cluster', subtitle: 'worst over the 2p shifts x of |Σ_i w_i f(φ_i + x) − W_k/(3π)| / (W_k/(3π)), for f = f_c and f_s (whose mean is 0)' },
    width: { step: 26 }, height: 240, data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'k', type: 'nominal', title: 'cluster (frequency k)', sort: clusters.map((c) => String(c.frequency)), axis: { labelAngle: 0 } },
      xOffset: { field: 'method', sort: methods },
      y: { field: 'error', type: 'quantitative', title: 'relative error (log scale)', scale: { type: 'log', domain: [floor, top] }, axis: { format: '~e' } },
      y2: { datum: floor },
      color: { field: 'method', type: 'nominal', title: null, sort: methods, scale: { domain: methods, range: ['#2166ac', '#92c5de', '#f4a582'] }, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'neurons', type: 'quantitative' }],
    },
  });
}

/** Units (or what the number is) of each sweep metric, for its axis title. */
export function metricTitle(metric: string): string {
  const tier = metric.split('.');
  const last = tier.at(-1)!;
  const unit: Record<string, string> = {
    train_loss: 'nats', test_loss: 'nats', grok_step: 'step', train_seconds: 's', clusters: 'count', quadrature_error: 'relative',
    eps: 'logit units', signal: 'logit units', eps_over_signal: 'ratio', eps_bound: 'logit units', flops: 'flops', seconds: 's',
    train_accuracy: 'share', test_accuracy: 'share', certified_accuracy: 'share',
  };
  return `${metric}${unit[last] ? ` (${unit[last]})` : ''}`;
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The models that have a positive value of `metric` at a positive x, as points. */
export function metricPoints(s: SweepSummary, metric: string): { x: number; value: number; model: ModelRow }[] {
  return s.models.flatMap((m) => {
    const x = m.point[s.x];
    const value = m.metrics[metric];
    return positive(x) && positive(value) ? [{ x, value, model: m }] : [];
  });
}

/** A fitted power law y = e^intercept·x^slope over [x0, x1] as two points, and its legend label. */
function fitLine(f: SlopeRow, x0: number, x1: number) {
  const where = Object.entries(f.where).map(([k, v]) => `${k} ${v}, `).join('');
  const series = `${where}fit: slope ${f.slope.toFixed(2)} [${f.lo.toFixed(2)}, ${f.hi.toFixed(2)}], n ${f.n}`;
  return { series, points: [x0, x1].map((x) => ({ x, value: sig(Math.exp(f.intercept) * x ** f.slope), series })) };
}

const FIT_COLOURS = ['#b2182b', '#e08214', '#542788', '#1b7837'];

/**
 * One metric against the swept field on log-log axes: a point per model, the mean per grid point (bar: min to max), and
 * the fitted lines of summary.json (slope, its interval and the points fitted in the legend).
 */
export function sweepMetricFigure(s: SweepSummary, metric: string): Figure {
  const pts = metricPoints(s, metric);
  const models = pts.map(({ x, value, model }) => ({ x, value: sig(value), series: 'model', id: model.id, status: model.status }));
  const means = s.groups.flatMap((g) => {
    const x = g.point[s.x];
    const st = g.metrics[metric];
    return positive(x) && st && positive(st.mean) ? [{ x, value: sig(st.mean), series: 'mean per width', lo: sig(st.min), hi: sig(st.max), n: st.n }] : [];
  });
  const xs = [...pts.map((p) => p.x), ...means.map((m) => m.x)];
  const fits = s.slopes.filter((f) => f.metric === metric && f.against === s.x).map((f) => fitLine(f, Math.min(...xs), Math.max(...xs)));
  const series = ['model', 'mean per width', ...fits.map((f) => f.series)];
  // Ticks at the widths swept; both scales padded rather than rounded out to whole decades.
  const x = { field: 'x', type: 'quantitative', title: `${s.x} (log scale)`, scale: { type: 'log', nice: false, padding: 16 }, axis: { values: [...new Set(xs)].sort((a, b) => a - b), grid: false } };
  const y = { field: 'value', type: 'quantitative', title: `${metricTitle(metric)}, log scale`, scale: { type: 'log', nice: false, padding: 12 }, axis: { format: '~g' } };
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: ['#9ecae1', '#08519c', ...fits.map((_, i) => FIT_COLOURS[i % FIT_COLOURS.length])] }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 } };
  return figure({
    title: { text: `${metric} against ${s.x}`, subtitle: fits.length ? fits.map((f) => f.series).join('; ') : 'no fitted slope in summary.json' },
    width: 340, height: 240,
    layer: [
      ...fits.map((f) => ({ data: { values: f.points }, mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { x, y, color } })),
      { data: { values: means.filter((m) => m.lo > 0 && m.hi > 0) }, mark: { type: 'rule', color: '#08519c', opacity: 0.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { data: { values: means }, mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 1.5 }, encoding: { x, y, color, tooltip: [{ field: 'lo', title: 'min' }, { field: 'hi', title: 'max' }, { field: 'n', title: 'models' }] } },
      { data: { values: models }, mark: { type: 'point', size: 30, filled: true, opacity: 0.8 }, encoding: { x, y, color, tooltip: [{ field: 'id', title: 'model' }, { field: 'status' }] } },
    ],
  });
}

const METHODS = [['learned phases', 'quadrature_relative_error', 'quadrature_error'], ['equispaced phases', 'equispaced_relative_error', 'equispaced_quadrature_error'], ['random phases', 'random_relative_error', 'random_quadrature_error']] as const;

/**
 * Every cluster of every finished model: its relative quadrature error against its number of neurons (log-log), for the
 * learned phases and the same weights at equispaced and random phases, with summary.json's fits against cluster_neurons.
 */
export function sweepClustersFigure(s: SweepSummary): Figure {
  const rows = s.models.filter((m) => m.status === 'ok').flatMap((m) => m.clusters.flatMap((c) => METHODS.map(([method, field]) => ({ neurons: c.neurons, error: sig(c[field]), method, k: c.k, model: m.id }))))
    .filter((r) => positive(r.neurons) && positive(r.error));
  const ns = rows.map((r) => r.neurons);
  const fits = METHODS.flatMap(([method, , metric]) => s.slopes.filter((f) => f.metric === metric && f.against === 'cluster_neurons').map((f) => ({ method, ...fitLine(f, Math.min(...ns), Math.max(...ns)) })));
  const colour = { 'learned phases': '#2166ac', 'equispaced phases': '#4dac26', 'random phases': '#d6604d' };
  const color = { field: 'method', type: 'nominal', title: null, scale: { domain: Object.keys(colour), range: Object.values(colour) }, legend: { orient: 'bottom' } };
  const x = { field: 'neurons', type: 'quantitative', title: 'neurons in the cluster (log scale)', scale: { type: 'log', nice: false, padding: 12 }, axis: { format: '~g' } };
  const y = { field: 'error', type: 'quantitative', title: 'relative quadrature error (log scale)', scale: { type: 'log', nice: false, padding: 12 }, axis: { format: '~g' } };
  return figure({
    title: { text: 'Quadrature error per cluster against its size', subtitle: fits.length ? fits.map((f) => `${f.method}: slope ${f.series.split('slope ')[1]}`).join('; ') : 'no fitted slope against cluster_neurons in summary.json' },
    width: 480, height: 300,
    layer: [
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 30, opacity: 0.7 }, encoding: { x, y, color, tooltip: [{ field: 'model' }, { field: 'k', title: 'frequency k' }] } },
      ...fits.map((f) => ({ data: { values: f.points.map((p) => ({ neurons: p.x, error: p.value, method: f.method })) }, mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { x, y, color } })),
    ],
  });
}
