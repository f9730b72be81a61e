// npm run sweep -- --preset pizza --grid d_mlp=32,64,128 --seeds 0,1,2 --out sweeps/width      (see --help)
import { join } from 'node:path';
import { command, runCommand } from '../src/cli/main.js';
import { addOverrideOptions, givenOverrides } from '../src/cli/overrides.js';
import { STAGES, type Stage, readSpec } from '../src/sweep/files.js';
import { initSweep, runSweep } from '../src/sweep/run.js';
import { WHOLE, parseShard, shardFromEnv } from '../src/sweep/shard.js';
import { type SweepSpec, groupCount, makeSpec, parseAxis, sweepModels } from '../src/sweep/spec.js';
import { summarize, writeSummary } from '../src/sweep/summary.js';
import { writeReport } from '../src/report/report.js';
import { OVERRIDES, PRESETS } from '../src/train/config.js';

const cmd = command('sweep', `Train, analyse and bound one model per grid point and seed (SPEC §6), each by the same code as npm run train,
analyze, bound and report, into <dir>/<field=value,…,seed=s>/ with the same files. The spec goes to <dir>/sweep.json
first; rerunning (or --resume <dir>) redoes nothing finished, resumes a killed training from its last checkpoint, and
refuses a changed spec. A failed model is recorded (status/<id>.json) and the sweep goes on; the exit code is 1 when
any model failed. --merge writes summary.json, summary.csv (a row per model) and summary_by_group.csv (mean and
spread over seeds), with log-log slopes against the first grid field, and the sweep's page; an unsharded run merges
at its end.

Sharding: a shard is every seed of a grid point (they train together), dealt round-robin. Without --shard, a Slurm
job array task takes its shard from SLURM_ARRAY_TASK_ID/COUNT/MIN/STEP, a Kubernetes indexed Job from
JOB_COMPLETION_INDEX and SWEEP_SHARD_COUNT. Two workers never run one model: each claims it with a lock file
(<dir>/locks/), and a lock whose owner died is taken over. See scripts/slurm/ and scripts/k8s/. The training
overrides below apply to every model (--seed is the --seeds axis).`)
  .usage('--preset <name> --grid <field=v1,v2,…> [--grid …] --seeds <s1,s2,…> --out <dir> [overrides]  |  --resume <dir>  |  --merge <dir>')
  .option('--preset <name>', Object.keys(PRESETS).join(' | '))
  .option('--grid <field=v1,v2,…>', `a training field and its values (${OVERRIDES.filter((o) => o.flag !== 'seed').map((o) => o.flag.replace(/-/g, '_')).join(', ')}); several --grid make a product`,
    (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--seeds <s1,s2,…>', "initialisation seeds, the last axis; the data split is --data-seed's, shared", '0')
  .option('--out <dir>', 'the sweep directory')
  .option('--resume <dir>', 'continue the sweep in <dir> with its own spec')
  .option('--shard <i/n>', 'run the i-th (from 0) of n disjoint slices of the grid')
  .option('--redo <stages>', `run these stages again even where done (${STAGES.filter((s) => s !== 'train').join(', ')}), e.g. after the bounds changed`)
  .option('--cpu', 'analyse and bound in float64 on the CPU')
  .option('--merge <dir>', 'only write the summary and page of the sweep in <dir>')
  .option('--plan', 'write the spec and print the number of shards with work (for --array=0-(n−1)), then stop');
addOverrideOptions(cmd);

runCommand(cmd, async (values) => {
  const overrides = givenOverrides(values);
  const defining = values.preset !== undefined || values.grid.length > 0 || cmd.getOptionValueSource('seeds') === 'cli' || overrides.length > 0;

  if (values.merge !== undefined) {
    if (defining || values.resume !== undefined || values.out !== undefined) throw new Error('--merge takes the sweep directory alone');
    return merge(values.merge);
  }

  let dir: string;
  let spec: SweepSpec;
  if (values.resume !== undefined) {
    if (defining || values.out !== undefined) throw new Error('--resume takes the sweep directory alone: its sweep.json fixes the grid');
    dir = values.resume;
    const stored = readSpec(dir);
    if (!stored) throw new Error(`--resume ${dir}: no sweep there (no sweep.json)`);
    spec = stored;
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    if (!values.grid.length && cmd.getOptionValueSource('seeds') !== 'cli') throw new Error('give at least one --grid field=v1,v2,… or --seeds');
    dir = values.out;
    spec = makeSpec(values.preset, overrides, values.grid.map(parseAxis), values.seeds.split(','));
  }
  const redo = (values.redo?.split(',') ?? []).map((s) => {
    if (!STAGES.includes(s as Stage) || s === 'train') throw new Error(`--redo ${values.redo}: stages are ${STAGES.filter((x) => x !== 'train').join(', ')}`);
    return s as Stage;
  });
  const fromEnv = shardFromEnv(process.env);
  const shard = values.shard !== undefined ? parseShard(values.shard) : fromEnv?.shard ?? WHOLE;

  initSweep(dir, spec);
  const groups = groupCount(spec);
  if (values.plan) {
    process.stdout.write(`${groups}\n`);
    return;
  }
  const models = sweepModels(spec).length;
  const source = values.shard !== undefined ? '--shard' : fromEnv?.source ?? 'no shard';
  process.stderr.write(`sweep ${dir}: ${models} models in ${groups} groups; shard ${shard.index}/${shard.count} (${source})\n`);
  if (shard.index >= groups) process.stderr.write(`shard ${shard.index} has no work: the grid has ${groups} groups\n`);
  const out = await runSweep(dir, spec, { shard, redo, cpu: !!values.cpu });
  if (shard.count === 1) await merge(dir);
  const busy = out.busy.length ? `, ${out.busy.length} held by other workers` : '';
  process.stderr.write(`done: ${out.ran} models run, ${out.skipped} already done${busy}, ${out.failed.length} failed${out.failed.length ? `: ${out.failed.join(' ')}` : ''}\n`);
  if (out.failed.length) process.exitCode = 1;
});

async function merge(dir: string): Promise<void> {
  const spec = readSpec(dir);
  if (!spec) throw new Error(`--merge ${dir}: no sweep there (no sweep.json)`);
  const s = summarize(dir, spec);
  writeSummary(dir, s);
  const page = await writeReport(dir);
  const count = (st: string) => s.models.filter((m) => m.status === st).length;
  process.stderr.write(`summary of ${s.models.length} models (${count('ok')} ok, ${count('not_grokked')} not grokked, ${count('failed')} failed, ${count('pending')} pending): ${join(dir, 'summary.json')}, summary.csv, summary_by_group.csv; the sweep's page: ${page}\n`);
  for (const sl of s.slopes.filter((x) => x.against === s.x && ['quadrature_error', 'eps'].includes(x.metric))) {
    process.stderr.write(`  ${sl.metric} ∝ ${s.x}^${sl.slope.toFixed(2)} [${sl.lo.toFixed(2)}, ${sl.hi.toFixed(2)}]\n`);
  }
}
