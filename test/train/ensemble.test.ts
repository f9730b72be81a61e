// Training several runs together (trainTogether) writes each run exactly as training it alone does, and
// training one model after another in one process holds the device's memory flat.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPU_OCCUPANCY, getGpu } from '../../src/gpu/device.js';
import { submit } from '../../src/gpu/kernels.js';
import { makeConfig } from '../../src/model/config.js';
import { batchOf } from '../../src/model/inputs.js';
import { initParams, paramLayout } from '../../src/model/params.js';
import { GpuEnsembleTrainBackend, GpuTrainBackend, initialState } from '../../src/train/backends.js';
import { type TrainConfig, applyOverrides, preset, splitSeed } from '../../src/train/config.js';
import { split } from '../../src/train/data.js';
import { prepareRun, runFiles, runTraining, trainTogether } from '../../src/train/run.js';
import { MODEL_A, splitProducts, tempDir, testGpu } from '../helpers.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { evaluateGpu } from '../../src/interp/evaluate.js';
import { boundModelGpu } from '../../src/bound/bound.js';

/** p 7 (prime), d_mlp 13 (no matmul tile divides it), 2 heads. */
function small(name: string, extra: [string, string][] = []): TrainConfig {
  return applyOverrides(preset(name), [['p', '7'], ['d-model', '16'], ['d-mlp', '13'], ['n-heads', '2'], ['steps', '30'], ['eval-every', '10'], ['checkpoint-every', '10'], ...extra]);
}

/**
 * Every file of a run directory but the curves figure (it plots wall time), metrics with `seconds` set to 0 and
 * config.json without its provenance (which records when the run was made).
 */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((n) => !n.startsWith('curves.')).map((n) => {
    const text = readFileSync(join(dir, n), n.endsWith('.safetensors') ? 'base64' : 'utf8');
    if (n === 'metrics.jsonl') return [n, text.trim().split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), seconds: 0 })).join('\n')];
    if (n === 'config.json') return [n, JSON.stringify({ ...JSON.parse(text), provenance: undefined })];
    return [n, text];
  }));
}

async function alone(cfg: TrainConfig): Promise<Record<string, string>> {
  const dir = tempDir('alone');
  await runTraining(dir, prepareRun(dir, cfg), { quiet: true });
  return files(dir);
}

describe('data split', () => {
  it('two runs of different seed and the same data_seed share one split; another data_seed gives another', () => {
    const [a, b, c] = [small('pizza', [['seed', '0']]), small('pizza', [['seed', '1']]), small('pizza', [['seed', '0'], ['data-seed', '1']])];
    expect(split(7, a.frac, splitSeed(a))).toEqual(split(7, b.frac, splitSeed(b)));
    expect(split(7, a.frac, splitSeed(a)).train).not.toEqual(split(7, c.frac, splitSeed(c)).train);
  });
});

describe('trainTogether', () => {
  it.each([
    ['pizza (constant schedule), S = 3: seeds and a different lr / weight decay', 'pizza', [[['seed', '0']], [['seed', '1']], [['seed', '2'], ['lr', '3e-3'], ['weight-decay', '0.5']]]],
    ['pizza, S = 1', 'pizza', [[['seed', '4']]]],
    ['clock (generic schedule), S = 3', 'clock', [[['seed', '0']], [['seed', '1']], [['seed', '2'], ['weight-decay', '0.1']]]],
    ['pizza, S = 3 on two splits (an ensemble of two, one run alone)', 'pizza', [[['seed', '0']], [['seed', '1'], ['data-seed', '1']], [['seed', '2']]]],
    ['pizza with GELU (the activation pass per model), S = 2', 'pizza', [[['seed', '0'], ['act-fn', 'gelu']], [['seed', '1'], ['act-fn', 'gelu']]]],
  ] as const)('%s: each run directory equals training it alone, bit for bit', async (_, name, variants) => {
    const cfgs = variants.map((v) => small(name, v.map(([f, x]) => [f, x] as [string, string])));
    const runs = cfgs.map((cfg, i) => {
      const dir = join(tempDir('together'), String(i));
      return { dir, run: prepareRun(dir, cfg) };
    });
    const seen: string[] = [];
    const out = await trainTogether(runs, { quiet: true, onMetrics: (dir, l) => seen.push(`${dir}:${l.step}`) });
    expect(out.map((r) => r.state.step)).toEqual(cfgs.map(() => 30));
    expect(seen.length).toBe(3 * cfgs.length);
    for (let i = 0; i < cfgs.length; i++) expect(files(runs[i].dir)).toEqual(await alone(cfgs[i]));
  });

  it('resumes runs stopped at different steps and leaves a finished one as it is', async () => {
    const cfgs = [small('pizza', [['seed', '0']]), small('pizza', [['seed', '1']]), small('pizza', [['seed', '2']])];
    const root = tempDir('resume');
    const dirs = cfgs.map((_, i) => join(root, String(i)));
    // Run 0 is killed after its step-20 metrics, before that checkpoint: it resumes from step 10.
    await expect(runTraining(dirs[0], prepareRun(dirs[0], cfgs[0]), {
      quiet: true, onMetrics: (_, l) => { if (l.step === 20) throw new Error('killed'); },
    })).rejects.toThrow('killed');
    await runTraining(dirs[2], prepareRun(dirs[2], cfgs[2]), { quiet: true });
    const finished = statSync(runFiles(dirs[2]).model).mtimeMs;
    const runs = [{ dir: dirs[0], run: prepareRun(dirs[0], undefined) }, { dir: dirs[1], run: prepareRun(dirs[1], cfgs[1]) }, { dir: dirs[2], run: prepareRun(dirs[2], undefined) }];
    expect(runs.map((r) => r.run.state?.step)).toEqual([10, undefined, 30]);
    await trainTogether(runs, { quiet: true });
    expect(files(dirs[0])).toEqual(await alone(cfgs[0]));
    expect(files(dirs[1])).toEqual(await alone(cfgs[1]));
    expect(statSync(runFiles(dirs[2]).model).mtimeMs).toBe(finished);
  });

  it('refuses runs of different model shapes', async () => {
    const root = tempDir('shapes');
    const runs = [small('pizza'), small('pizza', [['d-mlp', '14']])].map((cfg, i) => ({ dir: join(root, String(i)), run: prepareRun(join(root, String(i)), cfg) }));
    await expect(trainTogether(runs, { quiet: true })).rejects.toThrow(/another model shape/);
  });
});

describe('ensembles scheduled as on a GPU', () => {
  // A GPU's occupancy splits the long reductions over the batch (1095 pairs at p 37: the weight gradients' K,
  // the bias gradients' rows) into pieces, decided per model so that an ensemble's models split as each would
  // alone: still bit for bit.
  it.each(['constant', 'generic'] as const)('%s schedule: reductions split, each model of an ensemble of 2 steps as it does alone', async (schedule) => {
    const { g, k } = await testGpu();
    const gk = k.scheduledFor(GPU_OCCUPANCY);
    const c = makeConfig({ p: 37, d_model: 32, n_heads: 2, d_mlp: 24, attention_rate: schedule === 'constant' ? 0 : 1, attention_convention: 'mean' });
    const layout = paramLayout(c);
    const train = batchOf(c, split(c.p, 0.8, 0).train);
    const h = (step: number) => ({ lr: 1e-3 * (1 + step), beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step });
    const ens = new GpuEnsembleTrainBackend(g, c, layout, train, undefined, schedule, 2, gk);
    expect(splitProducts(ens.program)).toContain(schedule === 'constant' ? 'dW_L' : 'grads'); // the models' gradients share one label
    const alone = [0, 1].map(() => new GpuTrainBackend(g, c, layout, train, undefined, schedule, gk));
    try {
      for (const seed of [0, 1]) {
        ens.member(seed).load(initialState(layout, initParams(c, seed)));
        alone[seed].load(initialState(layout, initParams(c, seed)));
      }
      for (let step = 1; step <= 3; step++) {
        ens.member(0).step(h(step));
        submit(g, ens.member(1).step(h(step))); // every member returns the one program for all
        for (const b of alone) submit(g, b.step(h(step)));
      }
      for (const seed of [0, 1]) expect(await ens.member(seed).state(3)).toEqual(await alone[seed].state(3));
    } finally {
      ens.dispose();
      alone.forEach((b) => b.dispose());
    }
  });
});

describe('npm run train --seeds', () => {
  const TRAIN = new URL('../../scripts/train.ts', import.meta.url).pathname;
  const train = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', TRAIN, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  const SMALL = ['--preset', 'pizza', '--p', '7', '--d-model', '16', '--d-mlp', '13', '--n-heads', '2', '--steps', '20', '--eval-every', '10', '--checkpoint-every', '10', '--quiet'];

  it('trains <out>/seed=<s> for each seed, each as training it alone, and --resume <out> continues them all', async () => {
    const out = join(tempDir('seeds'), 'x');
    const r = train([...SMALL, '--seeds', '3,1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['seed=1', 'seed=3']);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).dir)).toEqual([join(out, 'seed=3'), join(out, 'seed=1')]);
    expect(files(join(out, 'seed=1'))).toEqual(await alone(small('pizza', [['seed', '1'], ['steps', '20']])));
    const again = train(['--resume', out, '--quiet']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([20, 20]);
  });

  it.each([['0,x', /--seeds x: expected an integer/], ['2,2', /a seed is repeated/]])('--seeds %s exits 2 with a clear message and writes nothing', (seeds, msg) => {
    const out = join(tempDir('seeds'), 'x');
    const r = train([...SMALL, '--seeds', seeds, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(existsSync(out)).toBe(false);
  });
});

describe('GPU memory', () => {
  it('training models (alone, then an ensemble) one after another in one process holds the live buffers and bytes flat', async () => {
    const g = await getGpu();
    const before = { ...g.live };
    const after: (typeof before)[] = [];
    for (const seed of ['0', '1', '2']) {
      await alone(small('pizza', [['seed', seed]]));
      after.push({ ...g.live });
    }
    await alone(small('clock'));
    after.push({ ...g.live });
    const root = tempDir('ensemble');
    await trainTogether(['0', '1', '2'].map((seed) => ({ dir: join(root, seed), run: prepareRun(join(root, seed), small('pizza', [['seed', seed]])) })), { quiet: true });
    after.push({ ...g.live });
    expect(after).toEqual(after.map(() => before));
  });

  it('evaluating and bounding a checkpoint on the GPU frees what each call allocated', async () => {
    const { g, k } = await testGpu();
    const ck = loadCheckpoint(MODEL_A);
    await evaluateGpu(g, k, ck.cfg, ck.params); // the registry's own buffers (unused output) are made once
    const before = { ...g.live };
    await evaluateGpu(g, k, ck.cfg, ck.params);
    await boundModelGpu(g, k, ck.cfg, ck.params);
    expect(g.live).toEqual(before);
  });
});
