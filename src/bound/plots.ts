// The bound report's plots as SVG: which inputs each certified figure certifies, laid out by (a + b, a − b) like the
// analysis's logit table (a pizza's error depends mostly on a − b, so uncertified inputs fall in columns; odd p), and each
// figure's cost against its bound, the compact-proofs picture: cheaper proofs, looser bounds.
import { Panel, circle, rect, svgDocument, text } from '../util/svg.js';
import { BOUND_FIGURES, type BoundReport, type PerInput, boundFigure } from './bound.js';
import { modn } from './explanation.js';

const COLOURS = { certified: '#1b7837', uncertified: '#d9d9d9', wrong: '#b2182b' };

/**
 * Where input (a, b) is drawn: row (a + b) mod p, column (a − b) mod p, a bijection only for odd p (for even p the two have
 * the same parity and half the cells would be drawn twice), so even p falls back to row a, column b.
 */
function layout(p: number, a: number, b: number): [number, number] {
  return p % 2 ? [(a + b) % p, modn(a - b, p)] : [a, b];
}

/** A certified share rounded down, so that 99.96 % never reads 100 %. */
const share = (x: number, digits = 1) => `${(Math.floor(100 * 10 ** digits * x) / 10 ** digits).toFixed(digits)} %`;

/** One p×p map per figure: certified, correct but not certified, or wrong (the model's own answer). */
export function certifiedPlot(r: BoundReport & { perInput: PerInput }): string {
  const { p } = r;
  const cell = Math.max(2, Math.floor(220 / p));
  const side = cell * p;
  const figures = BOUND_FIGURES.filter((name) => boundFigure(r, name));
  const body: string[] = [];
  figures.forEach((name, n) => {
    const t = boundFigure(r, name)!;
    const panel = new Panel(60 + (n % 2) * (side + 90), 50 + Math.floor(n / 2) * (side + 80), side, side, 0, p, 0, p);
    const open = new Set(t.uncertified.map(([a, b]) => a * p + b));
    // grid[row][column], each row drawn as runs of one colour (a few hundred rects, not p²).
    const grid = Array.from({ length: p }, () => new Array<string>(p));
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const j = a * p + b;
        const [row, col] = layout(p, a, b);
        grid[row][col] = !r.perInput.correct[j] ? COLOURS.wrong : open.has(j) ? COLOURS.uncertified : COLOURS.certified;
      }
    }
    grid.forEach((row, s) => {
      for (let d = 0; d < p;) {
        let e = d + 1;
        while (e < p && row[e] === row[d]) e++;
        body.push(rect(panel.left + d * cell, panel.top + s * cell, (e - d) * cell, cell, `fill="${row[d]}"`));
        d = e;
      }
    });
    const eps = Number.isFinite(t.eps_bound) ? `ε̄ ${t.eps_bound.toPrecision(3)}` : 'refused';
    body.push(...panel.axes({
      xticks: [[0.5, '0'], [p - 0.5, String(p - 1)]], yticks: [[p - 0.5, '0'], [0.5, String(p - 1)]],
      xlabel: p % 2 ? '(a − b) mod p' : 'b', ylabel: p % 2 ? '(a + b) mod p' : 'a', title: `${name}: ${share(t.certified_accuracy)} (${eps})`,
    }));
  });
  const rows = Math.ceil(figures.length / 2);
  const legendY = 50 + rows * (side + 80);
  (['certified', 'uncertified', 'wrong'] as const).forEach((k, i) => {
    body.push(rect(60 + i * 150, legendY, 12, 12, `fill="${COLOURS[k]}"`));
    body.push(text(78 + i * 150, legendY + 11, k === 'uncertified' ? 'correct, not certified' : k === 'wrong' ? 'model wrong' : 'certified', { anchor: 'start' }));
  });
  return svgDocument(60 + 2 * (side + 90), legendY + 30, body);
}

/** Each figure's flops (log scale) against its ε̄, with the true ε and the signal as lines: refused figures are left out. */
export function costPlot(r: BoundReport): string {
  const points = BOUND_FIGURES.map((name) => ({ name, t: boundFigure(r, name) }))
    .filter((x): x is { name: (typeof BOUND_FIGURES)[number]; t: NonNullable<typeof x.t> } => !!x.t && Number.isFinite(x.t.eps_bound) && x.t.flops > 0);
  const lx = points.map((x) => Math.log10(x.t.flops));
  const x0 = Math.floor(Math.min(...lx, 6)) - 0.5;
  const x1 = Math.ceil(Math.max(...lx, 7)) + 0.5;
  const y1 = 1.15 * Math.max(r.signal, r.eps_true, ...points.map((x) => x.t.eps_bound)) || 1;
  const panel = new Panel(70, 40, 460, 300, x0, x1, 0, y1);
  const body: string[] = [];
  // Labelled at the left end, away from brute force, which sits on the true ε at the right.
  const line = (y: number, label: string, colour: string) => {
    body.push(`<line x1="${panel.px(x0).toFixed(2)}" y1="${panel.py(y).toFixed(2)}" x2="${panel.px(x1).toFixed(2)}" y2="${panel.py(y).toFixed(2)}" stroke="${colour}" stroke-dasharray="4 3"/>`);
    body.push(text(panel.px(x0) + 4, panel.py(y) - 4, label, { anchor: 'start' }));
  };
  line(r.signal, `signal ${r.signal.toPrecision(3)}`, '#666');
  line(r.eps_true, `true ε ${r.eps_true.toPrecision(3)}`, '#b2182b');
  points.forEach(({ name, t }) => {
    body.push(circle(panel.px(Math.log10(t.flops)), panel.py(t.eps_bound), 5, 'fill="#2166ac"'));
    body.push(text(panel.px(Math.log10(t.flops)) + 8, panel.py(t.eps_bound) + 4, `${name} (${share(t.certified_accuracy, 0)})`, { anchor: 'start', size: 11 }));
  });
  const xticks: [number, string][] = [];
  for (let e = Math.ceil(x0); e <= x1; e++) xticks.push([e, `1e${e}`]);
  const yticks: [number, string][] = [0, 0.25, 0.5, 0.75, 1].map((f) => [f * y1, (f * y1).toPrecision(2)]);
  body.push(...panel.axes({ xticks, yticks, xlabel: 'flops', ylabel: 'ε̄', title: 'cost of each certificate against its bound (certified share)' }));
  return svgDocument(600, 400, body);
}
