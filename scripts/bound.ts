// npm run bound -- runs/x   or   --checkpoint <file> --json <out.json> [--plots <dir>]      (see --help)
import { command, integer, runCommand } from '../src/cli/main.js';
import { resolveTarget } from '../src/cli/target.js';
import { DEFAULT_BOUND_OPTIONS } from '../src/bound/bound.js';
import { boundCheckpoint } from '../src/bound/bound_checkpoint.js';
import { boundSummary } from '../src/bound/summary.js';
import { getGpu } from '../src/gpu/device.js';

const cmd = command('bound', `Certify the model and the integral explanation of its ReLU MLP (SPEC §4). Brute force runs the model on all
p² inputs in float64 with proven rounding radii: it certifies the inputs the model provably answers right, and
measures ε = max |M − M̂| with a proven interval. The cheaper tiers (per_shift, compressed, and compressed's
uniform bound in SPEC §4's cost class) give proven bounds ε̄ ≥ ε and what they certify, each with its flop count
and wall time; "summary" (first in the JSON) is the ladder at a glance. Checkpoints in the project's layout or
Zhong et al.'s. A model with non-constant attention (α ≠ 0) or a non-finite weight gets the brute-force tier only
and the reason in "refused". By default the per-shift tier's sums run on the GPU; "devices" in the JSON says
where each part ran.

Given a run directory, reads its model.safetensors and writes bound.json and plots/ beside it. Prints the
figures in plain words; with --json, also writes the report there.`)
  .argument('[run]', 'run directory (as --run)')
  .option('--run <dir>', 'run directory: reads model.safetensors there, writes bound.json and plots/ there')
  .option('--checkpoint <file>', 'model to certify (project or Zhong et al. layout)')
  .option('--json <file>', 'where to write the report (atomically)')
  .option('--plots <dir>', 'also write certified.svg (which inputs each figure certifies) and cost.svg (flops against ε̄) there')
  .option('--M <n>', "truncation order of the compressed tier's Fourier series", integer(4, 1_000_000), DEFAULT_BOUND_OPTIONS.M)
  .option('--no-shape', 'explain with the plain idealisation M∞ (no secondary 2k component, no offset)')
  .option('--cpu', 'run everything in float64 on the CPU (no GPU needed)');

runCommand(cmd, async (o, [run]) => {
  const t = resolveTarget(o, run, 'bound.json');
  const report = await boundCheckpoint(t.checkpoint, t, { M: o.M, shape: o.shape }, o.cpu ? undefined : await getGpu());
  process.stdout.write([...boundSummary(report), `wrote ${t.json}${t.plots ? ` and plots in ${t.plots}` : ''}`].join('\n') + '\n');
});
