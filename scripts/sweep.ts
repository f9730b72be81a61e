// npm run sweep -- --preset pizza --grid d_mlp=32,64,128 --seeds 0,1,2 --out sweeps/width      (see --help)
import { join } from 'node:path';
import { parse, runCli } from '../src/cli/main.js';
import { STAGES, type Stage, readSpec } from '../src/sweep/files.js';
import { initSweep, runSweep } from '../src/sweep/run.js';
import { WHOLE, parseShard, shardFromEnv } from '../src/sweep/shard.js';
import { type SweepSpec, groupCount, makeSpec, parseAxis, sweepModels } from '../src/sweep/spec.js';
import { summarize, writeSummary } from '../src/sweep/summary.js';
import { writeReport } from '../src/report/report.js';
import { OVERRIDES, PRESETS } from '../src/train/config.js';

const usage = `usage: npm run sweep -- --preset <name> --grid <field=v1,v2,…> [--grid …] --seeds <s1,s2,…> --out <dir> [overrides] [--shard i/n]
       npm run sweep -- --resume <dir> [--shard i/n] [--redo analyze,bound]
       npm run sweep -- --merge <dir>
       npm run sweep -- --plan … (as a first run; writes the spec and prints how many shards have work)

Train, analyse and bound one model per grid point and seed (SPEC §6), each by the same code as npm run train,
analyze and bound, into <dir>/<field=value,…,seed=s>/ with the same files. The spec goes to <dir>/sweep.json
first; rerunning redoes nothing finished, resumes a killed training from its last checkpoint, and refuses a
changed spec. A failed model is recorded (status/<id>.json) and the sweep goes on; the exit code is 1 when
any model failed. --merge writes summary.json, summary.csv (a row per model) and summary_by_group.csv (mean
and spread over seeds), with log-log slopes against the first grid field; an unsharded run merges at its end.

Sharding: a shard is every seed of a grid point (they train side by side), dealt round-robin. Without --shard,
a Slurm job array task takes its shard from SLURM_ARRAY_TASK_ID/COUNT/MIN/STEP, a Kubernetes indexed Job from
JOB_COMPLETION_INDEX and SWEEP_SHARD_COUNT. Two workers never run one model: each claims it with a lock file
(<dir>/locks/), and a lock whose owner died is taken over. See scripts/slurm/ and scripts/k8s/.

  --preset <name>      ${Object.keys(PRESETS).join(' | ')}
  --grid <f=v1,v2,…>   a training field and its values (${OVERRIDES.filter((o) => o.flag !== 'seed').map((o) => o.flag.replace(/-/g, '_')).join(', ')}); several --grid make a product
  --seeds <s1,s2,…>    initialisation seeds, the last axis (default 0); the data split is --data-seed's, shared
  --out <dir>          the sweep directory
  --resume <dir>       continue the sweep in <dir> with its own spec
  --shard <i/n>        run the i-th (from 0) of n disjoint slices of the grid
  --redo <stages>      run these stages again even where done (${STAGES.filter((s) => s !== 'train').join(', ')}), e.g. after the bounds changed
  --cpu                analyse and bound in float64 on the CPU
  --merge <dir>        only write the summary of the sweep in <dir>
  --plan               write the spec and print the number of shards with work (for --array=0-(n−1)), then stop
training overrides for every model: ${OVERRIDES.filter((o) => o.flag !== 'seed').map((o) => `--${o.flag}`).join(' ')}`;

runCli(async () => {
  const overrideFlags = OVERRIDES.filter((o) => o.flag !== 'seed');
  const options = Object.fromEntries([
    ['preset', { type: 'string' }], ['grid', { type: 'string', multiple: true }], ['seeds', { type: 'string' }], ['out', { type: 'string' }],
    ['resume', { type: 'string' }], ['merge', { type: 'string' }], ['shard', { type: 'string' }], ['redo', { type: 'string' }],
    ['cpu', { type: 'boolean' }], ['plan', { type: 'boolean' }],
    ...overrideFlags.map((o) => [o.flag, { type: 'string' }]),
  ]) as Parameters<typeof parse>[0];
  const values = parse(options, usage).values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const str = (k: string) => (values[k] === undefined ? undefined : String(values[k]));
  const overrides = overrideFlags.filter((o) => values[o.flag] !== undefined).map((o) => [o.flag, String(values[o.flag])] as [string, string]);
  const defining = values.preset !== undefined || values.grid !== undefined || values.seeds !== undefined || overrides.length > 0;

  if (values.merge !== undefined) {
    if (defining || values.resume !== undefined || values.out !== undefined) throw new Error('--merge takes the sweep directory alone');
    return merge(String(values.merge));
  }

  let dir: string;
  let spec: SweepSpec;
  if (values.resume !== undefined) {
    if (defining || values.out !== undefined) throw new Error('--resume takes the sweep directory alone: its sweep.json fixes the grid');
    dir = String(values.resume);
    const stored = readSpec(dir);
    if (!stored) throw new Error(`--resume ${dir}: no sweep there (no sweep.json)`);
    spec = stored;
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    if (values.grid === undefined && values.seeds === undefined) throw new Error('give at least one --grid field=v1,v2,… or --seeds');
    dir = String(values.out);
    const axes = ((values.grid as string[] | undefined) ?? []).map(parseAxis);
    spec = makeSpec(String(values.preset), overrides, axes, (str('seeds') ?? '0').split(','));
  }
  const redo = (str('redo')?.split(',') ?? []).map((s) => {
    if (!STAGES.includes(s as Stage) || s === 'train') throw new Error(`--redo ${values.redo}: stages are ${STAGES.filter((x) => x !== 'train').join(', ')}`);
    return s as Stage;
  });
  const fromEnv = shardFromEnv(process.env);
  const shard = values.shard !== undefined ? parseShard(String(values.shard)) : fromEnv?.shard ?? WHOLE;

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
