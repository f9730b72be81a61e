// npm run bound -- --checkpoint <file> --json <out.json> [--plots <dir>]      (see --help)
import { parse, runCli } from '../src/cli/main.js';
import { DEFAULT_BOUND_OPTIONS } from '../src/bound/bound.js';
import { boundCheckpoint } from '../src/bound/bound_checkpoint.js';
import { getGpu } from '../src/gpu/device.js';

const usage = `usage: npm run bound -- --checkpoint <file.safetensors> --json <out.json> [--plots <dir>] [--M <n>] [--no-shape] [--cpu]

Certify the integral explanation of the model's ReLU MLP (SPEC §4): ε = max |M − M̂| by brute force, and a
proven bound ε̄ ≥ ε with the certified accuracy at three cost tiers (brute_force, per_shift, compressed),
each with its flop count and wall time; compressed.uniform is that tier's bound with no per-input work (one ε̄
for every input, SPEC §4's cost class), which the tier refines input by input. Checkpoints in the project's layout or Zhong et al.'s. A model with
non-constant attention (α ≠ 0) gets the brute-force tier only and the reason in "refused". By default the
forward pass and the brute-force tier run on the GPU (float32 with a proven rounding allowance; α ≠ 0 falls
back to the CPU); "devices" in the JSON says where each part ran.

  --checkpoint <file>  model to certify
  --json <file>        where to write the report (atomically)
  --plots <dir>        also write certified.svg (which inputs each figure certifies) and cost.svg (flops against ε̄) there
  --M <n>              truncation order of the compressed tier's Fourier series (default ${DEFAULT_BOUND_OPTIONS.M}, ≥ 4)
  --no-shape           explain with the plain idealisation M∞ (no secondary 2k component, no offset)
  --cpu                run everything in float64 on the CPU (no GPU needed)`;

runCli(async () => {
  const values = parse({ checkpoint: { type: 'string' }, json: { type: 'string' }, plots: { type: 'string' }, M: { type: 'string' }, 'no-shape': { type: 'boolean' }, cpu: { type: 'boolean' } }, usage)
    .values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  if (values.checkpoint === undefined) throw new Error(`--checkpoint <file> is required\n\n${usage}`);
  if (values.json === undefined) throw new Error(`--json <out.json> is required\n\n${usage}`);
  const M = values.M === undefined ? DEFAULT_BOUND_OPTIONS.M : Number(values.M);
  if (!Number.isInteger(M) || M < 4 || M > 1e6) throw new Error(`--M ${values.M}: must be an integer in 4..1000000`);
  const opts = { M, shape: !values['no-shape'] };
  const report = await boundCheckpoint(String(values.checkpoint), { json: String(values.json), plots: values.plots === undefined ? undefined : String(values.plots) }, opts, values.cpu ? undefined : await getGpu());
  const t = report.tiers;
  const line = (n: string, x: typeof t.brute_force) => `${n}: ε̄ ${x.eps_bound.toPrecision(4)}, certified ${(100 * x.certified_accuracy).toFixed(2)} %, ${x.flops.toExponential(2)} flops, ${x.seconds.toFixed(2)} s`;
  process.stdout.write([
    `ε = ${report.eps_true.toPrecision(4)}, signal ${report.signal.toPrecision(4)}, model accuracy ${(100 * report.accuracy).toFixed(2)} %${report.refused ? `\nrefused: ${report.refused}` : ''}`,
    `devices: forward ${report.devices.forward}, brute_force ${report.devices.brute_force}, per_shift ${report.devices.per_shift}, compressed ${report.devices.compressed}${report.devices.note ? ` (${report.devices.note})` : ''}`,
    line('brute_force', t.brute_force), line('per_shift', t.per_shift), line('compressed', t.compressed),
    ...(t.compressed.uniform ? [line('  its uniform bound', t.compressed.uniform)] : []),
  ].join('\n') + '\n');
});
