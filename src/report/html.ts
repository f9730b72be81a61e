// The report pages' shared pieces: one self-contained HTML document (inline CSS, inline SVG figures, no script, and a
// Content-Security-Policy that forbids every load, so the page opens from file:// and never reaches the network),
// escaping, and how numbers read.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number to `digits` significant digits, exponent form when very large or small; null/undefined/NaN as a dash. */
export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

/** A share as a percentage. */
export const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(digits)} %`);

/** An HTML table; cells are HTML already (escape text with esc). */
export function table(head: string[], rows: string[][], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/**
 * An SVG inlined in the page. Vega names its clip paths and gradients clip1, gradient_0, … in every SVG, so each
 * figure's ids get its own prefix: otherwise a later figure's url(#clip1) would use an earlier figure's clip.
 */
export function inlineSvg(svg: string, id: string): string {
  return svg
    .replace(/<\?xml[^>]*>/, '')
    .replace(/\bid="([^"]+)"/g, `id="${id}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${id}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${id}-$1"`)
    .replace(/^<svg /, `<svg id="${id}" `);
}

/**
 * A figure read from `<dir>/<file>.svg` with its caption and a link to its spec (<file>.vl.json beside it); a missing
 * figure becomes a note saying which command draws it.
 */
export function figureFrom(root: string, file: string, caption: string, missing: string): string {
  const path = join(root, `${file}.svg`);
  if (!existsSync(path)) return `<p class="missing">Figure ${esc(file)}.svg is not there: ${missing}</p>`;
  return figureHtml(readFileSync(path, 'utf8'), file, caption);
}

/** A rendered figure (file: its path from the page, without .svg) with its caption and a link to its spec. */
export function figureHtml(svg: string, file: string, caption: string): string {
  const id = `fig-${file.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return `<figure>${inlineSvg(svg, id)}<figcaption>${caption} <a class="spec" href="${esc(file)}.vl.json">Vega-Lite spec</a></figcaption></figure>`;
}

const STYLE = `
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: #222; max-width: 1180px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.lede { color: #555; } nav { margin: 1em 0; font-size: 0.95em; } nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; } th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #e4e4e4; text-align: right; }
th { background: #f5f5f5; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
table.kv td:first-child { color: #555; } table.kv td { text-align: left; } table.notes td:last-child, table.notes th:last-child { text-align: left; max-width: 34em; }
figure { margin: 1em 0; overflow-x: auto; } figure svg { max-width: none; } figcaption { font-size: 0.9em; color: #555; max-width: 900px; }
a.spec { font-size: 0.85em; color: #777; } .missing, .refused { color: #a33; } .ok { color: #1b7837; } .fail { color: #b2182b; }
div.grid { display: flex; flex-wrap: wrap; gap: 0 1.5em; } div.grid figure { margin: 0.5em 0; }
code { background: #f3f3f3; padding: 0 0.25em; border-radius: 3px; font-size: 0.92em; }
`;

/** The whole page: title, a navigation line over the sections, and the sections in order. */
export function page(title: string, lede: string, sections: { id: string; title: string; body: string }[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="lede">${lede}</p>
<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>
${sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.body}</section>`).join('\n')}
</body></html>
`;
}

/** A JSON file, or undefined when it is not there; a file that is there but unreadable is an error naming it. */
export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}
