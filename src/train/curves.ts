// The training curves as one SVG: loss (log scale) and accuracy against step, train and test, so the
// delayed jump of grokking is visible at a glance.
import { Panel, polyline, svgDocument, text } from '../util/svg.js';
import type { MetricsLine } from './run.js';

const TRAIN = 'stroke="#2166ac" stroke-width="1.5"';
const TEST = 'stroke="#b2182b" stroke-width="1.5"';

export function trainingCurves(m: readonly MetricsLine[], title: string): string {
  const steps = Math.max(1, ...m.map((x) => x.step));
  const logs = m.flatMap((x) => [x.train_loss, x.test_loss]).filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  const lo = Math.floor(Math.min(0, ...logs));
  const hi = Math.ceil(Math.max(1, ...logs));
  const xticks = [0, 0.25, 0.5, 0.75, 1].map((t) => [Math.round(t * steps), String(Math.round(t * steps))] as [number, string]);
  const loss = new Panel(70, 40, 380, 260, 0, steps, lo, hi);
  const acc = new Panel(540, 40, 380, 260, 0, steps, 0, 1);
  const line = (p: Panel, key: keyof MetricsLine, style: string, f: (v: number) => number) =>
    polyline(m.filter((x) => Number.isFinite(f(x[key]))).map((x) => [p.px(x.step), p.py(f(x[key]))]), style);
  const log = (v: number) => (v > 0 ? Math.log10(v) : NaN);
  const id = (v: number) => v;
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => [lo + i, `1e${lo + i}`] as [number, string]);
  return svgDocument(960, 370, [
    text(480, 18, title, { size: 14 }),
    ...loss.axes({ xticks, yticks: decades, xlabel: 'step', ylabel: 'loss', title: 'cross-entropy' }),
    line(loss, 'train_loss', TRAIN, log),
    line(loss, 'test_loss', TEST, log),
    ...acc.axes({ xticks, yticks: [0, 0.25, 0.5, 0.75, 1].map((v) => [v, `${v * 100}%`]), xlabel: 'step', ylabel: 'accuracy', title: 'accuracy' }),
    line(acc, 'train_accuracy', TRAIN, id),
    line(acc, 'test_accuracy', TEST, id),
    `<line x1="380" y1="352" x2="410" y2="352" ${TRAIN}/>`, text(415, 356, 'train', { anchor: 'start' }),
    `<line x1="480" y1="352" x2="510" y2="352" ${TEST}/>`, text(515, 356, 'test (held-out pairs)', { anchor: 'start' }),
  ]);
}
