// Issue 15's table of hostile inputs and paths, row by row, through the commands: each gets one line naming the
// file and what is wrong, exit code 2, and nothing written or replaced.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { applyOverrides, preset } from '../../src/train/config.js';
import { prepareRun, readMetrics, runFiles, runTraining } from '../../src/train/run.js';
import { rawSafetensors, tempDir } from '../helpers.js';

const script = (name: string) => new URL(`../../scripts/${name}.ts`, import.meta.url).pathname;
const run = (name: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', script(name), ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp', ...env } });

/** Exit 2 with exactly one error line (no stack trace) matching `msg`. */
function refused(r: ReturnType<typeof run>, msg: RegExp | string): void {
  expect(r.status, r.stderr).toBe(2);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(msg);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const tiny = makeConfig({ p: 5, d_model: 8, n_heads: 2, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });

function tinyCheckpoint(dir: string): string {
  const path = join(dir, 'tiny.safetensors');
  saveCheckpoint(path, tiny, initParams(tiny, 1));
  return path;
}

describe('hostile checkpoints', () => {
  const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

  it.each<[string, unknown, number, RegExp]>([
    ['overlapping data_offsets', { a: f32([4], 0, 16), b: f32([4], 8, 24) }, 24, /tensor b has data offsets \[8, 24\], overlapping the tensor before it/],
    ['header null', null, 0, /header: null must be a JSON object/],
    ['a tensor null', { 'embed.W_E': null }, 0, /header: \["embed\.W_E"\] = null must be a tensor entry/],
    ['shape "abc"', { 'embed.W_E': { dtype: 'F32', shape: 'abc', data_offsets: [0, 4] } }, 4, /\["embed\.W_E"\]\.shape = "abc" must be an array of integers ≥ 0/],
  ])('bound and analyze refuse %s, naming the file, and write nothing', (_, header, bytes, msg) => {
    const dir = tempDir('hostile');
    const ck = join(dir, 'bad.safetensors');
    writeFileSync(ck, rawSafetensors(header, bytes));
    for (const cmd of ['bound', 'analyze']) {
      const r = run(cmd, ['--checkpoint', ck, '--json', join(dir, 'out.json'), '--cpu']);
      refused(r, new RegExp(`^error: ${ck.replace(/[.]/g, '\\.')}: not a valid safetensors file: .*${msg.source}`));
    }
    expect(readdirSync(dir)).toEqual(['bad.safetensors']);
  });

  it('a 45 KB file declaring p = 1200: bound --cpu and analyze refuse with the memory estimate and the limit, before allocating', () => {
    const dir = tempDir('hostile');
    const big = makeConfig({ p: 1200, d_model: 4, n_heads: 1, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });
    const ck = join(dir, 'p1200.safetensors');
    saveCheckpoint(ck, big, initParams(big, 0));
    expect(statSync(ck).size).toBeLessThan(46 * 1024);
    // The limit set explicitly, so the test does not depend on this machine's memory (its default is half of it).
    for (const cmd of ['bound', 'analyze']) {
      const r = run(cmd, ['--checkpoint', ck, '--json', join(dir, 'out.json'), '--cpu'], { PIZZA_MEMORY_LIMIT: '8G' });
      refused(r, /p = 1200\) needs about [\d.]+ GiB of memory, over the limit of 8\.00 GiB \(PIZZA_MEMORY_LIMIT=8G\)/);
    }
    expect(readdirSync(dir)).toEqual(['p1200.safetensors']);
  });

  it('the memory limit is overridable: a tiny model is refused under PIZZA_MEMORY_LIMIT=1K, a bad value is named', () => {
    const dir = tempDir('hostile');
    const ck = tinyCheckpoint(dir);
    refused(run('bound', ['--checkpoint', ck, '--json', join(dir, 'b.json'), '--cpu'], { PIZZA_MEMORY_LIMIT: '1K' }), /over the limit of 9\.54e-7 GiB \(PIZZA_MEMORY_LIMIT=1K\)/);
    refused(run('bound', ['--checkpoint', ck, '--json', join(dir, 'b.json'), '--cpu'], { PIZZA_MEMORY_LIMIT: 'lots' }), /PIZZA_MEMORY_LIMIT=lots: expected bytes/);
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    expect(run('bound', ['--checkpoint', ck, '--json', join(dir, 'b.json'), '--cpu']).status).toBe(0);
  });
});

describe('hostile output paths', () => {
  it('--json equal to --checkpoint (however spelled) is refused and the model is untouched', () => {
    const dir = tempDir('hostile');
    const ck = tinyCheckpoint(dir);
    const before = readFileSync(ck);
    mkdirSync(join(dir, 'sub'));
    for (const cmd of ['bound', 'analyze']) {
      for (const json of [ck, join(dir, 'sub', '..', 'tiny.safetensors')]) {
        refused(run(cmd, ['--checkpoint', ck, '--json', json, '--cpu']), `error: ${json} is the input ${ck}; writing there would replace it`);
      }
    }
    expect(readFileSync(ck).equals(before)).toBe(true);
  });

  it('--json /dev/full, a symlink or a directory is refused and left as it was', () => {
    const dir = tempDir('hostile');
    const ck = tinyCheckpoint(dir);
    writeFileSync(join(dir, 'target.json'), 'keep');
    symlinkSync(join(dir, 'target.json'), join(dir, 'link.json'));
    mkdirSync(join(dir, 'folder'));
    const cases: [string, RegExp][] = [
      ['/dev/full', /^error: \/dev\/full is a device; results are written only to regular files or new paths$/],
      [join(dir, 'link.json'), /link\.json is a symbolic link/],
      [join(dir, 'folder'), /folder is a directory/],
    ];
    for (const [json, msg] of cases) refused(run('bound', ['--checkpoint', ck, '--json', json, '--cpu']), msg);
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join(dir, 'target.json'));
    expect(readFileSync(join(dir, 'target.json'), 'utf8')).toBe('keep');
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
  });
});

describe('hostile training', () => {
  it('train --p 1000000 is refused before anything is written', () => {
    const dir = join(tempDir('hostile'), 'run');
    refused(run('train', ['--preset', 'pizza', '--out', dir, '--p', '1000000', '--quiet']), /^error: training p = 1000000, .* needs about [\d.e+]+ GiB of memory, over the limit of/);
    expect(existsSync(dir)).toBe(false);
  });

  it("a model beyond the GPU's buffer limits is refused before config.json is written", () => {
    const dir = join(tempDir('hostile'), 'run');
    refused(run('train', ['--preset', 'pizza', '--out', dir, '--p', '1009', '--d-mlp', '20000', '--quiet'], { PIZZA_MEMORY_LIMIT: '1T' }), /d_mlp = 20000 needs a \d+-byte activation buffer .* maxStorageBufferBindingSize/);
    expect(existsSync(dir)).toBe(false);
  });

  /** A finished 10-step run on the CPU (tiny), copied for each test to damage. */
  let finished: string;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'hostile-run-'));
    finished = join(root, 'run');
    const cfg = applyOverrides(preset('pizza'), [['p', '5'], ['d-model', '8'], ['d-mlp', '8'], ['n-heads', '2'], ['steps', '10'], ['eval-every', '5'], ['checkpoint-every', '5'], ['backend', 'cpu']]);
    await runTraining(finished, prepareRun(finished, cfg), { quiet: true });
    return () => rmSync(root, { recursive: true, force: true });
  });
  const copy = () => {
    const dir = join(tempDir('hostile'), 'run');
    cpSync(finished, dir, { recursive: true });
    return dir;
  };
  /** Every file of a run directory, to compare before and after a refused resume. */
  const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));

  // The command line's form of the same value, where it has one (on the command line every value is a string).
  it.each<[string, string, unknown, RegExp, string | undefined]>([
    ['lr "abc"', 'lr', 'abc', /config\.json: lr = "abc" must be a number ≥ 0$/, '--lr=abc'],
    ['steps -5', 'steps', -5, /config\.json: steps = -5 must be an integer ≥ 1$/, '--steps=-5'],
    ['steps "500"', 'steps', '500', /config\.json: steps = "500" must be an integer ≥ 1$/, undefined],
  ])('resume with config.json holding %s: refused like the command line, naming the field', (_, field, value, msg, flag) => {
    const dir = copy();
    const f = runFiles(dir);
    writeFileSync(f.config, JSON.stringify({ ...JSON.parse(readFileSync(f.config, 'utf8')), [field]: value }));
    const before = snapshot(dir);
    refused(run('train', ['--resume', dir, '--quiet']), msg);
    expect(snapshot(dir)).toEqual(before);
    if (flag) {
      refused(run('train', ['--preset', 'pizza', '--out', join(dir, 'x'), flag]), `${flag.replace('=', ' ')}: expected`);
      expect(existsSync(join(dir, 'x'))).toBe(false);
    }
  });

  it('resume with a NaN weight: refused, naming the tensor and index; an infinite optimiser moment too', () => {
    const dir = copy();
    const f = runFiles(dir);
    const ck = loadCheckpoint(f.model);
    ck.params['blocks.0.mlp.W_in'][9] = NaN; // W_in is [d_model 8, d_mlp 8]: [1, 1]
    saveCheckpoint(f.model, ck.cfg, ck.params, ck.metadata);
    const before = snapshot(dir);
    refused(run('train', ['--resume', dir, '--quiet']), `${f.model}: tensor blocks.0.mlp.W_in holds NaN at index [1, 1] (flat 9); non-finite weights are refused`);
    expect(snapshot(dir)).toEqual(before);
    // Intact weights, an infinite AdamW moment.
    cpSync(join(finished, 'model.safetensors'), f.model);
    const opt = readSafetensors(f.optimizer(10));
    (opt.tensors.v.data as Float32Array)[3] = Infinity;
    writeSafetensors(f.optimizer(10), opt);
    refused(run('train', ['--resume', dir, '--quiet']), `${f.optimizer(10)}: tensor v holds Infinity at index [3] (flat 3)`);
  });

  it('resume with a metrics line null: refused with its line number; nothing rewritten', () => {
    const dir = copy();
    const f = runFiles(dir);
    const lines = readFileSync(f.metrics, 'utf8').split('\n');
    writeFileSync(f.metrics, [lines[0], 'null', ...lines.slice(1)].join('\n'));
    const before = snapshot(dir);
    refused(run('train', ['--resume', dir, '--quiet']), `${f.metrics}:2: null must be a metrics line (an object)`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('resume after a torn last metrics line: the line is dropped and the file rewritten as the run continues', () => {
    const dir = copy();
    const f = runFiles(dir);
    // Unfinished at step 10 of 20, as a run killed during its next append would be.
    writeFileSync(f.config, JSON.stringify({ ...JSON.parse(readFileSync(f.config, 'utf8')), steps: 20 }));
    const ck = loadCheckpoint(f.model);
    saveCheckpoint(f.model, ck.cfg, ck.params, { ...ck.metadata, done: 'false' });
    const kept = readFileSync(f.metrics, 'utf8');
    writeFileSync(f.metrics, `${kept}{"step":15,"lr":0.00`);
    const r = run('train', ['--resume', dir, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(readMetrics(f.metrics).map((m) => m.step)).toEqual([5, 10, 15, 20]);
    expect(readFileSync(f.metrics, 'utf8').startsWith(kept)).toBe(true);
    expect(readFileSync(f.metrics, 'utf8').endsWith('\n')).toBe(true);
  });
});
