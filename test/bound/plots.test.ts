// The bound report's plots: one certification map per figure with every input drawn once, and the cost plot with a point per
// figure that was not refused; from a planted structure's report.
import { describe, expect, it } from 'vitest';
import { boundStructure } from '../../src/bound/bound.js';
import { plantedStructure } from '../../src/bound/planted.js';
import { certifiedPlot, costPlot } from '../../src/bound/plots.js';
import { Rng } from '../../src/util/rng.js';

const info = { attention_rate: 0, structure_flops: 0 };

describe('bound plots', () => {
  it.each([11, 8])('certified.svg, p %i: four maps whose cells cover p² inputs each, titled with the certified share', (p) => {
    const { s } = plantedStructure(new Rng(3), p, 40, 0.02);
    const r = boundStructure(s, info, { M: 16, shape: true });
    const svg = certifiedPlot(r);
    const cells = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)" fill="#(1b7837|d9d9d9|b2182b)"\/>/g)];
    const cell = Number(cells[0][2]);
    const area = cells.reduce((t, m) => t + Number(m[1]) * Number(m[2]), 0) - 3 * 12 * 12; // less the legend's three swatches
    expect(area / (cell * cell)).toBeCloseTo(4 * p * p, 6);
    for (const name of ['brute_force', 'per_shift', 'compressed', 'compressed_uniform']) expect(svg).toContain(`${name}: `);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    // Every input drawn exactly once: the wrong ones (red) number the model's wrong answers.
    const red = (cells.filter((m) => m[3] === 'b2182b').reduce((t, m) => t + Number(m[1]), 0) - 12) / cell; // less the legend's swatch
    expect(red / 4).toBe(r.perInput.correct.reduce((t, x) => t + (x ? 0 : 1), 0));
  });

  it('cost.svg: a point per figure, refused ones left out', () => {
    const { s } = plantedStructure(new Rng(4), 7, 20, 0.02);
    const r = boundStructure(s, info, { M: 16, shape: true });
    expect(costPlot(r).match(/<circle /g)).toHaveLength(4);
    const refused = { ...r, tiers: { ...r.tiers, per_shift: { ...r.tiers.per_shift, eps_bound: Infinity, flops: 0 }, compressed: { ...r.tiers.compressed, eps_bound: Infinity, flops: 0, uniform: undefined } } };
    const svg = costPlot(refused);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    const zero = { ...refused, signal: 0, eps_true: 0, tiers: { ...refused.tiers, brute_force: { ...r.tiers.brute_force, eps_bound: 0 } } };
    expect(costPlot(zero)).not.toMatch(/NaN|Infinity|undefined/);
  });
});
