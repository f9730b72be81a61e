// npm run main: the whole pipeline on the canonical pizza model: train (resuming an unfinished run),
// then analyse and bound the trained model. Each stage is the project's own command, so this is
// exactly what a user would run by hand; see README.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, runCli } from '../src/cli/main.js';
import { runFiles } from '../src/train/run.js';

const usage = `usage: npm run main [-- --out <dir>] [--seed <n>]

Train the canonical pizza model (preset pizza), then analyse it (npm run analyze) and certify it
(npm run bound). Outputs go to <dir> (default results/pizza-seed<n>): the run (config.json,
metrics.jsonl, model.safetensors), analysis.json with plots/, and bound.json.
An unfinished run in <dir> is resumed; a finished one is not trained again.`;

function stage(name: string, script: string, args: string[]): void {
  const path = new URL(`./${script}`, import.meta.url).pathname;
  process.stderr.write(`\n== ${name}: npm run ${script.replace('.ts', '')} -- ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status ?? r.signal})`);
}

runCli(async () => {
  const values = parse({ out: { type: 'string' }, seed: { type: 'string' } }, usage).values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const seed = String(values.seed ?? '0');
  const dir = String(values.out ?? `results/pizza-seed${seed}`);
  const files = runFiles(dir);
  // A finished run only has its curves redrawn.
  stage('train', 'train.ts', existsSync(files.config) ? ['--resume', dir] : ['--preset', 'pizza', '--seed', seed, '--out', dir]);
  if (existsSync(new URL('./analyze.ts', import.meta.url))) {
    stage('analyze', 'analyze.ts', ['--checkpoint', files.model, '--json', join(dir, 'analysis.json'), '--plots', join(dir, 'plots')]);
  }
  if (existsSync(new URL('./bound.ts', import.meta.url))) {
    stage('bound', 'bound.ts', ['--checkpoint', files.model, '--json', join(dir, 'bound.json'), '--plots', join(dir, 'plots')]);
  }
  process.stderr.write(`\ndone: ${dir}\n`);
});
