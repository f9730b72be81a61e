// The shared command line (src/cli/main.ts) as users meet it: defaults in --help, one-line errors with
// suggestions, range errors for negative values, run directories and plain-words summaries.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OVERRIDES, applyOverrides, preset, presetValues } from '../../src/train/config.js';
import { prepareRun, runTraining } from '../../src/train/run.js';
import { tempDir } from '../helpers.js';

const script = (name: string) => new URL(`../../scripts/${name}.ts`, import.meta.url).pathname;
const run = (name: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script(name), ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });

/** A tiny trained run directory (CPU backend). */
async function tinyRun(): Promise<string> {
  const dir = join(tempDir('cli'), 'run');
  const cfg = applyOverrides(preset('pizza'), [['p', '7'], ['d-model', '8'], ['n-heads', '2'], ['d-mlp', '6'], ['steps', '20'], ['backend', 'cpu']]);
  await runTraining(dir, prepareRun(dir, cfg), { quiet: true });
  return dir;
}

describe('command line', () => {
  it('train --help prints every default from the presets, not retyped', () => {
    const r = run('train', '--help');
    expect(r.status).toBe(0);
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const o of OVERRIDES) expect(flat).toContain(`--${o.flag} <value> ${o.help} (default: ${presetValues(o)})`.replace(/\s+/g, ' '));
    expect(flat).toContain('--steps <value> training steps (default: 10000; pizza-zhong: 20000)');
    expect(flat).toContain('--lr <value> AdamW learning rate (default: 0.001)');
  });

  it.each([
    ['train', ['--preset', 'pizza', '--out', 'x', '--d-mlpp', '5'], "error: unknown option '--d-mlpp' (did you mean --d-mlp?)"],
    ['analyze', ['--chekpoint', 'm.safetensors'], "error: unknown option '--chekpoint' (did you mean --checkpoint?)"],
    ['bound', ['--M', '-5'], "error: option '--M <n>' argument '-5' is invalid. expected an integer in 4..1000000"],
    ['train', ['--preset', 'pizza', '--out', 'x', '--d-mlp', '-5'], 'error: --d-mlp -5: expected an integer ≥ 1'],
    ['bench', ['--onyl', 'peer'], "error: unknown option '--onyl' (did you mean --only?)"],
  ])('%s %j: one line on stderr, exit 2', (name, args, line) => {
    const r = run(name, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('analyze and bound take a run directory, write beside the model, and say what they found in words', async () => {
    const dir = await tinyRun();
    const a = run('analyze', dir, '--cpu');
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
    const verdict = report.distance_irrelevance < 0.5 && report.gradient_symmetricity > 0.8 ? 'pizza'
      : report.distance_irrelevance >= 0.5 && report.gradient_symmetricity <= 0.8 ? 'clock' : 'mixed';
    expect(a.stdout).toMatch(new RegExp(`^${verdict}: distance irrelevance ${report.distance_irrelevance.toFixed(3)} \\(pizza below 0.5\\), gradient symmetricity ${report.gradient_symmetricity.toFixed(3)} \\(pizza above 0.8\\)$`, 'm'));
    expect(readdirSync(join(dir, 'plots'))).toContain('phases.svg');

    const b = run('bound', '--run', dir, '--cpu');
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const bound = JSON.parse(readFileSync(join(dir, 'bound.json'), 'utf8'));
    expect(b.stdout.includes('the explanation does not apply to this model')).toBe(bound.eps_true >= bound.signal);
    for (const tier of ['brute_force', 'per_shift', 'compressed'] as const) {
      const line = b.stdout.split('\n').find((l) => l.startsWith(`${tier}:`))!;
      expect(line.includes('; nothing: ')).toBe(bound.tiers[tier].certified_accuracy === 0);
    }
    expect(existsSync(join(dir, 'plots', 'cost.svg'))).toBe(true);
  });

  it('a run directory without a model, or both a directory and --checkpoint: one clear line, exit 2', async () => {
    const empty = tempDir('cli');
    const r = run('bound', empty, '--cpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${empty}: no model.safetensors there (train it first: npm run train -- --resume ${empty})\n`);
    const dir = await tinyRun();
    const both = run('analyze', dir, '--checkpoint', join(dir, 'model.safetensors'), '--cpu');
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('error: give a run directory or --checkpoint, not both\n');
  });
});
