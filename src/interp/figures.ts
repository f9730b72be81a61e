// The analysis's figures (SPEC §2, §3, §5) as Vega-Lite specs: the Fourier picture (frequencies, cluster sizes,
// each neuron's weight), ψ against φ per cluster (phase doubling), each cluster's neurons as rectangles under
// f_c (the quadrature), and the correct-logit table by (a + b, a − b).
import { PI_AXIS, type Figure, figure, sig } from '../plot/figure.js';
import type { AnalysisData } from './analysis.js';
import { wrapAngle } from './fourier.js';
import { INTEGRAL_FC, fc } from './integral.js';

const TWO_PI = 2 * Math.PI;

/**
 * Where input (a, b) sits in a p×p table: row (a + b) mod p, column (a − b) mod p, a bijection only for odd p (for even p
 * the two have the same parity and half the cells would be drawn twice), so even p falls back to row a, column b.
 */
export function tableCell(p: number, a: number, b: number): { row: number; col: number } {
  return p % 2 ? { row: (a + b) % p, col: (((a - b) % p) + p) % p } : { row: a, col: b };
}

/** The table's axis titles, matching tableCell. */
export const tableAxes = (p: number) => (p % 2 ? { x: '(a − b) mod p', y: '(a + b) mod p' } : { x: 'b', y: 'a' });

/** Cluster sizes by frequency, and every neuron's weight w_i = r_i·s_i coloured by its frequency (dead neurons grey). */
export function fourierFigure(d: AnalysisData): Figure {
  const neurons = d.neurons.map((n, i) => ({ neuron: i, k: n.alive ? String(n.k) : 'dead', w: sig(n.w), r: sig(n.r), s: sig(n.s) }));
  const sizes = d.clusters.map((c) => ({ k: String(c.k), neurons: c.neurons.length, W: sig(c.weight) }));
  const ks = d.clusters.map((c) => String(c.k));
  const color = { field: 'k', type: 'nominal', title: 'frequency k', scale: { domain: [...ks, 'dead'], range: [...ks.map((_, i) => ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'][i % 10]), '#cccccc'] } };
  return figure({
    title: { text: 'The Fourier picture', subtitle: `${d.clusters.length} clusters of live neurons by frequency k (ω_k = 2πk/p, p = ${d.cfg.p})` },
    hconcat: [
      {
        width: 180, height: 240, data: { values: sizes },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'k', type: 'nominal', title: 'frequency k', sort: ks, axis: { labelAngle: 0 } },
          y: { field: 'neurons', type: 'quantitative', title: 'neurons in the cluster' }, color,
          tooltip: [{ field: 'W', type: 'quantitative', title: 'W_k = Σ w_i' }],
        },
      },
      {
        width: 480, height: 240, data: { values: neurons },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.8 },
        encoding: {
          x: { field: 'neuron', type: 'quantitative', title: 'neuron i', scale: { domain: [0, d.cfg.d_mlp - 1], nice: false } },
          y: { field: 'w', type: 'quantitative', title: 'weight w_i = r_i·s_i (logit units)' }, color,
          tooltip: [{ field: 'r', type: 'quantitative', title: 'r_i (U, V amplitude)' }, { field: 's', type: 'quantitative', title: 's_i (W_L amplitude)' }],
        },
      },
    ],
  });
}

/** ψ_i against φ_i for every cluster, with the line ψ = 2φ (mod 2π): phase doubling at a glance. */
export function phasesFigure(d: AnalysisData): Figure {
  // ψ = 2φ wrapped into [−π, π]: three straight pieces.
  const doubling = [[-Math.PI, 0, -Math.PI / 2, Math.PI], [-Math.PI / 2, -Math.PI, Math.PI / 2, Math.PI], [Math.PI / 2, -Math.PI, Math.PI, 0]]
    .map(([x, y, x2, y2]) => ({ x, y, x2, y2 }));
  const angle = (title: string) => ({ type: 'quantitative', title, scale: { domain: [-Math.PI, Math.PI], nice: false }, axis: PI_AXIS });
  return figure({
    title: { text: 'Phase doubling: ψ_i ≈ 2φ_i', subtitle: 'each dot a neuron (input phase φ_i of U and V, output phase ψ_i of W_L); dashed: ψ = 2φ (mod 2π)' },
    columns: 3,
    concat: d.clusters.map((c) => ({
      width: 220, height: 220, title: `k = ${c.k}: ${c.neurons.length} neurons`,
      layer: [
        { data: { values: doubling }, mark: { type: 'rule', color: '#b2182b', strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x: { field: 'x', ...angle('φ_i (rad)') }, y: { field: 'y', ...angle('ψ_i (rad)') }, x2: { field: 'x2' }, y2: { field: 'y2' } } },
        {
          data: { values: c.neurons.map((i) => ({ neuron: i, phi: sig(d.neurons[i].phi), psi: sig(d.neurons[i].psi), w: sig(d.neurons[i].w) })) },
          mark: { type: 'point', filled: true, size: 16, opacity: 0.6, color: '#2166ac' },
          encoding: {
            x: { field: 'phi', ...angle('φ_i (rad)') }, y: { field: 'psi', ...angle('ψ_i (rad)') },
            tooltip: [{ field: 'neuron', type: 'quantitative' }, { field: 'w', type: 'quantitative', title: 'w_i' }],
          },
        },
      ],
    })),
  });
}

/**
 * Each cluster's quadrature at shift x = 0: the curve f_c(u) = ReLU(cos u)·cos 2u over a period and the neurons as
 * rectangles of width 2π·w_i/W (laid end to end in the order of their nodes u_i = φ_i) and height f_c(u_i), so the
 * rectangles' total area is the quadrature sum and the area under the curve the integral 2/3. Dots mark the nodes.
 */
export function rectanglesFigure(d: AnalysisData): Figure {
  const curve = Array.from({ length: 241 }, (_, j) => {
    const u = -Math.PI + (TWO_PI * j) / 240;
    return { u: sig(u), f: sig(fc(u)) };
  });
  const u = { type: 'quantitative', title: 'u = φ_i + x at x = 0 (rad)', scale: { domain: [-Math.PI, Math.PI], nice: false }, axis: PI_AXIS };
  const f = { type: 'quantitative', title: 'f_c(u) = ReLU(cos u)·cos 2u', scale: { domain: [-0.6, 1.05], nice: false } };
  return figure({
    title: { text: 'The integrand and its quadrature rectangles', subtitle: 'rectangle i: width 2π·w_i/W_k, height f_c(φ_i); their total area is the quadrature sum, the area under the curve the integral 2/3' },
    columns: 1,
    concat: d.clusters.map((c) => {
      const nodes = c.neurons.map((i) => ({ neuron: i, u: wrapAngle(d.neurons[i].phi), w: d.neurons[i].w })).sort((a, b) => a.u - b.u);
      let left = -Math.PI;
      const rects = nodes.map((n) => {
        const width = (TWO_PI * n.w) / c.weight;
        const h = fc(n.u);
        const r = { neuron: n.neuron, u0: sig(left, 6), u1: sig(left + width, 6), h: sig(h), node: sig(n.u), w: sig(n.w), sign: h >= 0 ? 'positive' : 'negative' };
        left += width;
        return r;
      });
      const area = rects.reduce((t, r) => t + (r.u1 - r.u0) * r.h, 0);
      return {
        width: 640, height: 220,
        title: { text: `k = ${c.k}: ${c.neurons.length} neurons`, subtitle: `rectangles' area ${area.toFixed(4)}, integral ${INTEGRAL_FC.toFixed(4)}` },
        layer: [
          {
            data: { values: rects },
            mark: { type: 'rect', stroke: '#555', strokeWidth: 0.3 },
            encoding: {
              x: { field: 'u0', ...u }, x2: { field: 'u1' }, y: { field: 'h', ...f }, y2: { datum: 0 },
              color: { field: 'sign', type: 'nominal', title: 'f_c(φ_i)', scale: { domain: ['positive', 'negative'], range: ['#92c5de', '#f4a582'] } },
              tooltip: [{ field: 'neuron', type: 'quantitative' }, { field: 'node', type: 'quantitative', title: 'node φ_i' }, { field: 'w', type: 'quantitative', title: 'w_i' }],
            },
          },
          { data: { values: curve }, mark: { type: 'line', color: '#b2182b', strokeWidth: 2 }, encoding: { x: { field: 'u', ...u }, y: { field: 'f', ...f } } },
          { data: { values: rects }, mark: { type: 'point', filled: true, size: 8, color: '#333' }, encoding: { x: { field: 'node', ...u }, y: { field: 'h', ...f } } },
        ],
      };
    }),
  });
}

/** The correct logit as a heat map over rows (a + b) mod p and columns (a − b) mod p (a and b for even p). */
export function logitTableFigure(d: AnalysisData): Figure {
  const { p, d_vocab_out: V } = d.cfg;
  const cells = [];
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const c = (a + b) % p;
      cells.push({ ...tableCell(p, a, b), a, b, logit: sig(d.evaluation.logits[(a * p + b) * V + c], 3) });
    }
  }
  const axes = tableAxes(p);
  const side = Math.max(4, Math.floor(480 / p)) * p;
  const ticks = [0, Math.floor(p / 4), Math.floor(p / 2), Math.floor((3 * p) / 4), p - 1];
  return figure({
    title: { text: 'The correct logit by (a + b, a − b)', subtitle: 'a pizza’s correct logit depends on a − b (columns); a clock’s barely does' },
    width: side, height: side, data: { values: cells },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'col', type: 'ordinal', title: axes.x, axis: { values: ticks, labelAngle: 0, grid: false } },
      y: { field: 'row', type: 'ordinal', title: axes.y, axis: { values: ticks, grid: false } },
      color: { field: 'logit', type: 'quantitative', title: 'correct logit', scale: { scheme: 'redblue', reverse: true } },
      tooltip: [{ field: 'a', type: 'quantitative' }, { field: 'b', type: 'quantitative' }],
    },
  });
}

/** Every analysis figure by file name; the phases and rectangles are drawn per cluster, so only when there is one. */
export function analysisFigures(d: AnalysisData): Record<string, Figure> {
  return {
    fourier: fourierFigure(d),
    ...(d.clusters.length ? { phases: phasesFigure(d), rectangles: rectanglesFigure(d) } : {}),
    logit_table: logitTableFigure(d),
  };
}
