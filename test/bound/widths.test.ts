// Every width (issue 14): small models trained here (src/train, a few hundred steps) at d_mlp 32 … 2048, where clusters of one
// or two neurons, dead neurons and neurons shared by frequencies occur, run every tier or are refused with a reason; the ladder
// holds (no tier certifies an input brute force does not), every ε̄ ≥ the proven lower end of ε, and brute force's certified
// inputs are correct in exact arithmetic (all of them, or every fourth at d_mlp 2048).
import { describe, expect, it } from 'vitest';
import { BOUND_FIGURES, boundFigure, boundModel } from '../../src/bound/bound.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { applyOverrides, preset } from '../../src/train/config.js';
import { prepareRun, runFiles, runTraining } from '../../src/train/run.js';
import { tempDir } from '../helpers.js';
import { exactCorrect } from './exact.js';

async function trained(dMlp: number, steps: number) {
  const dir = tempDir('widths');
  const cfg = applyOverrides(preset('pizza'), [['p', '17'], ['d-model', '24'], ['d-mlp', String(dMlp)], ['n-heads', '2'], ['steps', String(steps)], ['eval-every', '50'], ['checkpoint-every', '1000']]);
  await runTraining(dir, prepareRun(dir, cfg), { quiet: true });
  return loadCheckpoint(runFiles(dir).model);
}

describe('every width', () => {
  it.each([[32, 400], [128, 400], [512, 300], [2048, 200]])('d_mlp %i (%i steps): every tier sound, the ladder holds, refusals say why', async (dMlp, steps) => {
    const { cfg, params } = await trained(dMlp, steps);
    const r = boundModel(cfg, params, { M: 32, shape: true });
    const p = cfg.p;
    const certified = (name: (typeof BOUND_FIGURES)[number]) => {
      const t = boundFigure(r, name);
      const open = new Set((t?.uncertified ?? []).map(([a, b]) => a * p + b));
      return t ? Array.from({ length: p * p }, (_, j) => j).filter((j) => !open.has(j)) : [];
    };
    const brute = new Set(certified('brute_force'));
    for (const name of BOUND_FIGURES) {
      const t = boundFigure(r, name);
      if (!t) continue;
      for (const j of certified(name)) expect(brute.has(j), `${name} certifies input ${j} beyond brute force`).toBe(true);
      if (Number.isFinite(t.eps_bound)) expect(t.eps_bound).toBeGreaterThanOrEqual(r.eps_range[0]);
      else expect(r.refused, `${name} has no ε̄ but nothing was refused`).toBeTruthy();
    }
    expect(r.accuracy_range[0]).toBe(r.tiers.brute_force.certified_accuracy);
    expect(r.tiers.brute_force.certified_accuracy).toBeGreaterThan(0.5); // brute force proves what the model gets right (82–90 % here)
    // Exact judge on brute force's certified inputs (every fourth at d_mlp 2048, where exact arithmetic is slow).
    const ids = [...brute].filter((_, i) => dMlp < 2048 || i % 4 === 0);
    const exact = exactCorrect(cfg, params, ids);
    for (const j of ids) expect(exact[j], `brute force certifies input ${j}, wrong in exact arithmetic`).toBe(1);
    expect(r.summary.ladder).toHaveLength(4);
  }, 600_000);
});
