// Quiet output: Dawn's adapter-enumeration warnings about dynamic-buffer limits never reach the user, and
// everything else written to stderr meanwhile still does.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { tempDir } from '../helpers.js';

/**
 * Run node with its stderr in a file, as a log is (Node's own 'pipe' is a socket, which the filter cannot
 * reopen; a terminal, a file and a shell pipe it can).
 */
function node(...args: string[]) {
  const log = join(tempDir('quiet-log'), 'stderr.log');
  const fd = openSync(log, 'w');
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', fd], env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' }, cwd: new URL('../..', import.meta.url).pathname });
  closeSync(fd);
  return { status: r.status, stdout: r.stdout, stderr: readFileSync(log, 'utf8') };
}

describe('quiet output', () => {
  it('a GPU command prints no Dawn limit warning on stderr', () => {
    const dir = tempDir('quiet');
    const cfg = makeConfig({ p: 5, d_model: 8, n_heads: 1, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });
    saveCheckpoint(join(dir, 'm.safetensors'), cfg, initParams(cfg, 1));
    const r = node('scripts/analyze.ts', '--checkpoint', join(dir, 'm.safetensors'), '--json', join(dir, 'a.json'));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).accuracy).toBeGreaterThanOrEqual(0);
  });

  it('filters exactly those lines: other native writes to fd 2 while the adapter is requested come through', () => {
    const noise = 'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';
    const r = node('-e', `import('./src/gpu/device.ts').then(async ({ withoutDawnNoise }) => {
      const { writeSync } = await import('node:fs');
      await withoutDawnNoise(async () => writeSync(2, ${JSON.stringify(`${noise}\nWarning: something else\n${noise.replace('Storage', 'Uniform')}\n`)}));
      writeSync(2, 'after\\n');
    })`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('Warning: something else\nafter\n');
  });
});
