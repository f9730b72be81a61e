import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { lossAndGradsCpu } from '../../src/model/cpu_model.js';
import { allPairs } from '../../src/model/inputs.js';
import { OVERRIDES, PRESETS, type TrainConfig, applyOverrides, preset } from '../../src/train/config.js';
import { split } from '../../src/train/data.js';
import { prepareRun, readMetrics, runFiles, runTraining } from '../../src/train/run.js';
import { expectClose, tempDir } from '../helpers.js';

const TRAIN = new URL('../../scripts/train.ts', import.meta.url).pathname;
// One process (node with tsx's loader), not the tsx CLI, which runs the script in a child process that
// a SIGKILL of the parent would leave running.
const NODE_ARGS = ['--import', 'tsx', TRAIN];
const ENV = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };

/** The small config of the issue: p 7, d_model 16, d_mlp 24, 2 heads. */
function small(name: string, extra: [string, string][] = []): TrainConfig {
  return applyOverrides(preset(name), [['p', '7'], ['d-model', '16'], ['d-mlp', '24'], ['n-heads', '2'], ['steps', '50'], ['eval-every', '10'], ['checkpoint-every', '10'], ...extra]);
}

/** Train in a fresh directory; returns it and the final parameters. */
async function train(cfg: TrainConfig): Promise<{ dir: string; params: Float32Array }> {
  const dir = tempDir('train');
  return { dir, params: (await runTraining(dir, prepareRun(dir, cfg), { quiet: true })).state.params };
}

describe('data split', () => {
  it('is seeded, disjoint, complete and sized by frac', () => {
    const s = split(59, 0.8, 3);
    expect(s.train.length).toBe(Math.round(0.8 * 59 * 59));
    expect(new Set([...s.train, ...s.test]).size).toBe(59 * 59);
    expect(split(59, 0.8, 3)).toEqual(s);
    expect(split(59, 0.8, 4).train).not.toEqual(s.train);
    expect(() => split(7, 0, 1)).toThrow(/frac = 0 must lie in/);
  });
});

describe('training', () => {
  it.each(['pizza', 'clock'])('%s: 50 steps on the GPU match the CPU reference to float32 tolerance', async (name) => {
    const gpu = await train(small(name));
    const cpu = await train(small(name, [['backend', 'cpu']]));
    expectClose(gpu.params, cpu.params, 2e-3, 1e-5);
  });

  it('the constant-attention fast path and the generic path give the same trajectory', async () => {
    const fast = await train(small('pizza', [['schedule', 'constant']]));
    const generic = await train(small('pizza', [['schedule', 'generic']]));
    expectClose(fast.params, generic.params, 2e-3, 1e-5);
  });

  it.each(['gpu', 'cpu'])('is deterministic on the %s: the same seed gives the same checkpoint bit for bit', async (backend) => {
    const files = async () => {
      const { dir } = await train(small('clock', [['backend', backend]]));
      return [readFileSync(runFiles(dir).model), readFileSync(runFiles(dir).optimizer(50))];
    };
    const [a, b] = [await files(), await files()];
    expect(a[0].equals(b[0]) && a[1].equals(b[1])).toBe(true);
    const other = await train(small('clock', [['backend', backend], ['seed', '1']]));
    expect(readFileSync(runFiles(other.dir).model).equals(a[0])).toBe(false);
  });

  it('stops early once test accuracy is 100 % and test loss is below the threshold; resuming a finished run changes nothing', async () => {
    // Big enough to generalise within a few hundred steps (p 7 only memorises).
    const cfg = applyOverrides(preset('pizza'), [['p', '13'], ['d-model', '32'], ['d-mlp', '64'], ['n-heads', '2'], ['lr', '3e-3'],
      ['steps', '3000'], ['eval-every', '50'], ['checkpoint-every', '1000'], ['early-stop-loss', '0.5']]);
    const { dir } = await train(cfg);
    const metrics = readMetrics(runFiles(dir).metrics);
    const last = metrics.at(-1)!;
    expect(last.step).toBeLessThan(3000);
    expect(last.test_accuracy).toBe(1);
    expect(last.test_loss).toBeLessThan(0.5);
    expect(metrics.slice(0, -1).every((m) => m.test_accuracy < 1 || m.test_loss >= 0.5)).toBe(true);
    // The delayed jump: train accuracy reaches 100 % before test accuracy does.
    expect(metrics.find((m) => m.train_accuracy === 1)!.step).toBeLessThan(last.step);
    const ck = loadCheckpoint(runFiles(dir).model);
    expect(ck.metadata).toMatchObject({ step: String(last.step), done: 'true' });
    const before = readFileSync(runFiles(dir).model);
    const again = await runTraining(dir, prepareRun(dir, undefined), { quiet: true });
    expect(again.state.step).toBe(last.step);
    expect(readFileSync(runFiles(dir).model).equals(before)).toBe(true);
    expect(readMetrics(runFiles(dir).metrics)).toEqual(metrics);
    // A finished run kept without its optimiser state (as results/ keep it) still resumes as finished.
    unlinkSync(runFiles(dir).optimizer(last.step));
    const kept = await runTraining(dir, prepareRun(dir, undefined), { quiet: true });
    expect(kept.state.step).toBe(last.step);
    expect(readFileSync(runFiles(dir).model).equals(before)).toBe(true);
  });

  it('the checkpoint loads in Python (python/pizza_quadrature.py) with the same accuracy', async () => {
    const dir = tempDir('train');
    const cfg = small('pizza', [['steps', '120']]);
    await runTraining(dir, prepareRun(dir, cfg), { quiet: true });
    const ck = loadCheckpoint(runFiles(dir).model);
    const batch = allPairs(ck.cfg);
    const ours = lossAndGradsCpu(ck.cfg, ck.params, batch);
    const py = JSON.parse(execFileSync('/usr/bin/python3', [new URL('../../python/pizza_quadrature.py', import.meta.url).pathname, runFiles(dir).model], { encoding: 'utf8' }));
    expect(py.accuracy).toBeCloseTo(ours.correct / batch.size, 12);
    expect(py.loss).toBeCloseTo(ours.loss, 6);
  });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', env: ENV });
}

const SMALL_FLAGS = ['--p', '7', '--d-model', '16', '--d-mlp', '24', '--n-heads', '2', '--quiet'];

describe('train command line', () => {
  it('rejects bad input with a clear message, exit code 2, and writes nothing', () => {
    const dir = join(tempDir('train'), 'run');
    const cases: [string[], RegExp][] = [
      [['--preset', 'pizzza', '--out', dir], /unknown preset 'pizzza'/],
      [['--preset', 'pizza', '--out', dir, '--d-mpl', '3'], /^error: unknown option '--d-mpl' \(did you mean --d-mlp\?\)\n$/],
      [['--preset', 'pizza', '--out', dir, '--p', '1'], /--p 1: expected an integer ≥ 2/],
      [['--preset', 'pizza', '--out', dir, '--attention-rate', '2'], /--attention-rate 2: expected a number in \[0, 1\]/],
      [['--preset', 'pizza', '--out', dir, '--d-model', '15'], /d_model 15 is not divisible by n_heads 4/],
      [['--preset', 'pizza', '--out', dir, '--backend', 'tpu'], /--backend tpu: expected one of gpu, cpu/],
      [['--preset', 'pizza', '--out', dir, '--lr', 'fast'], /--lr fast: expected a number/],
      [['--preset', 'pizza', '--out', TRAIN], /is not a directory/],
      [['--preset', 'pizza'], /--out <dir> is required/],
      [['--resume', dir], /no run there/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('--help lists every preset and override flag and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const name of [...Object.keys(PRESETS), ...OVERRIDES.map((o) => `--${o.flag}`), '--resume', '--out']) expect(r.stdout).toContain(name);
  });

  it('refuses an output directory that holds a different run, and a corrupt checkpoint on --resume', () => {
    const dir = tempDir('train');
    expect(cli(['--preset', 'pizza', '--out', dir, ...SMALL_FLAGS, '--steps', '10', '--checkpoint-every', '5']).status).toBe(0);
    const before = readFileSync(runFiles(dir).model);
    const other = cli(['--preset', 'pizza', '--out', dir, ...SMALL_FLAGS, '--steps', '10', '--seed', '9']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/holds a different run \(seed 0 there, 9 asked;/);
    writeFileSync(runFiles(dir).model, before.subarray(0, 100));
    const r = cli(['--resume', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a valid safetensors file/);
    expect(readFileSync(runFiles(dir).model).length).toBe(100);
    // The same for the optimiser state beside an intact model file.
    writeFileSync(runFiles(dir).model, before);
    const opt = readFileSync(runFiles(dir).optimizer(10));
    writeFileSync(runFiles(dir).optimizer(10), opt.subarray(0, opt.length - 4));
    const o = cli(['--resume', dir]);
    expect(o.status).toBe(2);
    expect(o.stderr).toMatch(/optimizer-10\.safetensors/);
    expect(readFileSync(runFiles(dir).optimizer(10)).length).toBe(opt.length - 4);
    expect(readFileSync(runFiles(dir).model).equals(before)).toBe(true);
  });

  it('a run killed with SIGKILL and resumed ends with the same checkpoint as an uninterrupted run', async () => {
    const flags = ['--preset', 'pizza', ...SMALL_FLAGS, '--steps', '400', '--checkpoint-every', '25', '--eval-every', '25'];
    const whole = tempDir('train');
    expect(cli(['--out', whole, ...flags]).status).toBe(0);

    const killed = tempDir('train');
    const child = spawn(process.execPath, [...NODE_ARGS, '--out', killed, ...flags], { stdio: 'ignore', env: ENV });
    // Kill it once it has written a checkpoint, at whatever point of its next one it has reached.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(runFiles(killed).model)) {
          clearInterval(poll);
          setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 150);
        }
      }, 20);
    });
    await new Promise((r) => child.on('exit', r));
    const step = Number(loadCheckpoint(runFiles(killed).model).metadata.step);
    expect(step).toBeLessThan(400);
    expect(cli(['--resume', killed]).status).toBe(0);
    expect(readFileSync(runFiles(killed).model).equals(readFileSync(runFiles(whole).model))).toBe(true);
    const metrics = (dir: string) => readFileSync(runFiles(dir).metrics, 'utf8').trim().split('\n').map((l) => ({ ...JSON.parse(l), seconds: 0 }));
    expect(metrics(killed)).toEqual(metrics(whole));
    expect(readdirSync(killed).sort()).toEqual(['config.json', 'curves.svg', 'curves.vl.json', 'metrics.jsonl', 'model.safetensors', 'optimizer-400.safetensors']);
  });
});
