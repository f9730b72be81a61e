// npm run analyze -- runs/x   or   --checkpoint <file> --json <out.json> [--plots <dir>]      (see --help)
import { command, runCommand } from '../src/cli/main.js';
import { resolveTarget } from '../src/cli/target.js';
import { getGpu } from '../src/gpu/device.js';
import { analyzeCheckpoint } from '../src/interp/analyze_checkpoint.js';
import { VERDICT_THRESHOLDS, pizzaOrClock } from '../src/interp/pizza_clock.js';

const cmd = command('analyze', `Explain a one-layer modular-addition model's MLP (SPEC §2, §3, §5): evaluate all p² inputs (GPU, with the
float64 CPU reference beside it), split the pre-activations h = U(a) + V(b) + c, fit each neuron's
frequency and phases, cluster by frequency, measure phase doubling, distance irrelevance and gradient
symmetricity (pizza or clock), compare each cluster's quadrature sums with the integral, and score the
replacement of the MLP by idealised neurons, the closed-form integral, and idealised neurons with their
secondary 2k components. Reads the project's checkpoints and Zhong et al.'s.

Given a run directory, reads its model.safetensors and writes analysis.json and plots/ beside it, and prints
a short summary; with --json, prints the summary as one JSON line.`)
  .argument('[run]', 'run directory (as --run)')
  .option('--run <dir>', 'run directory: reads model.safetensors there, writes analysis.json and plots/ there')
  .option('--checkpoint <file>', 'safetensors checkpoint (project or Zhong et al. layout)')
  .option('--json <file>', 'where to write the report (atomically)')
  .option('--plots <dir>', 'also write phases.svg, rectangles.svg and logit_table.svg there')
  .option('--cpu', 'run everything on the CPU reference path (no GPU needed)');

runCommand(cmd, async (o, [run]) => {
  const t = resolveTarget(o, run, 'analysis.json');
  const r = await analyzeCheckpoint(t.checkpoint, t, o.cpu ? undefined : await getGpu());
  const clusters = r.clusters.map((c) => [c.frequency, c.neurons]);
  if (o.json !== undefined) {
    process.stdout.write(JSON.stringify({ accuracy: r.accuracy, loss: r.loss, clusters, distance_irrelevance: r.distance_irrelevance, gradient_symmetricity: r.gradient_symmetricity }) + '\n');
    return;
  }
  const th = VERDICT_THRESHOLDS;
  const m = r.model;
  process.stdout.write([
    `${t.checkpoint}: p ${m.p}, d_mlp ${m.d_mlp}, α ${m.attention_rate} (${m.convention}); accuracy ${(100 * r.accuracy).toFixed(2)} %, loss ${r.loss.toExponential(2)}`,
    `${pizzaOrClock(r.distance_irrelevance, r.gradient_symmetricity)}: distance irrelevance ${r.distance_irrelevance.toFixed(3)} (pizza below ${th.distance_irrelevance}), gradient symmetricity ${r.gradient_symmetricity.toFixed(3)} (pizza above ${th.gradient_symmetricity})`,
    `clusters (frequency: neurons): ${clusters.map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'}; ${r.dead_neurons} dead neurons`,
    `wrote ${t.json}${t.plots ? ` and plots in ${t.plots}` : ''}`,
  ].join('\n') + '\n');
});
