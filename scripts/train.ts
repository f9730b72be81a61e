// npm run train -- --preset pizza --seed 0 --out runs/pizza-s0      (see --help)
import { command, integer, runCommand } from '../src/cli/main.js';
import { addOverrideOptions, givenOverrides } from '../src/cli/overrides.js';
import { PRESETS, type TrainConfig, applyOverrides, int, preset } from '../src/train/config.js';
import { type PreparedRun, prepareRun, runDirs, seedDir, trainTogether } from '../src/train/run.js';

const cmd = command('train', `Train a one-layer modular-addition transformer, full batch, on the GPU (or the CPU reference path).
The run directory gets config.json (with the run's provenance), metrics.jsonl (one JSON line per evaluation,
the first at step 0), model.safetensors (TransformerLens names, config in the metadata) and the optimiser
state; every file is written atomically. A killed or interrupted run continues exactly with --resume, and
--resume <dir> --steps <n> extends a finished one. With --seeds, one run per initialisation seed
(<dir>/seed=0, <dir>/seed=1, …; one data split, from --data-seed) trains together, one GPU submit per step for
all of them; each run's files are bit for bit those of training it alone, and --resume <dir> continues them all.
Defaults are the pizza preset's (other presets' where they differ).`)
  .usage('--preset <name> --out <dir> [--seeds 0,1,2] [overrides]  |  --resume <dir> [--steps <n>]')
  .option('--preset <name>', Object.keys(PRESETS).join(' | '))
  .option('--out <dir>', 'run directory (must be new or empty)')
  .option('--seeds <list>', 'comma-separated initialisation seeds trained together, into <out>/seed=<s> (not with --seed)')
  .option('--resume <dir>', 'continue the run in <dir> (or the runs in its subfolders) from its last checkpoint (with --steps: train it on to that step)')
  .option('--save-every <n>', 'also keep the model every n steps as model-<step>.safetensors (for studying grokking)', integer(1))
  .option('--quiet', 'no progress line');
addOverrideOptions(cmd);

function parseSeeds(v: string): number[] {
  const seeds = v.split(',').map((x) => int('seeds', x.trim(), 0));
  if (new Set(seeds).size !== seeds.length) throw new Error(`--seeds ${v}: a seed is repeated`);
  return seeds;
}

runCommand(cmd, async (values) => {
  const overrides = givenOverrides(values);
  let dir: string;
  let runs: { dir: string; run: PreparedRun }[];
  if (values.resume !== undefined) {
    const extra = overrides.filter(([flag]) => flag !== 'steps');
    if (values.preset !== undefined || values.out !== undefined || values.seeds !== undefined || extra.length) throw new Error('--resume takes the run directory and at most --steps (to extend it): its config.json fixes everything else');
    dir = values.resume;
    // --steps is checked as for a new run (applied to any preset), then extends the stored config.
    const steps = overrides.find(([flag]) => flag === 'steps');
    const extendTo = steps && applyOverrides(preset('pizza'), [steps]).steps;
    runs = runDirs(dir).map((d) => ({ dir: d, run: prepareRun(d, undefined, extendTo) }));
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    dir = values.out;
    const cfg: TrainConfig = applyOverrides(preset(values.preset), overrides);
    if (values.seeds === undefined) runs = [{ dir, run: prepareRun(dir, cfg) }];
    else {
      if (overrides.some(([flag]) => flag === 'seed')) throw new Error('--seeds and --seed exclude each other');
      const seeds = parseSeeds(values.seeds);
      runs = seeds.map((seed) => ({ dir: seedDir(dir, seed), cfg: { ...cfg, seed } })).map((r) => ({ dir: r.dir, run: prepareRun(r.dir, r.cfg) }));
    }
  }
  const resumeCommand = `npm run train -- --resume ${dir}${values.saveEvery ? ` --save-every ${values.saveEvery}` : ''}`;
  // Every file is written atomically, so stopping anywhere is safe: say how to go on.
  process.once('SIGINT', () => {
    process.stderr.write(`\ninterrupted; continue with: ${resumeCommand}\n`);
    process.exit(130);
  });
  const trained = await trainTogether(runs, { quiet: !!values.quiet, saveEvery: values.saveEvery });
  for (const { dir: d, state, last } of trained) process.stdout.write(JSON.stringify({ dir: d, step: state.step, ...last }) + '\n');
});
