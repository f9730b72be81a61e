// The bound report's figures as Vega-Lite specs: which inputs each certified figure certifies, laid out by (a + b, a − b)
// like the analysis's logit table (a pizza's error depends mostly on a − b, so uncertified inputs fall in columns), and
// each figure's cost against its bound, the compact-proofs picture: cheaper proofs, looser bounds.
import { tableAxes, tableCell } from '../interp/figures.js';
import { type Figure, figure, sig } from '../plot/figure.js';
import { BOUND_FIGURES, type BoundReport, type PerInput, boundFigure } from './bound.js';

const STATES = { certified: '#1b7837', 'correct, not certified': '#d9d9d9', 'model wrong': '#b2182b' } as const;
type State = keyof typeof STATES;

/** A certified share rounded down, so that 99.96 % never reads 100 %. */
export const certifiedShare = (x: number, digits = 1) => `${(Math.floor(100 * 10 ** digits * x) / 10 ** digits).toFixed(digits)} %`;

/** One p×p map per figure: certified, correct but not certified, or wrong (the model's own answer). */
export function certifiedFigure(r: BoundReport & { perInput: PerInput }): Figure {
  const { p } = r;
  const side = Math.max(2, Math.floor(220 / p)) * p;
  const axes = tableAxes(p);
  const maps = BOUND_FIGURES.filter((name) => boundFigure(r, name)).map((name) => {
    const t = boundFigure(r, name)!;
    const open = new Set(t.uncertified.map(([a, b]) => a * p + b));
    const grid = Array.from({ length: p }, () => new Array<State>(p));
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const j = a * p + b;
        const { row, col } = tableCell(p, a, b);
        grid[row][col] = !r.perInput.correct[j] ? 'model wrong' : open.has(j) ? 'correct, not certified' : 'certified';
      }
    }
    // Each row drawn as runs of one state (a few hundred rectangles, not p²).
    const runs: { row: number; row2: number; col: number; col2: number; state: State; cells: number }[] = [];
    grid.forEach((cells, row) => {
      for (let col = 0; col < p;) {
        let end = col + 1;
        while (end < p && cells[end] === cells[col]) end++;
        runs.push({ row, row2: row + 1, col, col2: end, state: cells[col], cells: end - col });
        col = end;
      }
    });
    const eps = Number.isFinite(t.eps_bound) ? `ε̄ ${t.eps_bound.toPrecision(3)}` : 'refused';
    const cell = (title: string, field: string) => ({ field, type: 'quantitative', title, scale: { domain: [0, p], nice: false }, axis: { values: [0, p - 1].map((v) => v + 0.5), labelExpr: 'datum.value - 0.5' } });
    return {
      width: side, height: side, title: `${name}: ${certifiedShare(t.certified_accuracy)} certified (${eps})`,
      data: { values: runs },
      mark: { type: 'rect' },
      encoding: {
        x: cell(axes.x, 'col'), x2: { field: 'col2' },
        y: { ...cell(axes.y, 'row'), scale: { domain: [0, p], nice: false, reverse: true } }, y2: { field: 'row2' },
        color: { field: 'state', type: 'nominal', title: null, scale: { domain: Object.keys(STATES), range: Object.values(STATES) }, legend: { orient: 'bottom', labelLimit: 300 } },
        tooltip: [{ field: 'cells', type: 'quantitative', title: 'inputs in this run' }],
      },
    };
  });
  return figure({
    title: { text: 'What each certificate certifies', subtitle: `every input (a, b) of p = ${p}; ${p % 2 ? 'row (a + b) mod p, column (a − b) mod p' : 'row a, column b (even p)'}` },
    columns: 2, concat: maps, resolve: { scale: { color: 'shared' } },
  });
}

/** Each figure's flops (log scale) against its ε̄, with the true ε and the signal as lines: refused figures are left out. */
export function costFigure(r: Pick<BoundReport, 'tiers' | 'eps_true' | 'signal'>): Figure {
  const points = BOUND_FIGURES.flatMap((name) => {
    const t = boundFigure(r, name);
    return t && Number.isFinite(t.eps_bound) && t.flops > 0
      ? [{ tier: name, eps_bound: sig(t.eps_bound), flops: t.flops, seconds: sig(t.seconds, 3), certified: t.certified_accuracy, label: `${name} (${certifiedShare(t.certified_accuracy, 0)})` }]
      : [];
  });
  const lines = [{ y: sig(r.signal), label: `signal ${r.signal.toPrecision(3)}` }, { y: sig(r.eps_true), label: `true ε ${r.eps_true.toPrecision(3)}` }];
  const top = 1.15 * Math.max(r.signal, r.eps_true, ...points.map((x) => x.eps_bound)) || 1;
  const flops = points.map((x) => x.flops);
  const x = { field: 'flops', type: 'quantitative', title: 'flops of the certificate (log scale)', scale: { type: 'log', domain: [10 ** Math.floor(Math.log10(Math.min(...flops, 1e6)) - 0.3), 10 ** Math.ceil(Math.log10(Math.max(...flops, 1e7)) + 0.3)] }, axis: { format: '~e' } };
  const y = { type: 'quantitative', title: 'bound ε̄ on max |M − M̂| (logit units)', scale: { domain: [0, top], nice: false } };
  return figure({
    title: { text: 'Cost of each certificate against its bound', subtitle: 'in brackets: the share of inputs it certifies; cheaper proofs, looser bounds' },
    width: 460, height: 300,
    layer: [
      {
        data: { values: lines },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'y', ...y }, color: { field: 'label', type: 'nominal', scale: { range: ['#666', '#b2182b'] }, legend: null } } },
          { mark: { type: 'text', align: 'left', dx: 4, dy: -6 }, encoding: { x: { value: 0 }, y: { field: 'y', ...y }, text: { field: 'label' }, color: { field: 'label', type: 'nominal', legend: null } } },
        ],
      },
      {
        data: { values: points },
        layer: [
          {
            mark: { type: 'point', filled: true, size: 80, color: '#2166ac' },
            encoding: {
              x, y: { field: 'eps_bound', ...y },
              tooltip: [{ field: 'tier' }, { field: 'seconds', type: 'quantitative', title: 'seconds' }, { field: 'certified', type: 'quantitative', title: 'certified', format: '.2%' }],
            },
          },
          { mark: { type: 'text', align: 'left', dx: 8, dy: 4, fontSize: 11 }, encoding: { x, y: { field: 'eps_bound', ...y }, text: { field: 'label' } } },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });
}

/** The bound's figures by file name. */
export const boundFigures = (r: BoundReport & { perInput: PerInput }): Record<string, Figure> => ({ certified: certifiedFigure(r), cost: costFigure(r) });
