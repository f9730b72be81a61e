// A production install (`npm ci --omit=dev`) runs the commands: every package a command imports is a
// runtime dependency, and npm 11 installs without warnings about unreviewed install scripts.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../src/io/checkpoint.js';
import { makeConfig } from '../src/model/config.js';
import { initParams } from '../src/model/params.js';
import { tempDir } from './helpers.js';

const ROOT = new URL('..', import.meta.url).pathname;

describe('packaging', () => {
  it('npm ci --omit=dev installs quietly, and npm run analyze works from it', () => {
    const copy = tempDir('prod');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'scripts', 'shaders']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    const install = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: copy, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/install-scripts|allowScripts/);
    expect(existsSync(join(copy, 'node_modules', 'vitest'))).toBe(false);

    const cfg = makeConfig({ p: 5, d_model: 8, n_heads: 2, d_mlp: 6, attention_rate: 0, attention_convention: 'mean' });
    saveCheckpoint(join(copy, 'tiny.safetensors'), cfg, initParams(cfg, 2));
    const out = execFileSync('npm', ['run', '--silent', 'analyze', '--', '--checkpoint', 'tiny.safetensors', '--json', 'a.json', '--cpu'], { cwd: copy, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
    expect(JSON.parse(out).accuracy).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(readFileSync(join(copy, 'a.json'), 'utf8')).model.p).toBe(5);
  });
});
