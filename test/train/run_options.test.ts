// Training's everyday options: extending a finished run, snapshots along the way, step 0, provenance,
// the progress clock across resume, and Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dropDawnNoise } from '../../src/gpu/dawn_noise.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { applyOverrides, preset } from '../../src/train/config.js';
import { prepareRun, readMetrics, runFiles, runTraining } from '../../src/train/run.js';
import { Progress } from '../../src/util/progress.js';
import { tempDir } from '../helpers.js';

const TRAIN = new URL('../../scripts/train.ts', import.meta.url).pathname;
const ENV = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', TRAIN, ...args], { encoding: 'utf8', env: ENV });
const SMALL = ['--preset', 'pizza', '--p', '7', '--d-model', '16', '--d-mlp', '24', '--n-heads', '2', '--eval-every', '10', '--checkpoint-every', '10', '--quiet'];
const withoutTime = (dir: string) => readMetrics(runFiles(dir).metrics).map((m) => ({ ...m, seconds: 0 }));

describe('training options', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--resume --steps extends a finished run to exactly the run trained that long at once; --save-every keeps snapshots', () => {
    const whole = join(tempDir('train'), 'run');
    expect(cli('--out', whole, ...SMALL, '--steps', '40', '--save-every', '20').status).toBe(0);
    const extended = join(tempDir('train'), 'run');
    expect(cli('--out', extended, ...SMALL, '--steps', '20').status).toBe(0);
    expect(loadCheckpoint(runFiles(extended).model).metadata.done).toBe('true');
    const r = cli('--resume', extended, '--steps', '40', '--quiet');
    expect(dropDawnNoise(r.stderr)).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(runFiles(extended).model).equals(readFileSync(runFiles(whole).model))).toBe(true);
    expect(withoutTime(extended)).toEqual(withoutTime(whole));
    expect(JSON.parse(readFileSync(runFiles(extended).config, 'utf8')).steps).toBe(40);
    // The snapshot at step 20 is the model a 20-step run ends with; at 40, the final model.
    const at20 = join(tempDir('train'), 'run');
    expect(cli('--out', at20, ...SMALL, '--steps', '20').status).toBe(0);
    expect(loadCheckpoint(runFiles(whole).snapshot(20)).params).toEqual(loadCheckpoint(runFiles(at20).model).params);
    expect(loadCheckpoint(runFiles(whole).snapshot(40)).params).toEqual(loadCheckpoint(runFiles(whole).model).params);
    const shorter = cli('--resume', extended, '--steps', '30');
    expect(shorter.status).toBe(2);
    expect(shorter.stderr).toBe(`error: --steps 30: the run in ${extended} already trains to 40 steps; --steps with --resume extends it\n`);
  });

  it('metrics start at step 0, the initialisation; config.json records provenance and still resumes', async () => {
    const dir = tempDir('train');
    const cfg = applyOverrides(preset('pizza'), [['p', '7'], ['d-model', '16'], ['d-mlp', '24'], ['n-heads', '2'], ['steps', '10'], ['eval-every', '5']]);
    await runTraining(dir, prepareRun(dir, cfg), { quiet: true });
    const m = readMetrics(runFiles(dir).metrics);
    expect(m.map((x) => x.step)).toEqual([0, 5, 10]);
    expect(m[0].lr).toBe(0);
    // Before any step, an untrained model's loss is about ln(p).
    expect(Math.abs(m[0].train_loss - Math.log(7))).toBeLessThan(1);
    const stored = JSON.parse(readFileSync(runFiles(dir).config, 'utf8'));
    expect(stored.provenance.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(stored.provenance.node).toBe(process.version);
    expect(Object.keys(stored.provenance.packages)).toEqual(expect.arrayContaining(['pizza-quadrature', 'webgpu', 'commander']));
    expect(stored.provenance.adapter.description).toBeTruthy();
    expect(Date.now() - Date.parse(stored.provenance.created)).toBeLessThan(600_000);
    // The same config (provenance aside) is the same run.
    expect(() => prepareRun(dir, cfg)).toThrow(/already holds this run/);
  });

  it('the progress clock continues from the time a resumed run had already spent', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    new Progress('train', 100, 50, 125).update(60);
    expect(lines.join('')).toMatch(/60\/100 2m0[5-6]s elapsed/);
  });

  it('Ctrl-C (SIGINT) prints the command that continues the run, and that command finishes it', async () => {
    const dir = join(tempDir('train'), 'run');
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN, '--out', dir, ...SMALL, '--steps', '300', '--save-every', '100'], { env: ENV });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(runFiles(dir).model)) {
          clearInterval(poll);
          child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(130);
    expect(stderr).toContain(`interrupted; continue with: npm run train -- --resume ${dir} --save-every 100\n`);
    expect(cli('--resume', dir, '--quiet').status).toBe(0);
    expect(loadCheckpoint(runFiles(dir).model).metadata).toMatchObject({ step: '300', done: 'true' });
  });
});
