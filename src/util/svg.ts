// Minimal SVG building blocks for the analysis plots: a panel maps data coordinates to pixels and draws
// axes; everything else is a string of elements. No dependency: the plots are a few hundred elements.

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number) => (Math.round(x * 100) / 100).toString();

export function svgDocument(width: number, height: number, body: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}

export const text = (x: number, y: number, s: string, opts: { anchor?: 'start' | 'middle' | 'end'; size?: number; rotate?: boolean } = {}) =>
  `<text x="${num(x)}" y="${num(y)}" text-anchor="${opts.anchor ?? 'middle'}"${opts.size ? ` font-size="${opts.size}"` : ''}${opts.rotate ? ` transform="rotate(-90 ${num(x)} ${num(y)})"` : ''}>${esc(s)}</text>`;

export const rect = (x: number, y: number, w: number, h: number, style: string) =>
  `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(w, 0))}" height="${num(Math.max(h, 0))}" ${style}/>`;

export const circle = (x: number, y: number, r: number, style: string) => `<circle cx="${num(x)}" cy="${num(y)}" r="${r}" ${style}/>`;

export const polyline = (pts: [number, number][], style: string) =>
  `<polyline fill="none" points="${pts.map(([x, y]) => `${num(x)},${num(y)}`).join(' ')}" ${style}/>`;

/** A rectangle of the page [left, top, width, height] showing data in [x0, x1] × [y0, y1]. */
export class Panel {
  constructor(
    readonly left: number, readonly top: number, readonly width: number, readonly height: number,
    readonly x0: number, readonly x1: number, readonly y0: number, readonly y1: number,
  ) {}

  px(x: number): number { return this.left + ((x - this.x0) / (this.x1 - this.x0)) * this.width; }
  py(y: number): number { return this.top + this.height - ((y - this.y0) / (this.y1 - this.y0)) * this.height; }

  /** Frame, ticks at the given data values with labels, axis titles and a title above. */
  axes(o: { xticks: [number, string][]; yticks: [number, string][]; xlabel: string; ylabel: string; title?: string }): string[] {
    const out = [rect(this.left, this.top, this.width, this.height, 'fill="none" stroke="#333"')];
    for (const [v, label] of o.xticks) {
      out.push(`<line x1="${num(this.px(v))}" y1="${num(this.top + this.height)}" x2="${num(this.px(v))}" y2="${num(this.top + this.height + 4)}" stroke="#333"/>`);
      out.push(text(this.px(v), this.top + this.height + 16, label));
    }
    for (const [v, label] of o.yticks) {
      out.push(`<line x1="${num(this.left - 4)}" y1="${num(this.py(v))}" x2="${num(this.left)}" y2="${num(this.py(v))}" stroke="#333"/>`);
      out.push(text(this.left - 6, this.py(v) + 4, label, { anchor: 'end' }));
    }
    out.push(text(this.left + this.width / 2, this.top + this.height + 34, o.xlabel));
    out.push(text(this.left - 40, this.top + this.height / 2, o.ylabel, { rotate: true }));
    if (o.title) out.push(text(this.left + this.width / 2, this.top - 8, o.title, { size: 13 }));
    return out;
  }
}

/** A perceptually ordered blue–white–red map for t in [0, 1]. */
export function diverging(t: number): string {
  const u = Math.min(Math.max(t, 0), 1);
  const lerp = (a: number[], b: number[], s: number) => a.map((x, i) => Math.round(x + (b[i] - x) * s));
  const [lo, mid, hi] = [[33, 102, 172], [247, 247, 247], [178, 24, 43]];
  const c = u < 0.5 ? lerp(lo, mid, u * 2) : lerp(mid, hi, (u - 0.5) * 2);
  return `rgb(${c.join(',')})`;
}
