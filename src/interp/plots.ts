// The analysis plots (issue 4) as SVG: ψ against φ per cluster, one cluster's rectangles under f_c, and the
// correct-logit table by (a + b, a − b).
import { fc } from './integral.js';
import { correctLogitTable } from './pizza_clock.js';
import { Panel, circle, diverging, polyline, rect, svgDocument, text } from '../util/svg.js';
import type { AnalysisData } from './analysis.js';
import { wrapAngle } from './fourier.js';

const PI_TICKS: [number, string][] = [[-Math.PI, '−π'], [-Math.PI / 2, '−π/2'], [0, '0'], [Math.PI / 2, 'π/2'], [Math.PI, 'π']];

/** ψ_i against φ_i for every cluster, with the line ψ = 2φ (mod 2π): phase doubling at a glance. */
export function phasePlot(d: AnalysisData): string {
  const size = 240;
  const gap = 80;
  const body: string[] = [];
  d.clusters.forEach((c, t) => {
    const panel = new Panel(70 + t * (size + gap), 40, size, size, -Math.PI, Math.PI, -Math.PI, Math.PI);
    body.push(...panel.axes({ xticks: PI_TICKS, yticks: PI_TICKS, xlabel: 'φ (input phase)', ylabel: 'ψ (output phase)', title: `k = ${c.k}: ${c.neurons.length} neurons` }));
    // ψ = 2φ wrapped into [−π, π]: three straight pieces.
    const pieces: [number, number, number, number][] = [[-Math.PI, 0, -Math.PI / 2, Math.PI], [-Math.PI / 2, -Math.PI, Math.PI / 2, Math.PI], [Math.PI / 2, -Math.PI, Math.PI, 0]];
    for (const [xa, ya, xb, yb] of pieces) {
      body.push(polyline([[panel.px(xa), panel.py(ya)], [panel.px(xb), panel.py(yb)]], 'stroke="#b2182b" stroke-width="1.5" stroke-dasharray="5,3"'));
    }
    for (const i of c.neurons) body.push(circle(panel.px(d.neurons[i].phi), panel.py(d.neurons[i].psi), 2.2, 'fill="#2166ac" fill-opacity="0.6"'));
  });
  const width = 70 + d.clusters.length * (size + gap);
  body.push(text(70, size + 100, 'dots: neurons (φ_i, ψ_i); dashed: ψ = 2φ (mod 2π)', { anchor: 'start' }));
  return svgDocument(Math.max(width, 400), size + 115, body);
}

/**
 * One cluster's quadrature at shift x = 0: the curve f_c(u) = ReLU(cos u)·cos 2u over a period and the
 * neurons as rectangles of width 2π·w_i/W (laid end to end in the order of their nodes u_i = φ_i) and
 * height f_c(u_i), so the rectangles' total area is the quadrature sum and the area under the curve the
 * integral 2/3. Dots mark the nodes on the curve.
 */
export function rectanglesPlot(d: AnalysisData, clusterIndex = 0): string {
  const c = d.clusters[clusterIndex];
  if (!c) throw new Error(`rectanglesPlot: no cluster ${clusterIndex} (the model has ${d.clusters.length})`);
  const panel = new Panel(70, 40, 720, 320, -Math.PI, Math.PI, -0.6, 1.05);
  const body = panel.axes({ xticks: PI_TICKS, yticks: [[-0.5, '−0.5'], [0, '0'], [0.5, '0.5'], [1, '1']], xlabel: 'u = φ_i + x (x = 0)', ylabel: 'f_c(u) = ReLU(cos u)·cos 2u', title: `cluster k = ${c.k}: ${c.neurons.length} neurons as rectangles under f_c` });
  const nodes = c.neurons.map((i) => ({ u: wrapAngle(d.neurons[i].phi), w: d.neurons[i].w })).sort((a, b) => a.u - b.u);
  let left = -Math.PI;
  let area = 0;
  for (const n of nodes) {
    const width = (2 * Math.PI * n.w) / c.weight;
    const h = fc(n.u);
    area += width * h;
    const [y0, y1] = [panel.py(Math.max(h, 0)), panel.py(Math.min(h, 0))];
    body.push(rect(panel.px(left), y0, panel.px(left + width) - panel.px(left), y1 - y0, `fill="${h >= 0 ? '#92c5de' : '#f4a582'}" stroke="#555" stroke-width="0.3"`));
    left += width;
  }
  body.push(polyline([[panel.px(-Math.PI), panel.py(0)], [panel.px(Math.PI), panel.py(0)]], 'stroke="#999"'));
  body.push(polyline(Array.from({ length: 401 }, (_, j) => {
    const u = -Math.PI + (2 * Math.PI * j) / 400;
    return [panel.px(u), panel.py(fc(u))] as [number, number];
  }), 'stroke="#b2182b" stroke-width="2"'));
  for (const n of nodes) body.push(circle(panel.px(n.u), panel.py(fc(n.u)), 1.8, 'fill="#333"'));
  body.push(text(780, 60, `rectangles' area ${area.toFixed(4)}, integral 2/3 = ${(2 / 3).toFixed(4)}`, { anchor: 'end' }));
  return svgDocument(820, 420, body);
}

/** The correct logit as a heat map over rows (a + b) mod p and columns (a − b) mod p. */
export function logitTablePlot(d: AnalysisData): string {
  const { p } = d.cfg;
  const t = correctLogitTable(d.cfg, d.evaluation.logits);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of t) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const cell = Math.max(4, Math.floor(480 / p));
  const panel = new Panel(70, 40, cell * p, cell * p, 0, p, 0, p);
  const body: string[] = [];
  for (let s = 0; s < p; s++) {
    for (let k = 0; k < p; k++) {
      // Row s = a + b from the top, column k = a − b.
      body.push(rect(panel.left + k * cell, panel.top + s * cell, cell, cell, `fill="${diverging((t[s * p + k] - lo) / (hi - lo || 1))}"`));
    }
  }
  const ticks = [0, Math.floor(p / 4), Math.floor(p / 2), Math.floor((3 * p) / 4), p - 1];
  body.push(...panel.axes({
    xticks: ticks.map((v) => [v + 0.5, String(v)]), yticks: ticks.map((v) => [p - v - 0.5, String(v)]),
    xlabel: '(a − b) mod p', ylabel: '(a + b) mod p', title: 'correct logit by (a + b, a − b)',
  }));
  // Colour bar.
  const bx = panel.left + panel.width + 30;
  for (let j = 0; j < 100; j++) body.push(rect(bx, panel.top + panel.height * (1 - (j + 1) / 100), 16, panel.height / 100 + 0.5, `fill="${diverging((j + 0.5) / 100)}"`));
  body.push(text(bx + 20, panel.top + 10, hi.toFixed(1), { anchor: 'start' }));
  body.push(text(bx + 20, panel.top + panel.height, lo.toFixed(1), { anchor: 'start' }));
  return svgDocument(bx + 90, panel.height + 100, body);
}
