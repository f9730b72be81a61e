// npm run train -- --preset pizza --seed 0 --out runs/pizza-s0      (see --help)
import { parse, runCli } from '../src/cli/main.js';
import { OVERRIDES, PRESETS, type TrainConfig, applyOverrides, int, preset } from '../src/train/config.js';
import { prepareRun, runDirs, seedDir, trainTogether } from '../src/train/run.js';

const usage = `usage: npm run train -- --preset <name> --out <dir> [overrides]
       npm run train -- --preset <name> --seeds 0,1,2 --out <dir> [overrides]
       npm run train -- --resume <dir>

Train a one-layer modular-addition transformer, full batch, on the GPU (or the CPU reference path).
The run directory gets config.json, metrics.jsonl (one JSON line per evaluation),
model.safetensors (TransformerLens names, config in the metadata) and the optimiser state;
every file is written atomically, and a killed run continues exactly with --resume.
With --seeds, one run per initialisation seed (<dir>/seed=0, <dir>/seed=1, ...; one
data split, from --data-seed) trains together, one GPU submit per step for all of them;
each run's files are bit for bit those of training it alone. --resume <dir> continues them all.

  --preset <name>     ${Object.keys(PRESETS).join(' | ')}
  --out <dir>         run directory (must be new or empty)
  --seeds <list>      comma-separated initialisation seeds trained together (not with --seed)
  --resume <dir>      continue the run in <dir> (or the runs in its subfolders) from its last checkpoint
  --quiet             no progress line
${OVERRIDES.map((o) => `  --${o.flag.padEnd(18)}${o.help}`).join('\n')}`;

function parseSeeds(v: string): number[] {
  const seeds = v.split(',').map((x) => int('seeds', x.trim(), 0));
  if (new Set(seeds).size !== seeds.length) throw new Error(`--seeds ${v}: a seed is repeated`);
  return seeds;
}

runCli(async () => {
  const options = Object.fromEntries([
    ['preset', { type: 'string' }], ['out', { type: 'string' }], ['resume', { type: 'string' }], ['seeds', { type: 'string' }], ['quiet', { type: 'boolean' }],
    ...OVERRIDES.map((o) => [o.flag, { type: 'string' }]),
  ]) as Parameters<typeof parse>[0];
  const values = parse(options, usage).values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const overrides = OVERRIDES.filter((o) => values[o.flag] !== undefined).map((o) => [o.flag, String(values[o.flag])] as [string, string]);
  let runs: { dir: string; cfg: TrainConfig | undefined }[];
  if (values.resume !== undefined) {
    if (values.preset !== undefined || values.out !== undefined || values.seeds !== undefined || overrides.length) throw new Error('--resume takes the run directory alone: its config.json fixes everything else');
    runs = runDirs(String(values.resume)).map((dir) => ({ dir, cfg: undefined }));
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})\n\n${usage}`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    const out = String(values.out);
    const cfg = applyOverrides(preset(String(values.preset)), overrides);
    if (values.seeds === undefined) runs = [{ dir: out, cfg }];
    else {
      if (values.seed !== undefined) throw new Error('--seeds and --seed exclude each other');
      runs = parseSeeds(String(values.seeds)).map((seed) => ({ dir: seedDir(out, seed), cfg: { ...cfg, seed } }));
    }
  }
  const trained = await trainTogether(runs.map(({ dir, cfg }) => ({ dir, run: prepareRun(dir, cfg) })), { quiet: !!values.quiet });
  for (const { dir, state, last } of trained) process.stdout.write(JSON.stringify({ dir, step: state.step, ...last }) + '\n');
});
