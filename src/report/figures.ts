// The report pages' own figures, drawn from the JSON alone: the per-cluster quadrature error of a run, and a sweep's
// metrics against width on log-log axes with the fitted power law.
import { type Figure, figure, sig } from '../plot/figure.js';
import type { AnalysisReport } from '../interp/analysis.js';
import type { SweepModel, SweepSummary } from './sweep_summary.js';

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

const positive = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The models that have a positive value of `metric` at a positive x, as points. */
export function metricPoints(s: SweepSummary, metric: string): { x: number; value: number; model: SweepModel }[] {
  return s.models.flatMap((m) => {
    const x = m.point[s.x];
    const value = m.metrics?.[metric];
    return positive(x) && positive(value) ? [{ x, value, model: m }] : [];
  });
}

/**
 * One metric against the swept width on log-log axes: a point per model, the mean per width, and the fitted line with its
 * slope and interval from summary.json. The fit's intercept is not stored; the least-squares line through the models' points
 * of that slope is drawn (it passes through the mean of log x and log y).
 */
export function sweepMetricFigure(s: SweepSummary, metric: string): Figure {
  const pts = metricPoints(s, metric);
  const models = pts.map(({ x, value, model }) => ({ x, value: sig(value), series: 'model', id: model.id, status: model.status }));
  const means = s.groups.flatMap((g) => {
    const x = g.point[s.x];
    const st = g.metrics?.[metric];
    return positive(x) && st && positive(st.mean) ? [{ x, value: sig(st.mean), series: 'mean per width', lo: sig(st.min), hi: sig(st.max), n: st.n }] : [];
  });
  const slope = s.slopes.find((f) => f.metric === metric && f.against === s.x);
  const fitLabel = slope ? `fit: slope ${slope.slope.toFixed(2)} [${slope.lo.toFixed(2)}, ${slope.hi.toFixed(2)}], n ${slope.n}` : undefined;
  const fit: { x: number; value: number; series: string }[] = [];
  if (slope && pts.length) {
    const lx = pts.map((p) => Math.log(p.x));
    const ly = pts.map((p) => Math.log(p.value));
    const mean = (v: number[]) => v.reduce((t, y) => t + y, 0) / v.length;
    const b = mean(ly) - slope.slope * mean(lx);
    for (const x of [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))]) fit.push({ x, value: sig(Math.exp(b) * x ** slope.slope), series: fitLabel! });
  }
  const series = ['model', 'mean per width', ...(fitLabel ? [fitLabel] : [])];
  // Ticks at the widths swept; both scales padded rather than rounded out to whole decades.
  const widths = [...new Set([...pts.map((p) => p.x), ...means.map((m) => m.x)])].sort((a, b) => a - b);
  const x = { field: 'x', type: 'quantitative', title: `${s.x} (log scale)`, scale: { type: 'log', nice: false, padding: 16 }, axis: { values: widths, grid: false } };
  const y = { field: 'value', type: 'quantitative', title: `${metricTitle(metric)}, log scale`, scale: { type: 'log', nice: false, padding: 12 }, axis: { format: '~g' } };
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: ['#9ecae1', '#08519c', '#b2182b'] }, legend: { orient: 'bottom', labelLimit: 400 } };
  return figure({
    title: { text: `${metric} against ${s.x}`, subtitle: fitLabel ?? 'no fitted slope in summary.json' },
    width: 340, height: 240,
    layer: [
      ...(fit.length ? [{ data: { values: fit }, mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { x, y, color } }] : []),
      { data: { values: means.filter((m) => m.lo > 0 && m.hi > 0) }, mark: { type: 'rule', color: '#08519c', opacity: 0.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { data: { values: means }, mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 1.5 }, encoding: { x, y, color, tooltip: [{ field: 'lo', title: 'min' }, { field: 'hi', title: 'max' }, { field: 'n', title: 'models' }] } },
      { data: { values: models }, mark: { type: 'point', size: 30, filled: true, opacity: 0.8 }, encoding: { x, y, color, tooltip: [{ field: 'id', title: 'model' }, { field: 'status' }] } },
    ],
  });
}
