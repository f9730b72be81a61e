// npm run main: the whole pipeline on the canonical pizza model, in-process with the commands' own library functions:
// train (resuming an unfinished run), analyse, bound, write the report; print the report's path and the total time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { command, runCommand } from '../src/cli/main.js';
import { addOverrideOptions, givenOverrides } from '../src/cli/overrides.js';
import { DEFAULT_BOUND_OPTIONS } from '../src/bound/bound.js';
import { boundCheckpoint } from '../src/bound/bound_checkpoint.js';
import { getGpu } from '../src/gpu/device.js';
import { analyzeCheckpoint } from '../src/interp/analyze_checkpoint.js';
import { writeReport } from '../src/report/report.js';
import { applyOverrides, preset } from '../src/train/config.js';
import { differences, prepareRun, readConfig, runFiles, runTraining } from '../src/train/run.js';

const cmd = command('main', `Train the canonical pizza model (preset pizza: p ${preset('pizza').model.p}, d_mlp ${preset('pizza').model.d_mlp}, ${preset('pizza').steps} full-batch steps), analyse it, certify it, and
write its report: <dir>/report.html, whose path is printed last with the total time. <dir> defaults to
runs/pizza-seed<seed> (git ignores runs/), with the overrides in its name when there are any. A run already in <dir> with
the same config is resumed where it stopped (a finished one is not trained again); one with another config is an error.
Committed results are written only when <dir> names them (--out results/pizza-seed0).`)
  .option('--out <dir>', 'run directory');
addOverrideOptions(cmd);

runCommand(cmd, async (values) => {
  const t0 = performance.now();
  const overrides = givenOverrides(values);
  const cfg = applyOverrides(preset('pizza'), overrides);
  const named = overrides.filter(([flag]) => flag !== 'seed').map(([flag, v]) => `-${flag}${v}`).join('');
  const dir = values.out ?? `runs/pizza-seed${cfg.seed}${named}`;
  const files = runFiles(dir);
  // The same config resumes; another one is refused by prepareRun, naming the differences.
  const same = existsSync(files.config) && !differences(readConfig(files.config), cfg).length;
  const run = prepareRun(dir, same ? undefined : cfg);
  const stage = (name: string) => process.stderr.write(`\n== ${name} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)\n`);
  stage(run.done ? `train: ${dir} holds the finished run` : run.state ? `train: resuming ${dir} at step ${run.state.step}` : `train into ${dir}`);
  await runTraining(dir, run);
  const gpu = cfg.backend === 'gpu' ? await getGpu() : undefined;
  const plots = join(dir, 'plots');
  stage('analyse (npm run analyze)');
  await analyzeCheckpoint(files.model, { json: join(dir, 'analysis.json'), plots }, gpu);
  stage('bound (npm run bound)');
  await boundCheckpoint(files.model, { json: join(dir, 'bound.json'), plots }, DEFAULT_BOUND_OPTIONS, gpu);
  stage('report (npm run report)');
  const report = await writeReport(dir);
  process.stderr.write(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`${report}\n`);
});
