// The bound report's figures: one certification map per figure with every input drawn once, and the cost plot with a point
// per figure that was not refused; from a planted structure's report. Read from the specs' data, then rendered.
import { describe, expect, it } from 'vitest';
import { boundStructure } from '../../src/bound/bound.js';
import { certifiedFigure, costFigure } from '../../src/bound/figures.js';
import { plantedStructure } from '../../src/bound/planted.js';
import { renderSvg } from '../../src/plot/figure.js';
import { Rng } from '../../src/util/rng.js';

const info = { attention_rate: 0, structure_flops: 0 };
type Run = { row: number; col: number; col2: number; state: string; cells: number };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (f: unknown) => f as any;

describe('bound figures', () => {
  it.each([11, 8])('certified, p %i: four maps whose runs cover p² inputs each, titled with the certified share', async (p) => {
    const { s } = plantedStructure(new Rng(3), p, 40, 0.02);
    const r = boundStructure(s, info, { M: 16, shape: true });
    const f = spec(certifiedFigure(r));
    expect(f.concat.map((m: { title: string }) => m.title.split(':')[0])).toEqual(['brute_force', 'per_shift', 'compressed', 'compressed_uniform']);
    const wrong = r.perInput.correct.reduce((t, x) => t + (x ? 0 : 1), 0);
    for (const m of f.concat) {
      const runs: Run[] = m.data.values;
      // Every input drawn exactly once: the cells of each row sum to p, the rows are 0..p−1, the wrong ones number the model's wrong answers.
      expect(runs.reduce((t, x) => t + x.cells, 0)).toBe(p * p);
      for (let row = 0; row < p; row++) expect(runs.filter((x) => x.row === row).reduce((t, x) => t + x.col2 - x.col, 0)).toBe(p);
      expect(runs.filter((x) => x.state === 'model wrong').reduce((t, x) => t + x.cells, 0)).toBe(wrong);
    }
    const svg = await renderSvg(certifiedFigure(r));
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    for (const name of ['brute_force', 'per_shift', 'compressed', 'compressed_uniform']) expect(svg).toContain(`${name}: `);
  });

  it('cost: a point per figure, refused ones left out, finite with a zero ε and signal', async () => {
    const { s } = plantedStructure(new Rng(4), 7, 20, 0.02);
    const r = boundStructure(s, info, { M: 16, shape: true });
    const points = (f: unknown) => spec(f).layer[1].data.values;
    expect(points(costFigure(r))).toHaveLength(4);
    const refused = { ...r, tiers: { ...r.tiers, per_shift: { ...r.tiers.per_shift, eps_bound: Infinity, flops: 0 }, compressed: { ...r.tiers.compressed, eps_bound: Infinity, flops: 0, uniform: undefined } } };
    expect(points(costFigure(refused)).map((x: { tier: string }) => x.tier)).toEqual(['brute_force']);
    const svg = await renderSvg(costFigure(refused));
    expect(svg.match(/<title>[^<]*tier: /g)).toHaveLength(1); // the one point's tooltip
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    const zero = { ...refused, signal: 0, eps_true: 0, tiers: { ...refused.tiers, brute_force: { ...r.tiers.brute_force, eps_bound: 0 } } };
    expect(await renderSvg(costFigure(zero))).not.toMatch(/NaN|Infinity|undefined/);
  });
});
