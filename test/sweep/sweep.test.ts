// npm run sweep end to end on tiny models: the files of the single-model commands, resumption after SIGKILL,
// a changed spec refused, shards that merge to the unsharded summary, two workers on one sweep, failures recorded.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { IDS, TINY, TINY_GRID, withoutTimes } from './tiny.js';

const SWEEP = new URL('../../scripts/sweep.ts', import.meta.url).pathname;
const TRAIN = new URL('../../scripts/train.ts', import.meta.url).pathname;
const ENV = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
// node with tsx's loader in one process (the tsx CLI would leave a child running after a SIGKILL).
const node = (script: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env: ENV, encoding: 'utf8' });
const start = (args: string[]): ChildProcess => spawn(process.execPath, ['--import', 'tsx', SWEEP, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));

describe('npm run sweep', () => {
  let reference: string;
  beforeAll(() => {
    reference = mkdtempSync(join(tmpdir(), 'sweep-ref-'));
    const r = node(SWEEP, [...TINY, '--out', reference]);
    if (r.status !== 0) throw new Error(`reference sweep failed: ${r.stderr}`);
  });
  afterAll(() => rmSync(reference, { recursive: true, force: true }));

  it('trains, analyses and bounds every grid point into its own run directory, and merges them', () => {
    for (const id of IDS) {
      for (const f of ['config.json', 'metrics.jsonl', 'model.safetensors', 'analysis.json', 'bound.json', 'plots']) expect(existsSync(join(reference, id, f)), `${id}/${f}`).toBe(true);
    }
    const s = JSON.parse(readFileSync(join(reference, 'summary.json'), 'utf8'));
    expect(s.models.map((m: { id: string }) => m.id)).toEqual(IDS);
    expect(s.models.every((m: { status: string }) => m.status === 'ok' || m.status === 'not_grokked')).toBe(true);
    expect(s.groups.map((g: { point: object; n: number }) => [g.point, g.n])).toEqual([[{ d_mlp: 8 }, 2], [{ d_mlp: 16 }, 2]]);
    expect(s.models[0].metrics['brute_force.flops']).toBeGreaterThan(0);
    expect(readFileSync(join(reference, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + IDS.length);
    expect(readFileSync(join(reference, 'summary_by_group.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it("gives each model exactly the checkpoint npm run train makes for the same config", () => {
    const dir = tempDir('sweep-train');
    const r = node(TRAIN, ['--preset', 'pizza', '--p', '11', '--d-model', '16', '--n-heads', '2', '--steps', '160', '--eval-every', '40', '--checkpoint-every', '40', '--d-mlp', '16', '--seed', '1', '--out', dir, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(reference, 'd_mlp=16,seed=1', 'model.safetensors')))).toBe(true);
  });

  it('killed with SIGKILL and restarted, redoes no finished model and ends with the same summary', async () => {
    const dir = tempDir('sweep-kill');
    const first = start([...TINY, '--out', dir]);
    // Kill once the second grid point's training has begun: the first point's two models (trained together) are done.
    while (!existsSync(join(dir, IDS[2], 'config.json'))) {
      if (first.exitCode !== null) throw new Error('the sweep ended before it could be killed');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    await exited(first);
    const before = readdirSync(join(dir, IDS[0])).map((f) => [f, statSync(join(dir, IDS[0], f)).mtimeMs]);
    const again = node(SWEEP, [...TINY, '--out', dir]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/2 of this shard's 4 models already done/);
    expect(readdirSync(join(dir, IDS[0])).map((f) => [f, statSync(join(dir, IDS[0], f)).mtimeMs])).toEqual(before);
    expect(withoutTimes(dir)).toEqual(withoutTimes(reference));
    expect(readdirSync(join(dir, 'locks'))).toEqual([]);
  });

  it('refuses a changed spec in an existing sweep directory, and touches nothing', () => {
    const dir = tempDir('sweep-spec');
    expect(node(SWEEP, [...TINY, '--out', dir, '--plan']).stdout).toBe('2\n');
    const spec = readFileSync(join(dir, 'sweep.json'), 'utf8');
    const r = node(SWEEP, [...TINY.map((a) => (a === '160' ? '200' : a)), '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds another sweep \(overrides .*--steps 160.* there, .*--steps 200.* asked\)/);
    expect(readFileSync(join(dir, 'sweep.json'), 'utf8')).toBe(spec);
    expect(readdirSync(dir)).toEqual(['sweep.json']);
  });

  it('in two shards, merged, gives the same summary as one unsharded run', async () => {
    const dir = tempDir('sweep-shards');
    const shards = ['0/2', '1/2'].map((s) => start([...TINY, '--out', dir, '--shard', s]));
    expect(await Promise.all(shards.map(exited))).toEqual([0, 0]);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    expect(node(SWEEP, ['--merge', dir]).status).toBe(0);
    expect(withoutTimes(dir)).toEqual(withoutTimes(reference));
  });

  it('run by two workers on one directory, trains each model once', async () => {
    const dir = tempDir('sweep-two');
    const workers = [0, 1].map(() => start([...TINY, '--out', dir]));
    const logs = workers.map((w) => {
      let s = '';
      w.stderr!.on('data', (d) => (s += d));
      return () => s;
    });
    expect(await Promise.all(workers.map(exited))).toEqual([0, 0]);
    // Each model's metrics were written by one training: one line per evaluation, no repeats.
    for (const id of IDS) {
      const steps = readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
      expect(steps.every((s, i) => i === 0 || s > steps[i - 1]) && steps.at(-1) === 160, `${id}: ${steps}`).toBe(true);
    }
    const ran = logs.map((l) => (l().match(/^\[\d+\/4\] /gm) ?? []).length);
    expect(ran[0] + ran[1]).toBeGreaterThanOrEqual(4);
    expect(withoutTimes(dir)).toEqual(withoutTimes(reference));
  });

  it('records a failing model with its message, goes on, and exits 1', () => {
    const dir = tempDir('sweep-fail');
    const r = node(SWEEP, [...TINY_GRID, '--grid', 'act_fn=gelu,relu', '--seeds', '0', '--out', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/act_fn=gelu,seed=0 FAILED in bound: bound: act_fn is 'gelu'/);
    expect(r.stderr).toMatch(/1 failed: act_fn=gelu,seed=0/);
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(s.models.map((m: { status: string; error: string | null }) => [m.status, m.error])).toEqual([
      ['failed', expect.stringMatching(/^bound: bound: act_fn is 'gelu'; the integral explanation and its bounds are for ReLU/)], [expect.stringMatching(/^(ok|not_grokked)$/), null],
    ]);
  });

  it('answers bad input with one clear line and exit 2', () => {
    const bad: [string[], RegExp][] = [
      [['--preset', 'pizza', '--grid', 'width=1,2', '--out', '/tmp/x'], /'width' is not a training field/],
      [['--resume', '/nonexistent/sweep'], /no sweep there/],
      [['--merge', '/nonexistent/sweep'], /no sweep there/],
      [[...TINY, '--out', '/tmp/x', '--shard', '2/2'], /--shard 2\/2: expected i\/n/],
      [[...TINY, '--out', '/tmp/x', '--redo', 'train'], /--redo train: stages are analyze, bound/],
    ];
    for (const [args, msg] of bad) {
      const r = node(SWEEP, args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(existsSync('/tmp/x')).toBe(false);
    const help = node(SWEEP, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/SLURM_ARRAY_TASK_ID/);
  });
});
