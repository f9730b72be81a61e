// Figures as Vega-Lite specs rendered to SVG in Node (vega's headless View: renderer 'none', no canvas or
// browser). Every figure is written twice, the spec as <name>.vl.json (open it in the Vega editor, or load it
// with Altair) and its rendering as <name>.svg, so there is one way to draw: a spec.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../io/atomic.js';

export type Figure = TopLevelSpec;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One look for every figure: plain fonts, titles left-aligned, axis titles not bold. */
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { titleFontWeight: 'normal', titleFontSize: 12, labelFontSize: 11, grid: true, gridColor: '#eee' },
  legend: { titleFontWeight: 'normal', titleFontSize: 12, labelFontSize: 11 },
  header: { titleFontWeight: 'normal', labelFontSize: 12 },
  view: { stroke: '#bbb' },
} as const;

/** A spec with the schema, white background and the shared look; `spec` is any Vega-Lite top-level spec body. */
export function figure(spec: Record<string, unknown>): Figure {
  return { $schema: SCHEMA, background: 'white', config: CONFIG, ...spec } as unknown as Figure;
}

/**
 * Render a spec to a standalone SVG string. Vega labels each data mark with an aria-label (its encoded fields and
 * the tooltip's, so a spec's tooltip lists only fields not on another channel); the label becomes the mark's <title>
 * child, which browsers show as a tooltip over inline SVG and screen readers read.
 */
export async function renderSvg(spec: Figure): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return withTitles(await view.toSVG());
  } finally {
    view.finalize();
  }
}

function withTitles(svg: string): string {
  return svg.replace(/<(\w+) aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="[^"]*"([^<>]*?)\/>/g, '<$1$3><title>$2</title></$1>');
}

/** Figures rendered: each spec with its SVG, by file name. */
export type Rendered = Record<string, { spec: Figure; svg: string }>;

export async function renderFigures(figures: Record<string, Figure>): Promise<Rendered> {
  const out: Rendered = {};
  for (const [name, spec] of Object.entries(figures)) out[name] = { spec, svg: await renderSvg(spec) };
  return out;
}

/** Write each rendered figure as <dir>/<name>.vl.json and <dir>/<name>.svg, atomically. */
export function saveFigures(dir: string, rendered: Rendered): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, { spec, svg }] of Object.entries(rendered)) {
    writeFileAtomic(join(dir, `${name}.vl.json`), JSON.stringify(spec) + '\n');
    writeFileAtomic(join(dir, `${name}.svg`), svg);
  }
}

/** Render every figure, then write them all: a figure that fails to render leaves no set half-updated. */
export async function writeFigures(dir: string, figures: Record<string, Figure>): Promise<Rendered> {
  const rendered = await renderFigures(figures);
  saveFigures(dir, rendered);
  return rendered;
}

/** Axis ticks at multiples of π/2 over [−π, π], labelled as such (an angle in radians). */
export const PI_AXIS = {
  values: [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI],
  labelExpr: "abs(datum.value) < 0.1 ? '0' : (datum.value < 0 ? '−' : '') + (abs(datum.value) < 2 ? 'π/2' : 'π')",
};

/** Round to `digits` significant digits, so data (and tooltips) carry what a reader can use, not 17 digits. */
export const sig = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
