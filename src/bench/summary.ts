// results/bench.md: the markdown summary of results/bench.json, with the ratios issue readers ask for
// (training step against the PyTorch peer, matmul against the CPU's peak, bound tiers' growth).
import { CANONICAL_SIZE, type Fit, type TierCost } from './bound_tiers.js';
import { sum } from '../util/stats.js';
import { CPU_PEAK_GFLOPS, type MatmulRow } from './matmul.js';
import type { CeilingResult } from './ceiling.js';
import type { FairResult, WidthResult } from './fair.js';
import type { MatmulPeersResult } from './matmul_peers.js';
import type { PeerResult } from './peer.js';
import type { GpuEstimate, StepOp, StepProfile, StepTiming, TimeTo100 } from './train_step.js';

export interface BenchResults {
  like_for_like?: FairResult;
  widths?: WidthResult;
  matmul?: MatmulRow[];
  matmul_peers?: MatmulPeersResult;
  ceiling?: CeilingResult;
  peer?: PeerResult;
  train_step?: { steps: StepTiming[]; profile?: StepProfile; to_100: TimeTo100 };
  gpu_estimate?: GpuEstimate;
  bound_tiers?: { rows: TierCost[]; fits: Fit[] };
  /** When each section was measured: the start of the `npm run bench` that ran it (sections of one run share it). */
  measured_at?: Record<string, string>;
}

const f = (x: number, d = 1) => x.toFixed(d);

/** Ops of the step profile listed one by one in the summary; the rest share one row. */
export const PROFILE_TOP = 8;

/** The markdown lines of 'where the GPU step's time goes'. */
export function profileTable(prof: StepProfile): string[] {
  const top = prof.ops.slice(0, PROFILE_TOP);
  const rest = prof.ops.slice(PROFILE_TOP);
  // Older results lack flops and bytes (`?? 0` keeps their summary readable).
  const row = (op: string, n: number, ms: number, flops: number, bytes: number) =>
    `| ${op} | ${n} | ${f(ms, 2)} | ${f(flops / 1e6)} | ${f(bytes / 1e6, 2)} | ${flops ? f(flops / ms / 1e6) : '—'} | ${f((100 * ms) / prof.sum_ms)} % |`;
  const total = (ops: StepOp[], key: 'flops' | 'bytes') => sum(ops.map((o) => o[key] ?? 0));
  const out = [
    '### Where the GPU step\'s time goes\n',
    `Each dispatch of the fast-schedule step timed alone (best of alternating rounds), by the tensor it writes. Alone, each also pays a submit and a wake-up (${f(prof.overhead_ms, 2)} ms for an empty copy timed the same way), so their sum, ${f(prof.sum_ms)} ms over ${prof.ops.length} ops, is not the step's time.\n`,
    'MFLOP: the products\' floating-point operations; MB: every tensor range the op binds, counted once (what it must move at least).\n',
    '| op → tensor written | dispatches | ms | MFLOP | MB | GFLOP/s | share |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...top.map((o) => row(o.op, o.dispatches, o.ms, o.flops ?? 0, o.bytes ?? 0)),
  ];
  if (rest.length) out.push(row(`${rest.length} other ops (small products and sums over tables)`, sum(rest.map((o) => o.dispatches)), sum(rest.map((o) => o.ms)), total(rest, 'flops'), total(rest, 'bytes')));
  return out;
}

/** The like-for-like section: ratios first (ours over theirs), then the paths and the physical limit. */
export function fairSection(x: FairResult, at: string): string[] {
  return [
    `## Like for like: training step against the PyTorch peer doing the same algebra, run of ${at}\n`,
    `Every path timed in this run, interleaved block by block (${x.block} steps a block, median over rounds), from the same initialisation and split; ensembles per model-step. Below 1×, ours is faster.\n`,
    '| comparison | ours / theirs |', '| --- | --- |',
    ...x.ratios.map((r) => `| ${r.what} | ${f(r.ratio, 2)}× |`),
    ...(x.peer_skipped ? [`\nPyTorch peer skipped: ${x.peer_skipped}`] : []),
    '', `The physical limit: the step's three batch-sized products (logits, their gradient, W_L's: ${x.limit.flops.toExponential(2)} flops) at the CPU's float32 peak of ${x.limit.peak_gflops} GFLOP/s take ${f(x.limit.ms, 2)} ms; our fast path runs at ${f(100 * x.limit.of_fast)} % of it.\n`,
    '| path | ms per model-step (median) |', '| --- | --- |',
    ...x.paths.map((p) => `| ${p.path} | ${f(p.ms_per_model_step)} |`), '',
  ];
}

/** The width scan: the fast path's step against d_mlp, ours and PyTorch's, and the fitted exponents. */
export function widthSection(x: WidthResult, at: string): string[] {
  return [
    `## Fast-path step against d_mlp, run of ${at}\n`,
    'Ours and the PyTorch fast path (same algebra, one thread) interleaved at each width, median ms per step. The three batch-sized products (d_mlp is one of their dimensions), the gathers and scatters of width d_mlp and AdamW over W_in and W_out grow as d_mlp; the embedding and attention tables and the width-p work (logit tables, loss, their scatter) do not, so the exponent over all widths is below 1.\n',
    '| d_mlp | ours ms | PyTorch ms | ours / PyTorch |', '| --- | --- | --- | --- |',
    ...x.rows.map((w) => `| ${w.d_mlp} | ${f(w.ours_ms)} | ${w.torch_ms === undefined ? '—' : f(w.torch_ms)} | ${w.ratio === undefined ? '—' : `${f(w.ratio, 2)}×`} |`),
    '', '| fit: ms ∝ d_mlp^k | k | ± (standard error) |', '| --- | --- | --- |',
    ...x.fits.map((w) => `| ${w.path}, ${w.over} | ${f(w.exponent, 2)} | ${f(w.se, 2)} |`),
    ...(x.peer_skipped ? [`\nPyTorch peer skipped: ${x.peer_skipped}`] : []), '',
  ];
}

/** The real-GPU estimate: on paper, with its assumptions. */
export function gpuEstimateSection(x: GpuEstimate, at: string): string[] {
  const a = x.assumptions;
  const us = ([lo, hi]: [number, number]) => `${f(lo)}–${f(hi)}`;
  return [
    `## Estimate on paper: the step on an ${x.gpu.name}, computed ${at}\n`,
    `Not a measurement. Each dispatch of the programs this project runs, priced from its own flops and bytes: max(flops at ${f(100 * a.compute_efficiency, 0)} % of the ${x.gpu.fp32_tflops} TFLOP/s float32 peak, bytes at ${f(100 * a.memory_efficiency, 0)} % of ${x.gpu.bandwidth_tbs} TB/s), scaled down when its workgroups cannot fill the ${x.gpu.sms} SMs, plus ${a.dispatch_us[0]}–${a.dispatch_us[1]} µs per dependent dispatch or copy (launch and barrier). The programs are built on this machine as a GPU would schedule them (its grid sizes; long reductions split where their workgroups cannot fill the GPU), with this machine's matmul tiles. Optimistic where a dispatch's threads are too few to hide latency; pessimistic where its data sits in L2 (a single model's step does; an ensemble of 8 does not).\n`,
    '| path | dispatches | work µs | µs per model-step (work + fixed costs) | largest ops (µs) |', '| --- | --- | --- | --- | --- |',
    ...x.paths.map((p) => `| ${p.path} | ${p.dispatches} | ${f(p.work_us)} | ${us(p.us_per_model_step)} | ${p.top.slice(0, 3).map((o) => `${o.op} ${f(o.work_us)}`).join('; ')} |`),
    '', ...x.paths.filter((p) => p.dispatches * a.dispatch_us[0] > p.work_us).map((p) => `${p.path}: the fixed cost of its ${p.dispatches} dispatches exceeds its work even at ${a.dispatch_us[0]} µs each, so on such a GPU it is bound by dependent dispatches, not by flops or bytes; models that share dispatches (an ensemble) share that cost.`), '',
  ];
}

/** The ceiling section: what the adapter's compiled code allows, and the fast path's products against it. */
function ceilingSection(x: CeilingResult, at: string): string[] {
  const [one, four] = x.multiply_add;
  return [
    `## What the adapter allows: a multiply-add loop and a load, beside our products, run of ${at}\n`,
    `A runtime loop of float32 multiply-adds with 16 independent accumulators an invocation and nothing loaded (shaders/bench/multiply_add_loop.wgsl); a loop that loads one float32 (or one vec4) an iteration at an address known only at run time, less the same loop without the load (${f(x.loop_ns_per_iteration, 3)} ns an iteration; shaders/bench/lane_loads.wgsl); and the fast path's three batch-sized products, all interleaved over ${x.runs} rounds. Our matmul's k loop takes two steps an iteration for each row of its 16×8 block (128 accumulators, not 16), so its ceiling before it loads anything lies between the two loops'.\n`,
    '| what | median | best |', '| --- | --- | --- |',
    ...x.multiply_add.map((m) => `| multiply-add loop, ${m.steps_per_iteration} step${m.steps_per_iteration > 1 ? 's' : ''} an iteration | ${f(m.gflops)} GFLOP/s | ${f(m.best_gflops)} |`),
    ...x.loads.map((l) => `| ${l.load} load at a run-time address | ${f(l.ns_per_float, 3)} ns a float32 | ${f(l.best_ns_per_float, 3)} |`),
    '', '| product | GFLOP/s (median) | best | of the 1-step loop | of CPU peak |', '| --- | --- | --- | --- | --- |',
    ...x.matmul.map((m) => `| ${m.shape} | ${f(m.gflops)} | ${f(m.best_gflops)} | ${f(100 * m.of_one_step_loop)} % | ${f(100 * m.of_cpu_peak)} % |`),
    '', `Four steps an iteration run ${f(four.gflops / one.gflops, 2)}× the one-step loop.`, '',
  ];
}

export function benchSummary(r: BenchResults): string {
  const at = (section: keyof BenchResults) => r.measured_at?.[section] ?? 'time not recorded';
  const sameRun = (x: keyof BenchResults, y: keyof BenchResults) => r.measured_at?.[x] !== undefined && r.measured_at[x] === r.measured_at?.[y];
  const out = [`# Benchmarks\n\nMade by \`npm run bench\` on this machine: two CPU cores, WebGPU on Mesa's lavapipe, float32 peak about ${CPU_PEAK_GFLOPS} GFLOP/s. Each section says which run measured it (\`--only\` re-runs some); the paths compared in a table were measured in the same run unless it says otherwise.\n`];
  const peer = r.peer && !('skipped' in r.peer) ? r.peer : undefined;
  if (r.like_for_like) out.push(...fairSection(r.like_for_like, at('like_for_like')));
  if (r.widths) out.push(...widthSection(r.widths, at('widths')));
  if (r.train_step) {
    out.push(`## Canonical training step (forward, backward, AdamW; 2785 examples), run of ${at('train_step')}\n`);
    const recorded = r.measured_at?.peer !== undefined && r.measured_at?.train_step !== undefined;
    const otherRun = !peer || sameRun('peer', 'train_step') ? undefined
      : recorded ? `The PyTorch peer's figures come from another run (${at('peer')}).\n` : 'Whether the PyTorch peer\'s figures come from the same run was not recorded.\n';
    if (otherRun) out.push(otherRun);
    // No ratio here: the fast path against a generic model is not like with like (the section above is).
    out.push('| path | median ms |', '| --- | --- |');
    for (const s of r.train_step.steps) out.push(`| ${s.path} | ${f(s.median_ms)} |`);
    if (peer) out.push(`| PyTorch ${peer.torch_version} (${peer.blas}, ${peer.best_threads} thread${peer.best_threads > 1 ? 's' : ''}), generic model | ${f(peer.step_ms_median)} |`);
    else if (r.peer && 'skipped' in r.peer) out.push(`\nPyTorch peer skipped: ${r.peer.skipped}`);
    if (r.train_step.profile) out.push('', ...profileTable(r.train_step.profile));
    const t = r.train_step.to_100;
    const pt = peer?.train_to_100 && !('skipped' in peer.train_to_100) ? peer.train_to_100 : undefined;
    out.push('', '## Canonical run to 100 % test accuracy (same initialisation and split)\n');
    if (pt && otherRun) out.push(otherRun);
    out.push('| | steps | wall s |', '| --- | --- | --- |');
    out.push(`| this project (GPU) | ${t.reached ? t.steps : `not in ${t.steps}`} | ${f(t.wall_s)} |`);
    if (pt) out.push(`| PyTorch peer (generic model) | ${pt.reached ? pt.steps : `not in ${pt.steps}`} | ${f(pt.wall_s)} |`);
    out.push(`\nBoth evaluate every ${t.eval_every} steps, so steps are rounded up to that.\n`);
  }
  if (r.gpu_estimate) out.push(...gpuEstimateSection(r.gpu_estimate, at('gpu_estimate')));
  if (r.matmul) {
    out.push(`## Matmul (the tile the model uses), run of ${at('matmul')}\n`, '| shape | GFLOP/s (median) | best | JS float32, 1 thread | of peak |', '| --- | --- | --- | --- | --- |');
    for (const m of r.matmul.filter((x) => x.variant.startsWith('auto'))) out.push(`| ${m.shape}, tile ${m.variant.replace(/^auto \(|\)$/g, '')} | ${f(m.gflops)} | ${f(m.best_gflops)} | ${f(m.cpu_js_gflops)} | ${f(100 * m.of_peak)} % |`);
    out.push('');
  }
  if (r.matmul_peers) {
    const x = r.matmul_peers;
    out.push(`## Matmul against ${x.peer} on the same adapter, run of ${at('matmul_peers')}\n`,
      `Both on one WebGPU device (${x.adapter}), same float32 inputs, interleaved round by round: ${x.rounds} rounds of ${x.dispatches} products each, timed to the queue's completion. Each shape's two results were checked equal within float32 tolerance. Above 1×, we lead.\n`,
      '| shape | ours GFLOP/s (median) | best | tfjs GFLOP/s (median) | best | we lead by |', '| --- | --- | --- | --- | --- | --- |',
      ...x.rows.map((m) => `| ${m.shape} | ${f(m.ours_gflops)} | ${f(m.ours_best_gflops)} | ${f(m.tfjs_gflops)} | ${f(m.tfjs_best_gflops)} | ${f(m.lead)}× |`), '');
  }
  if (r.ceiling) out.push(...ceilingSection(r.ceiling, at('ceiling')));
  if (r.bound_tiers) {
    out.push(`## Bound tiers: growth of cost (fitted log-log exponents), run of ${at('bound_tiers')}\n`, '| tier | over | flops exponent | seconds exponent |', '| --- | --- | --- | --- |');
    for (const x of r.bound_tiers.fits) out.push(`| ${x.tier} | ${x.over} | ${f(x.flops_exponent, 2)} | ${f(x.seconds_exponent, 2)} |`);
    out.push('', 'On planted pizza-like structures at d_model 128 (rows in bench.json). A planted structure is its own model, so',
      'brute force is its forward pass with proven radii, O(p³·d_mlp) (a transformer\'s adds the d_model products);',
      'the residual tiers weight residuals per input, hence their growth with p. compressed_uniform is the',
      'compressed tier\'s bound with no per-input work (SPEC §4\'s class): what grows with p is reading the residuals',
      'and W_L (p·d_mlp) and certifying, which compares margins at all p³ logits.', '');
    // The canonical size is in both sweeps: one row per tier. A refused figure's ε̄ reads null in the JSON.
    const { p, d_mlp } = CANONICAL_SIZE;
    const canonical = [...new Map(r.bound_tiers.rows.filter((x) => x.p === p && x.d_mlp === d_mlp && x.eps_bound != null && x.flops > 0).map((x) => [x.tier, x])).values()];
    const bf = canonical.find((x) => x.tier === 'brute_force');
    if (bf) {
      out.push(`At p ${p}, d_mlp ${d_mlp} (that planted structure: its certificates say little; real models are in results/zhong-bounds/):\n`, '| tier | flops | below brute force | ε̄ | certified |', '| --- | --- | --- | --- | --- |');
      for (const x of canonical) out.push(`| ${x.tier} | ${x.flops.toExponential(2)} | ${f(bf.flops / x.flops)}× | ${f(x.eps_bound, 2)} | ${f(100 * x.certified_accuracy)} % |`);
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}
