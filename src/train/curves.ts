// The training curves as a figure: loss and accuracy against step on log axes, train and test, with the
// grokking jump (test accuracy reaching GROKKED) marked, so the delayed generalisation is visible at a glance.
import { type Figure, figure, sig } from '../plot/figure.js';
import type { MetricsLine } from './run.js';

/** Test accuracy at which a model counts as grokked (its grokking step is the first evaluation reaching it). */
export const GROKKED = 0.99;

/** The first evaluated step at which test accuracy reached GROKKED (null: not yet). */
export function grokStep(m: readonly MetricsLine[]): number | null {
  return m.find((x) => x.test_accuracy >= GROKKED)?.step ?? null;
}

export function curvesFigure(m: readonly MetricsLine[], title: string): Figure {
  // Step 0 has no place on a log axis; losses ≤ 0 neither (a loss of exactly 0 is left out of the loss panel).
  const rows = m.filter((x) => x.step > 0).flatMap((x) => (['train', 'test'] as const).map((split) => ({
    step: x.step, split, loss: sig(x[`${split}_loss`]), accuracy: sig(x[`${split}_accuracy`]),
  })));
  const grok = grokStep(m);
  const color = { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'test'], range: ['#2166ac', '#b2182b'] }, legend: { orient: 'bottom', labelLimit: 300, labelExpr: "datum.label == 'test' ? 'test (held-out pairs)' : 'train'" } };
  const x = { field: 'step', type: 'quantitative', title: 'step (log scale)', scale: { type: 'log' }, axis: { format: '~s' } };
  const marker = grok === null ? [] : [{
    data: { values: [{ step: grok, label: `test accuracy ≥ ${GROKKED * 100} % at step ${grok}` }] },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { field: 'step', type: 'quantitative' } } },
      { mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'top', color: '#333', fontSize: 11 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { value: 4 }, text: { field: 'label' } } },
    ],
  }];
  const panel = (field: 'loss' | 'accuracy', y: Record<string, unknown>) => ({
    width: 380, height: 260,
    layer: [
      {
        data: { values: field === 'loss' ? rows.filter((r) => r.loss > 0) : rows },
        mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
        encoding: {
          x, y: { field, type: 'quantitative', ...y }, color,
        },
      },
      ...marker,
    ],
  });
  return figure({
    title: { text: title, subtitle: grok === null ? `test accuracy never reached ${GROKKED * 100} %` : `grokking: test accuracy ≥ ${GROKKED * 100} % from step ${grok} (dashed)` },
    hconcat: [
      panel('loss', { title: 'cross-entropy loss (nats, log scale)', scale: { type: 'log' }, axis: { format: '~e' } }),
      panel('accuracy', { title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } }),
    ],
    resolve: { scale: { color: 'shared' } },
  });
}
