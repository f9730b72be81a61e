// The brute-force tier on the GPU (src/bound/brute_gpu.ts) against the float64 CPU path: its ε̄ bounds the float64
// brute-force ε on every input (random, cancelling, subnormal and f32-unrepresentable structures), and on real
// checkpoints it certifies what the CPU certifies. The CLI's two devices agree on model A.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOUND_FIGURES, boundFigure, boundModel, boundModelGpu } from '../../src/bound/bound.js';
import { structureBruteForceGpu } from '../../src/bound/brute_gpu.js';
import type { MlpStructure } from '../../src/interp/structure.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { bruteForceBound } from '../../src/ops/cpu/brute_force_bound.js';
import { Rng } from '../../src/util/rng.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { MODEL_A, tempDir, testGpu } from '../helpers.js';

const CANONICAL = new URL('../../results/pizza-seed0/model.safetensors', import.meta.url).pathname;
const SCRIPT = new URL('../../scripts/bound.ts', import.meta.url).pathname;

/** A random structure: entries scale·N(0, 1) + shift; D is irrelevant to brute force's ε̄. */
function structure(rng: Rng, p: number, n: number, V: number, f: (x: number) => number): MlpStructure {
  const r = (k: number) => Float64Array.from({ length: k }, () => f(rng.normal()));
  return { p, d_mlp: n, d_vocab_out: V, exact: true, U: r(p * n), V: r(p * n), c: r(n), W_L: r(n * V), Da: new Float64Array(p * V), Db: new Float64Array(p * V), Dconst: new Float64Array(V) };
}

describe('brute force on the GPU', () => {
  const kinds: [string, (x: number) => number][] = [
    ['plain', (x) => x],
    ['not f32: 1e8 + 1e-3·x', (x) => 1e8 + 1e-3 * x],
    ['cancelling: ±2^30 + x', (x) => (x > 0 ? 2 ** 30 : -(2 ** 30)) + x],
    ['subnormal in f32: 1e-40·x', (x) => 1e-40 * x],
    ['mixed scales', (x) => x * 10 ** Math.round(6 * x)],
    ['overflows f32: 1e30·x', (x) => 1e30 * x],
  ];
  // p prime, one neuron, d_mlp off the 256-neuron chunk, p over the 64-thread workgroup, d_vocab_out > p.
  const shapes: [number, number, number][] = [[2, 1, 2], [7, 1, 8], [13, 300, 13], [67, 3, 67], [5, 513, 9]];
  it.each(shapes)('p %i, d_mlp %i, d_vocab_out %i: ε̄ ≥ the float64 brute-force ε on every input, and tight', async (p, n, V) => {
    const { g, k } = await testGpu();
    for (const [name, f] of kinds) {
      const rng = new Rng(p * 7919 + n + V);
      const s = structure(rng, p, n, V, f);
      const mTable = Float64Array.from({ length: p * p }, () => f(rng.normal()));
      const WT = Float64Array.from({ length: p * n }, (_, j) => s.W_L[(j % n) * V + Math.floor(j / n)]); // [p, n]
      const want = bruteForceBound(s.U, s.V, s.c, WT, mTable, p, n, n, { a_sa: 1, a_sb: 0, b_sa: 0, b_sb: 1 });
      const got = await structureBruteForceGpu(g, k, s, mTable);
      if (name.startsWith('overflows')) expect(got.every((x) => x === Infinity)).toBe(true); // refused, not a wrong figure
      for (let j = 0; j < p * p; j++) {
        // Float64's own error on want is below 1e-13 of its terms, far inside the float32 allowance.
        const slack = 1e-13 * (want[2 * j + 1] + Math.abs(want[2 * j]));
        if (!(got[j] >= want[2 * j] + slack)) throw new Error(`${name}: input ${j}: GPU ε̄ ${got[j]} < float64 ε ${want[2 * j]}`);
        if (name === 'plain') expect(got[j]).toBeLessThan(want[2 * j] + 1e-4 * (want[2 * j + 1] + 1));
      }
    }
  });

  it("the project's trained model, plain integrands: GPU ε̄ ≥ the float64 ε everywhere, certified inputs truly correct, the same sets as the CPU", async () => {
    const { g, k } = await testGpu();
    const { cfg, params } = loadCheckpoint(CANONICAL);
    // Plain integrands (no shape terms): the per-shift sums are one plain sum per cluster, scaled by 2|C| per distance.
    const opts = { M: 64, shape: false };
    const cpu = boundModel(cfg, params, opts);
    const gpu = await boundModelGpu(g, k, cfg, params, opts);
    expect(gpu.devices).toEqual({ forward: 'gpu', brute_force: 'gpu', per_shift: 'gpu+cpu', compressed: 'cpu', note: null });
    expect(cpu.devices.brute_force).toBe('cpu');
    const p = cfg.p;
    expect(cpu.tiers.brute_force.certified_accuracy).toBeGreaterThan(0); // 5 % without the shape terms: many borderline inputs
    expect(cpu.tiers.brute_force.certified_accuracy).toBeLessThan(1);
    const uncert = new Set(gpu.tiers.brute_force.uncertified.map(([a, b]) => a * p + b));
    for (let j = 0; j < p * p; j++) {
      expect(gpu.perInput.brute_force[j]).toBeGreaterThanOrEqual(cpu.perInput.eps[j]);
      expect(gpu.perInput.brute_force[j]).toBeGreaterThanOrEqual(cpu.perInput.brute_force[j]);
      expect(Math.abs(gpu.perInput.eps[j] - cpu.perInput.eps[j])).toBeLessThan(1e-3 * gpu.signal);
      if (!uncert.has(j)) expect(cpu.perInput.correct[j]).toBe(1);
    }
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
    expect(gpu.devices).toEqual({ forward: 'gpu', brute_force: 'gpu', per_shift: 'gpu+cpu', compressed: 'cpu', note: null });
    expect(cpu.devices).toEqual({ forward: 'cpu', brute_force: 'cpu', per_shift: 'cpu', compressed: 'cpu', note: null });
    for (const t of ['brute_force', 'per_shift', 'compressed']) expect(gpu.tiers[t].uncertified).toEqual(cpu.tiers[t].uncertified);
    expect(gpu.tiers.brute_force.certified_accuracy).toBe(1);
    expect(gpu.tiers.brute_force.eps_bound).toBeGreaterThanOrEqual(cpu.eps_true);
    expect(gpu.tiers.brute_force.eps_bound).toBeLessThan(cpu.eps_true * 1.01);
  });
});
