// A sweep's report page (report.html in the sweep directory): every metric against width on log-log axes with its
// fitted slope and interval (SPEC §6), the slopes as a table, and every model with its status (failures with their
// error) and a link to its own page. Numbers and figures come from summary.json alone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFigures } from '../plot/figure.js';
import { METRICS, SUMMARY_SCHEMA, type SweepSummary } from '../sweep/summary.js';
import { metricPoints, sweepClustersFigure, sweepMetricFigure } from './figures.js';
import { esc, figureHtml, num, page, pct, table } from './html.js';

const STATUS_CLASS = { ok: 'ok', not_grokked: 'refused', failed: 'fail', pending: 'missing' } as const;
const STATUS_TEXT = { ok: 'ok', not_grokked: 'did not grok', failed: 'failed', pending: 'pending' } as const;

/** summary.json as the page reads it; a file of another shape is a one-line error naming it. */
export function asSweepSummary(json: unknown, path: string): SweepSummary {
  const s = json as SweepSummary;
  if (s?.schema !== SUMMARY_SCHEMA || typeof s.x !== 'string' || ![s.models, s.groups, s.slopes].every(Array.isArray)) {
    throw new Error(`${path}: not a sweep summary (expected schema ${SUMMARY_SCHEMA} with x, models, groups and slopes)`);
  }
  return s;
}

/** Metrics drawn: those of METRICS in their order, then any others in the summary, that some model has a positive value of. */
function drawnMetrics(s: SweepSummary): string[] {
  const names = new Set([...METRICS, ...s.models.flatMap((m) => Object.keys(m.metrics))]);
  return [...names].filter((name) => metricPoints(s, name).length);
}

const fileName = (metric: string) => `sweep_${metric.replace(/[^A-Za-z0-9_]+/g, '_')}`;

export async function sweepPage(dir: string, s: SweepSummary): Promise<string> {
  const metrics = drawnMetrics(s);
  const clusters = s.models.some((m) => m.status === 'ok' && m.clusters.length);
  const rendered = await writeFigures(join(dir, 'plots'), {
    ...(clusters ? { sweep_cluster_quadrature: sweepClustersFigure(s) } : {}),
    ...Object.fromEntries(metrics.map((m) => [fileName(m), sweepMetricFigure(s, m)])),
  });
  const counts = Object.entries(s.models.reduce<Record<string, number>>((c, m) => ({ ...c, [m.status]: (c[m.status] ?? 0) + 1 }), {}))
    .map(([k, n]) => `${n} ${STATUS_TEXT[k as keyof typeof STATUS_TEXT] ?? esc(k)}`).join(', ');
  const fields = [...new Set(s.models.flatMap((m) => Object.keys(m.point)))];
  const modelRows = s.models.map((m) => {
    const report = join(m.dir, 'report.html');
    const v = (k: string) => m.metrics?.[k];
    return [
      existsSync(join(dir, report)) ? `<a href="${esc(report)}">${esc(m.id)}</a>` : `${esc(m.id)} <span class="missing">(no page)</span>`,
      ...fields.map((f) => String(m.point[f] ?? '—')),
      `<span class="${STATUS_CLASS[m.status] ?? ''}">${STATUS_TEXT[m.status] ?? esc(String(m.status))}</span>${m.error ? `: ${esc(m.error)}` : ''}${m.refused ? ` (cheap tiers refused: ${esc(m.refused)})` : ''}`,
      pct(v('test_accuracy')), num(v('grok_step')), num(v('quadrature_error')), num(v('eps')), num(v('eps_over_signal')),
      num(v('compressed.eps_bound')), pct(v('compressed.certified_accuracy')),
    ];
  });
  const slopeRows = s.slopes.map((f) => [esc(f.metric), esc(f.against), esc(Object.entries(f.where).map(([k, v]) => `${k} ${v}`).join(', ') || 'all'), f.slope.toFixed(3), `[${f.lo.toFixed(3)}, ${f.hi.toFixed(3)}]`, String(f.n)]);
  return page(`Sweep: ${s.models.length} models against ${s.x}`, `${counts}. Everything here is read from <a href="summary.json">summary.json</a>.`, [
    {
      id: 'spec', title: '1. What was swept',
      body: table(['field', 'value'], Object.entries(s.spec).map(([k, v]) => [esc(k), `<code>${esc(JSON.stringify(v))}</code>`]), 'kv'),
    },
    {
      id: 'slopes', title: '2. Power laws against width',
      body: `<p>Log-log slopes of each metric against ${esc(s.x)}, with their intervals, as summary.json gives them. The infinite-width lens predicts the quadrature error shrinking as width grows (SPEC §6).</p>
${slopeRows.length ? table(['metric', 'against', 'where', 'slope', '95 % interval', 'points'], slopeRows) : '<p class="missing">summary.json has no slopes.</p>'}
${clusters ? figureHtml(rendered.sweep_cluster_quadrature.svg, 'plots/sweep_cluster_quadrature', 'Every cluster of every grokked model: the learned phases’ quadrature error against the cluster’s size, beside the same weights at equispaced and at random phases.') : ''}
<p>In each figure the light points are models, the dark ones the mean per width (bar: min to max), the dashed line the fit.</p>
<div class="grid">${metrics.map((m) => figureHtml(rendered[fileName(m)].svg, `plots/${fileName(m)}`, esc(m))).join('\n')}</div>`,
    },
    {
      id: 'models', title: '3. Models',
      body: `<p>Each model’s name links to its own report.</p>${table(['model', ...fields.map(esc), 'status', 'test accuracy', 'grok step', 'quadrature error', 'ε', 'ε / signal', 'compressed ε̄', 'compressed certified'], modelRows)}`,
    },
  ]);
}
