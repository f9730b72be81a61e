// npm run train -- --preset pizza --seed 0 --out runs/pizza-s0      (see --help)
import { command, integer, runCommand } from '../src/cli/main.js';
import { addOverrideOptions, givenOverrides } from '../src/cli/overrides.js';
import { PRESETS, applyOverrides, preset } from '../src/train/config.js';
import { prepareRun, runTraining } from '../src/train/run.js';

const cmd = command('train', `Train a one-layer modular-addition transformer, full batch, on the GPU (or the CPU reference path).
The run directory gets config.json (with the run's provenance), metrics.jsonl (one JSON line per evaluation,
the first at step 0), model.safetensors (TransformerLens names, config in the metadata) and the optimiser
state; every file is written atomically. A killed or interrupted run continues exactly with --resume, and
--resume <dir> --steps <n> extends a finished one. Defaults are the pizza preset's (other presets' where
they differ).`)
  .usage('--preset <name> --out <dir> [overrides]  |  --resume <dir> [--steps <n>]')
  .option('--preset <name>', Object.keys(PRESETS).join(' | '))
  .option('--out <dir>', 'run directory (must be new or empty)')
  .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint (with --steps: train it on to that step)')
  .option('--save-every <n>', 'also keep the model every n steps as model-<step>.safetensors (for studying grokking)', integer(1))
  .option('--quiet', 'no progress line');
addOverrideOptions(cmd);

runCommand(cmd, async (values) => {
  const overrides = givenOverrides(values);
  let dir: string;
  let run;
  if (values.resume !== undefined) {
    const extra = overrides.filter(([flag]) => flag !== 'steps');
    if (values.preset !== undefined || values.out !== undefined || extra.length) throw new Error('--resume takes the run directory and at most --steps (to extend it): its config.json fixes everything else');
    dir = values.resume;
    // --steps is checked as for a new run (applied to any preset), then extends the stored config.
    const steps = overrides.find(([flag]) => flag === 'steps');
    run = prepareRun(dir, undefined, steps && applyOverrides(preset('pizza'), [steps]).steps);
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    dir = values.out;
    run = prepareRun(dir, applyOverrides(preset(values.preset), overrides));
  }
  const resumeCommand = `npm run train -- --resume ${dir}${values.saveEvery ? ` --save-every ${values.saveEvery}` : ''}`;
  // Every file is written atomically, so stopping anywhere is safe: say how to go on.
  process.once('SIGINT', () => {
    process.stderr.write(`\ninterrupted; continue with: ${resumeCommand}\n`);
    process.exit(130);
  });
  const { state, last } = await runTraining(dir, run, { quiet: !!values.quiet, saveEvery: values.saveEvery });
  process.stdout.write(JSON.stringify({ dir, step: state.step, ...last }) + '\n');
});

