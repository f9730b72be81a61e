// npm run train -- --preset pizza --seed 0 --out runs/pizza-s0      (see --help)
import { parse, runCli } from '../src/cli/main.js';
import { OVERRIDES, PRESETS, applyOverrides, preset } from '../src/train/config.js';
import { prepareRun, runTraining } from '../src/train/run.js';

const usage = `usage: npm run train -- --preset <name> --out <dir> [overrides]
       npm run train -- --resume <dir>

Train a one-layer modular-addition transformer, full batch, on the GPU (or the CPU reference path).
The run directory gets config.json, metrics.jsonl (one JSON line per evaluation),
model.safetensors (TransformerLens names, config in the metadata) and the optimiser state;
every file is written atomically, and a killed run continues exactly with --resume.

  --preset <name>     ${Object.keys(PRESETS).join(' | ')}
  --out <dir>         run directory (must be new or empty)
  --resume <dir>      continue the run in <dir> from its last checkpoint
  --quiet             no progress line
${OVERRIDES.map((o) => `  --${o.flag.padEnd(18)}${o.help}`).join('\n')}`;

runCli(async () => {
  const options = Object.fromEntries([
    ['preset', { type: 'string' }], ['out', { type: 'string' }], ['resume', { type: 'string' }], ['quiet', { type: 'boolean' }],
    ...OVERRIDES.map((o) => [o.flag, { type: 'string' }]),
  ]) as Parameters<typeof parse>[0];
  const values = parse(options, usage).values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const overrides = OVERRIDES.filter((o) => values[o.flag] !== undefined).map((o) => [o.flag, String(values[o.flag])] as [string, string]);
  let dir: string;
  let cfg;
  if (values.resume !== undefined) {
    if (values.preset !== undefined || values.out !== undefined || overrides.length) throw new Error('--resume takes the run directory alone: its config.json fixes everything else');
    dir = String(values.resume);
  } else {
    if (values.preset === undefined) throw new Error(`--preset is required (${Object.keys(PRESETS).join(', ')})\n\n${usage}`);
    if (values.out === undefined) throw new Error('--out <dir> is required');
    dir = String(values.out);
    cfg = applyOverrides(preset(String(values.preset)), overrides);
  }
  const { state, last } = await runTraining(dir, prepareRun(dir, cfg), { quiet: !!values.quiet });
  process.stdout.write(JSON.stringify({ dir, step: state.step, ...last }) + '\n');
});
