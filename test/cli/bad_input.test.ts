// Bad input to the commands this session extended: a clear error, exit 2, and nothing written.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { tempDir } from '../helpers.js';

const script = (name: string) => new URL(`../../scripts/${name}.ts`, import.meta.url).pathname;
const run = (name: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script(name), ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });

describe('bad input', () => {
  it('npm run bound --plots naming a file: exit 2, the report not written', () => {
    const dir = tempDir('bound-bad');
    const cfg = makeConfig({ p: 5, d_model: 8, n_heads: 1, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });
    const ck = join(dir, 'tiny.safetensors');
    saveCheckpoint(ck, cfg, initParams(cfg, 1));
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = run('bound', '--checkpoint', ck, '--json', join(dir, 'b.json'), '--plots', file, '--cpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: .*not-a-folder/m);
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it.each(['bogus', 'toString', ''])('npm run bench --only %j: exit 2 with the sections named, results untouched', (only) => {
    const out = new URL('../../results/bench.json', import.meta.url).pathname;
    const before = statSync(out).mtimeMs;
    const r = run('bench', '--only', only);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: --only: unknown section/);
    expect(r.stderr).toContain('(sections: like_for_like, widths, matmul, ceiling, matmul_peers, peer, train_step, gpu_estimate, bound_tiers)');
    expect(statSync(out).mtimeMs).toBe(before);
  });
});
