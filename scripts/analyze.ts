// npm run analyze -- --checkpoint <file> --json <out.json> [--plots <dir>]      (see --help)
import { parse, runCli } from '../src/cli/main.js';
import { getGpu } from '../src/gpu/device.js';
import { analyzeCheckpoint } from '../src/interp/analyze_checkpoint.js';

const usage = `usage: npm run analyze -- --checkpoint <file> --json <out.json> [--plots <dir>] [--cpu]

Explain a one-layer modular-addition model's MLP (SPEC §2, §3, §5): evaluate all p² inputs (GPU, with the
float64 CPU reference beside it), split the pre-activations h = U(a) + V(b) + c, fit each neuron's
frequency and phases, cluster by frequency, measure phase doubling, distance irrelevance and gradient
symmetricity (pizza or clock), compare each cluster's quadrature sums with the integral, and score the
replacement of the MLP by idealised neurons, the closed-form integral, and idealised neurons with their
secondary 2k components. Reads the project's checkpoints and Zhong et al.'s.

  --checkpoint <file>  safetensors checkpoint (project or Zhong et al. layout)
  --json <file>        where to write the report (atomically)
  --plots <dir>        also write phases.svg, rectangles.svg and logit_table.svg there
  --cpu                run everything on the CPU reference path (no GPU needed)`;

runCli(async () => {
  const values = parse({ checkpoint: { type: 'string' }, json: { type: 'string' }, plots: { type: 'string' }, cpu: { type: 'boolean' } }, usage)
    .values as { checkpoint?: string; json?: string; plots?: string; cpu?: boolean; help?: boolean };
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  if (values.checkpoint === undefined) throw new Error(`--checkpoint <file> is required\n\n${usage}`);
  if (values.json === undefined) throw new Error(`--json <out.json> is required\n\n${usage}`);
  const report = await analyzeCheckpoint(values.checkpoint, { json: values.json, plots: values.plots }, values.cpu ? undefined : await getGpu());
  const summary = { accuracy: report.accuracy, loss: report.loss, clusters: report.clusters.map((c) => [c.frequency, c.neurons]), distance_irrelevance: report.distance_irrelevance, gradient_symmetricity: report.gradient_symmetricity };
  process.stdout.write(JSON.stringify(summary) + '\n');
});
