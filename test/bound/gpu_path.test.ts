// The GPU path (boundModelGpu: the per-shift tier's sums and reduction on the GPU, brute force in float64 on the CPU as on
// the CPU path) against the CPU path: on real checkpoints it certifies what the CPU certifies. The CLI's two paths agree.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOUND_FIGURES, boundFigure, boundModel, boundModelGpu } from '../../src/bound/bound.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { MODEL_A, tempDir, testGpu } from '../helpers.js';

const CANONICAL = new URL('../../results/pizza-seed0/model.safetensors', import.meta.url).pathname;
const SCRIPT = new URL('../../scripts/bound.ts', import.meta.url).pathname;

describe('the GPU path (boundModelGpu)', () => {
  it("the project's trained model, plain integrands: the same brute force as the CPU, GPU ε̄ ≥ ε everywhere, certified inputs correct", async () => {
    const { g, k } = await testGpu();
    const { cfg, params } = loadCheckpoint(CANONICAL);
    // Plain integrands (no shape terms): the per-shift sums are one plain sum per cluster, scaled by 2|C| per distance.
    const opts = { M: 64, shape: false };
    const cpu = boundModel(cfg, params, opts);
    const gpu = await boundModelGpu(g, k, cfg, params, opts);
    expect(gpu.devices).toEqual({ forward: 'cpu', brute_force: 'cpu', per_shift: 'gpu+cpu', compressed: 'cpu', note: null });
    const p = cfg.p;
    // Brute force proves the model: every input of this 100 % model, on both paths, from the same float64 pass.
    expect(gpu.tiers.brute_force.certified_accuracy).toBe(1);
    expect(gpu.accuracy_range).toEqual([1, 1]);
    expect(gpu.perInput.brute_force).toEqual(cpu.perInput.brute_force);
    expect(gpu.perInput.correct).toEqual(cpu.perInput.correct);
    for (const t of ['brute_force', 'compressed'] as const) expect(gpu.tiers[t].uncertified).toEqual(cpu.tiers[t].uncertified);
    // Per shift, the GPU's quadrature sums are float32 with a larger proven allowance than float64's, and the signed
    // certificate uses them per input: a few borderline inputs certified on the CPU may not be on the GPU. Whatever the
    // GPU certifies is truly correct, and the two sets differ by at most 1 % of the inputs.
    const certifiedBy = (r: typeof gpu) => new Set(Array.from({ length: p * p }, (_, j) => j).filter((j) => !r.tiers.per_shift.uncertified.some(([a, b]) => a * p + b === j)));
    const [cg, cc] = [certifiedBy(gpu), certifiedBy(cpu)];
    for (const j of cg) expect(cpu.perInput.correct[j]).toBe(1);
    expect([...cg].filter((j) => !cc.has(j)).length + [...cc].filter((j) => !cg.has(j)).length).toBeLessThanOrEqual(0.01 * p * p);
    for (const t of ['per_shift', 'compressed'] as const) {
      for (let j = 0; j < p * p; j++) expect(gpu.perInput[t]![j]).toBeGreaterThanOrEqual(cpu.perInput.eps[j]);
      expect(Math.abs(gpu.tiers[t].eps_bound - cpu.tiers[t].eps_bound)).toBeLessThan(5e-3 * cpu.tiers[t].eps_bound); // the float32 sums' allowance
    }
  });

  // With W_in = 0 no neuron has a frequency: the explanation has no clusters (b_in = 0) or only empty ones (b_in ≠ 0).
  it.each([[5, 1, false], [7, 2, true]])('an explanation without neurons (p %i, seed %i, b_in ≠ 0: %s) runs on the GPU path and agrees with the CPU', async (p, seed, bias) => {
    const { g, k } = await testGpu();
    const cfg = makeConfig({ p, d_model: 8, n_heads: 1, d_mlp: 3, attention_rate: 0, attention_convention: 'sum' });
    const params = initParams(cfg, seed);
    params['blocks.0.mlp.W_in'].fill(0);
    if (bias) params['blocks.0.mlp.b_in'].set([0.5, -0.25, 1]);
    const gpu = await boundModelGpu(g, k, cfg, params, { M: 8, shape: true });
    const cpu = boundModel(cfg, params, { M: 8, shape: true });
    expect(gpu.explanation.clusters.reduce((t, c) => t + c.neurons, 0)).toBe(0);
    for (const name of BOUND_FIGURES) {
      expect(boundFigure(gpu, name)!.eps_bound).toBeGreaterThanOrEqual(cpu.eps_true);
      expect(boundFigure(gpu, name)!.certified_accuracy).toBe(boundFigure(cpu, name)!.certified_accuracy);
    }
  });

  it('α ≠ 0 (a clock-style model): falls back to the CPU, and says why', async () => {
    const { g, k } = await testGpu();
    const cfg = makeConfig({ p: 7, d_model: 8, n_heads: 2, d_mlp: 6, attention_rate: 1, attention_convention: 'sum' });
    const params = initParams(cfg, 5);
    const r = await boundModelGpu(g, k, cfg, params, { M: 4, shape: true });
    expect(r.devices).toMatchObject({ forward: 'cpu', brute_force: 'cpu', per_shift: 'cpu', compressed: 'cpu' });
    expect(r.devices.note).toMatch(/α = 1 ≠ 0/);
    expect(r.refused).toMatch(/α = 1 ≠ 0/);
    expect(r.perInput.brute_force).toEqual(boundModel(cfg, params, { M: 4, shape: true }).perInput.brute_force);
  });

  it('CLI on model A: the GPU (default) and --cpu certify the same inputs, the JSON says which device ran, --plots writes the plots', () => {
    const dir = tempDir('bound-cli');
    const run = (out: string, ...extra: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--checkpoint', MODEL_A, '--json', join(dir, out), '--M', '64', ...extra], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, out), 'utf8'));
    };
    const gpu = run('gpu.json', '--plots', join(dir, 'plots'));
    for (const f of ['certified', 'cost']) {
      expect(readFileSync(join(dir, 'plots', `${f}.svg`), 'utf8')).toMatch(/^<svg [^]*<\/svg>$/);
      expect(JSON.parse(readFileSync(join(dir, 'plots', `${f}.vl.json`), 'utf8')).$schema).toMatch(/vega-lite/);
    }
    const cpu = run('cpu.json', '--cpu');
    expect(gpu.devices).toEqual({ forward: 'cpu', brute_force: 'cpu', per_shift: 'gpu+cpu', compressed: 'cpu', note: null });
    expect(cpu.devices).toEqual({ forward: 'cpu', brute_force: 'cpu', per_shift: 'cpu', compressed: 'cpu', note: null });
    for (const t of ['brute_force', 'per_shift', 'compressed']) expect(gpu.tiers[t].uncertified).toEqual(cpu.tiers[t].uncertified);
    // The summary comes first, with the ladder's names and fields as the sweep reads them.
    expect(Object.keys(gpu)[0]).toBe('summary');
    expect(gpu.summary.ladder.map((r: { tier: string }) => r.tier)).toEqual(['brute_force', 'per_shift', 'compressed', 'compressed_uniform']);
    expect(Object.keys(gpu.summary.ladder[0])).toEqual(['tier', 'eps_bound', 'certified_accuracy', 'flops', 'seconds', 'eps_bound_over_eps']);
    expect(gpu.summary.accuracy).toBe(1);
    expect(gpu.tiers.brute_force.certified_accuracy).toBe(1);
    expect(gpu.tiers.brute_force.uncertified).toEqual({ count: 0, inputs: '' });
    expect(gpu.tiers.brute_force.eps_bound).toBeGreaterThanOrEqual(cpu.eps_range[0]);
    expect(gpu.tiers.brute_force.eps_bound).toBeLessThan(cpu.eps_true * (1 + 1e-9));
  });
});
