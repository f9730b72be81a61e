import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';

const SCRIPT = new URL('../../scripts/analyze.ts', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });

describe('npm run analyze', () => {
  it('writes the report with the keys the issue lists, and its figures with their specs', () => {
    const dir = tempDir('analyze');
    const cfg = makeConfig({ p: 7, d_model: 8, n_heads: 2, d_mlp: 6, attention_rate: 0, attention_convention: 'mean' });
    const ck = join(dir, 'tiny.safetensors');
    saveCheckpoint(ck, cfg, initParams(cfg, 3));
    const out = join(dir, 'report.json');
    const r = run('--checkpoint', ck, '--json', out, '--plots', join(dir, 'plots'), '--cpu');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.model).toMatchObject({ p: 7, d_model: 8, d_mlp: 6, n_heads: 2, attention_rate: 0, convention: 'mean', act_fn: 'relu' });
    for (const key of ['accuracy', 'loss', 'distance_irrelevance', 'gradient_symmetricity']) expect(typeof j[key]).toBe('number');
    expect(j.split.max_abs_error).toBeLessThan(1e-12);
    for (const c of j.clusters) expect(Object.keys(c)).toEqual(expect.arrayContaining(['frequency', 'neurons', 'quadrature_relative_error']));
    expect(Object.keys(j.phase_doubling)).toEqual(['circular_mean_rad', 'median_abs_deviation_rad']);
    for (const v of ['ideal', 'integral', 'secondary']) expect(Object.keys(j.replacement[v]).sort()).toEqual(['accuracy', 'fve_logits', 'fve_mlp', 'loss']);
    const figures = j.clusters.length ? ['fourier', 'logit_table', 'phases', 'rectangles'] : ['fourier', 'logit_table'];
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(figures.flatMap((f) => [`${f}.svg`, `${f}.vl.json`]));
    expect(readdirSync(dir).sort()).toEqual(['plots', 'report.json', 'tiny.safetensors']); // no temp files left
  });

  it('--help, and clear errors with exit code 2', () => {
    const h = run('--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--checkpoint <file>/);
    const dir = tempDir('analyze');
    const missing = run('--json', join(dir, 'x.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--checkpoint <file> is required/);
    const noFile = run('--checkpoint', join(dir, 'none.safetensors'), '--json', join(dir, 'x.json'), '--cpu');
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/cannot read checkpoint/);
    writeFileSync(join(dir, 'junk.safetensors'), 'not a checkpoint');
    const junk = run('--checkpoint', join(dir, 'junk.safetensors'), '--json', join(dir, 'x.json'), '--cpu');
    expect(junk.status).toBe(2);
    expect(run('--bogus').stderr).toMatch(/bogus/);
    expect(readdirSync(dir)).toEqual(['junk.safetensors']);
  });
});
