// npm run bench [-- --only <section>[,<section>]]: run each benchmark section of src/bench/, print its
// table, and merge its rows into results/bench.json under the section's key (other sections' results
// already there are kept). To add a section, add one entry to SECTIONS.
import { existsSync, readFileSync } from 'node:fs';
import { command, runCommand } from '../src/cli/main.js';
import { benchMatmul } from '../src/bench/matmul.js';
import { benchMatmulPeers } from '../src/bench/matmul_peers.js';
import { benchCeiling } from '../src/bench/ceiling.js';
import { benchPeer } from '../src/bench/peer.js';
import { benchBoundTiers } from '../src/bench/bound_tiers.js';
import { benchFair, benchWidths } from '../src/bench/fair.js';
import { type BenchResults, PROFILE_TOP, benchSummary } from '../src/bench/summary.js';
import { benchTrainStep, estimateOnGpu, profileTrainStep, timeTo100 } from '../src/bench/train_step.js';
import { writeFileAtomic } from '../src/io/atomic.js';

const OUT = new URL('../results/bench.json', import.meta.url).pathname;
const SUMMARY = new URL('../results/bench.md', import.meta.url).pathname;

interface Section {
  run(): Promise<unknown>;
  /** Rows to print with console.table. */
  table(result: unknown): object[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

const SECTIONS: Record<string, Section> = {
  // Like for like (issue 13): each training path against the PyTorch peer running the same algebra, and an
  // ensemble of 8 against ours alone and PyTorch's best way to train 8, interleaved in one run.
  like_for_like: {
    run: () => benchFair(),
    table: (result) => {
      const r = result as Awaited<ReturnType<typeof benchFair>>;
      return [...r.paths.map((p) => ({ path: p.path, 'ms per model-step (median)': +p.ms_per_model_step.toFixed(2) })),
        ...r.ratios.map((x) => ({ path: x.what, ratio: `${x.ratio.toFixed(2)}×` })),
        { path: `physical limit (3 batch-sized products at ${r.limit.peak_gflops} GFLOP/s)`, 'ms per model-step (median)': +r.limit.ms.toFixed(2), ratio: `fast path at ${(100 * r.limit.of_fast).toFixed(1)} % of it` },
        ...(r.peer_skipped ? [{ path: `PyTorch peer skipped: ${r.peer_skipped}` }] : [])];
    },
  },
  // The fast path's step against d_mlp, ours and PyTorch's, with fitted exponents (issue 13).
  widths: {
    run: () => benchWidths(),
    table: (result) => {
      const r = result as Awaited<ReturnType<typeof benchWidths>>;
      return [...r.rows.map((x) => ({ d_mlp: x.d_mlp, 'ours ms': +x.ours_ms.toFixed(2), 'PyTorch ms': x.torch_ms && +x.torch_ms.toFixed(2), 'ours / PyTorch': x.ratio && `${x.ratio.toFixed(2)}×` })),
        ...r.fits.map((x) => ({ d_mlp: `${x.path}, ${x.over}`, 'ours ms': `exponent ${x.exponent.toFixed(2)} ± ${x.se.toFixed(2)}` })),
        ...(r.peer_skipped ? [{ d_mlp: `PyTorch peer skipped: ${r.peer_skipped}` }] : [])];
    },
  },
  matmul: {
    run: () => benchMatmul(),
    table: (rows) => (rows as Awaited<ReturnType<typeof benchMatmul>>).map((r) => ({
      shape: r.shape, variant: r.variant, ms: +r.median_ms.toFixed(2), 'GFLOP/s': +r.gflops.toFixed(2), 'best GFLOP/s': +r.best_gflops.toFixed(2),
      'JS CPU GFLOP/s': +r.cpu_js_gflops.toFixed(2), 'vs JS': `${r.vs_cpu_js.toFixed(1)}×`, 'of 205 peak': pct(r.of_peak),
    })),
  },
  // What this adapter's compiled code allows (issue 13): a multiply-add loop with nothing loaded, the price
  // of a load at a run-time address, and the fast path's products against them, in one run.
  ceiling: {
    run: () => benchCeiling(),
    table: (result) => {
      const r = result as Awaited<ReturnType<typeof benchCeiling>>;
      return [...r.multiply_add.map((x) => ({ what: `multiply-add loop, ${x.steps_per_iteration} step${x.steps_per_iteration > 1 ? 's' : ''} an iteration`, 'GFLOP/s': +x.gflops.toFixed(1), 'GFLOP/s best': +x.best_gflops.toFixed(1) })),
        { what: 'the load loop without its load', 'ns (median)': +r.loop_ns_per_iteration.toFixed(3) },
        ...r.loads.map((x) => ({ what: `${x.load} load at a run-time address, ns a float32 over that loop`, 'ns (median)': +x.ns_per_float.toFixed(3), 'ns best': +x.best_ns_per_float.toFixed(3) })),
        ...r.matmul.map((x) => ({ what: x.shape, 'GFLOP/s': +x.gflops.toFixed(1), 'GFLOP/s best': +x.best_gflops.toFixed(1), 'of 1-step loop': pct(x.of_one_step_loop), 'of CPU peak': pct(x.of_cpu_peak) }))];
    },
  },
  // A same-runtime peer (issue 13): TensorFlow.js's WebGPU backend on our adapter, on the model's products.
  matmul_peers: {
    run: () => benchMatmulPeers(),
    table: (result) => (result as Awaited<ReturnType<typeof benchMatmulPeers>>).rows.map((r) => ({
      shape: r.shape, 'ours GFLOP/s': +r.ours_gflops.toFixed(2), 'ours best': +r.ours_best_gflops.toFixed(2),
      'tfjs GFLOP/s': +r.tfjs_gflops.toFixed(2), 'tfjs best': +r.tfjs_best_gflops.toFixed(2), 'we lead by': `${r.lead.toFixed(1)}×`,
    })),
  },
  // The PyTorch peer (issue 6): installs Debian's python3-torch + OpenBLAS on first use; the peer's
  // canonical step at 1 and 2 threads, and its time to 100 % test accuracy.
  peer: {
    run: () => benchPeer({ trainTo100MaxSteps: 20_000 }),
    table: (result) => {
      const r = result as Awaited<ReturnType<typeof benchPeer>>;
      if ('skipped' in r) return [{ skipped: r.skipped }];
      const t = r.train_to_100;
      const to100 = !t ? {} : 'skipped' in t ? { 'to 100 %': t.skipped } : { 'to 100 % (steps)': t.reached ? t.steps : `not in ${t.steps}`, 'to 100 % (s)': +t.wall_s.toFixed(1) };
      return r.runs.map((x) => ({
        torch: r.torch_version, blas: r.blas, threads: x.threads, 'step ms (median)': +x.step_ms_median.toFixed(2),
        'step ms (mean)': +x.step_ms_mean.toFixed(2), ...(x.threads === r.best_threads ? to100 : {}),
      }));
    },
  },
  // The project's canonical training step on the GPU (fast and generic schedules) and the CPU
  // reference, and a canonical run to 100 % test accuracy (issue 6).
  train_step: {
    run: async () => ({ steps: await benchTrainStep(), profile: await profileTrainStep(), to_100: await timeTo100() }),
    table: (result) => {
      const r = result as NonNullable<BenchResults['train_step']>;
      return [...r.steps.map((s) => ({ path: s.path, 'step ms (median)': +s.median_ms.toFixed(2) })),
        { path: 'canonical run to 100 % test accuracy', 'step ms (median)': `${r.to_100.steps} steps, ${r.to_100.wall_s.toFixed(1)} s` },
        ...(r.profile?.ops.slice(0, PROFILE_TOP) ?? []).map((o) => ({ path: `profile: ${o.op}`, 'op ms alone (best)': +o.ms.toFixed(2) }))];
    },
  },
  // On paper (issue 13): the step's programs priced on a datacentre GPU from their own flops and bytes.
  gpu_estimate: {
    run: () => estimateOnGpu(),
    table: (result) => (result as Awaited<ReturnType<typeof estimateOnGpu>>).paths.map((p) => ({
      path: p.path, dispatches: p.dispatches, 'work µs': +p.work_us.toFixed(1), 'µs per model-step (estimate)': `${p.us_per_model_step[0].toFixed(1)}–${p.us_per_model_step[1].toFixed(1)}`,
    })),
  },
  // Each bound tier's flops and time against d_mlp and p, with fitted exponents (issue 5).
  bound_tiers: {
    run: async () => benchBoundTiers(),
    table: (result) => (result as ReturnType<typeof benchBoundTiers>).fits.map((x) => ({ ...x })),
  },
};

const cmd = command('bench', `Time the project side by side with its peers on this machine, print each section's table, and write
results/bench.json (sections not run keep their earlier results) and the summary results/bench.md.
The peer section installs Debian's python3-torch and OpenBLAS on first use. Run it on an otherwise idle
machine: every number is a wall time.`)
  .option('--only <names>', `run only these sections (comma-separated: ${Object.keys(SECTIONS).join(', ')})`);

function sections(only: string | undefined): string[] {
  if (only === undefined) return Object.keys(SECTIONS);
  const names = only.split(',').filter(Boolean);
  const bad = names.filter((n) => !Object.hasOwn(SECTIONS, n));
  if (!names.length || bad.length) throw new Error(`--only: unknown section ${bad.join(', ') || '(none given)'} (sections: ${Object.keys(SECTIONS).join(', ')})`);
  return names;
}

runCommand(cmd, async (o) => {
  const names = sections(o.only);
  const run = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  try {
    for (const name of names) {
      console.log(`\n== ${name} ==`);
      const result = await SECTIONS[name].run();
      console.table(SECTIONS[name].table(result));
      // Re-read before each write: another section (or run) may have updated the file meanwhile.
      const merged = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>) : {};
      merged[name] = result;
      merged.measured_at = { ...(merged.measured_at as Record<string, string> | undefined), [name]: run };
      writeFileAtomic(OUT, `${JSON.stringify(merged, null, 2)}\n`);
    }
  } finally {
    // The summary follows bench.json even when a section fails part-way.
    if (existsSync(OUT)) writeFileAtomic(SUMMARY, benchSummary(JSON.parse(readFileSync(OUT, 'utf8')) as BenchResults));
  }
  console.log(`\nwrote ${OUT} and ${SUMMARY}`);
});
