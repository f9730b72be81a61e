// Like for like (issue 13): each of our training paths against the PyTorch peer doing the same algebra,
// timed in one run, interleaved block by block (so the load of a busy machine falls on every path alike),
// from the same initialisation and split: our constant-attention fast path against the peer's fast path
// (scripts/peer/train_torch.py --variant fast), our generic schedule against its generic model, and an
// ensemble of S models (seeds 0 … S−1) against its batched ensemble and its single model run S times; and
// the fast paths' step time against d_mlp (benchWidths).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { getGpu } from '../gpu/device.js';
import { KernelRegistry, submit } from '../gpu/kernels.js';
import { makeConfig } from '../model/config.js';
import { batchOf } from '../model/inputs.js';
import { initParams, paramLayout } from '../model/params.js';
import { type ScheduleName } from '../model/schedules.js';
import { GpuEnsembleTrainBackend, GpuTrainBackend, Throttle, type TrainBackend, initialState } from '../train/backends.js';
import { learningRate, preset, splitSeed } from '../train/config.js';
import { split } from '../train/data.js';
import { fitLine } from '../util/fit.js';
import { median } from '../util/stats.js';
import { CPU_PEAK_GFLOPS } from './matmul.js';
import { DEBIAN_PYTHON, SCRIPT, preparePeer } from './peer.js';

export interface FairOptions {
  /** Interleaved rounds; each times one block of every path. Default 7. */
  rounds?: number;
  /** Steps per block. Default 10. */
  block?: number;
  /** Ensemble sizes. Default [8]. */
  models?: number[];
  /** Install the peer's torch if missing. Default true. */
  install?: boolean;
}

/** One path's median time per model-step over the rounds. */
export interface FairPath { path: string; models: number; ms_per_model_step: number; rounds: number[] }

export interface FairRatio { what: string; ratio: number }

export interface FairResult {
  paths: FairPath[];
  /** Ours over theirs (below 1: we are faster), like with like only. */
  ratios: FairRatio[];
  /** The three batch-sized products (logits, their gradient, W_L's) at the CPU's float32 peak, per model-step, and our fast path's share of it. */
  limit: { flops: number; ms: number; of_fast: number; peak_gflops: number };
  block: number;
  peer_skipped?: string;
}

const CANONICAL_D_MLP = preset('pizza').model.d_mlp;

/** A contender: run `n` steps (for every model it trains) and resolve when they are done; ms for the lot. */
interface Contender { path: string; models: number; run(n: number): Promise<number>; close(): void }

async function ours(path: string, schedule: ScheduleName, models: number, d_mlp = CANONICAL_D_MLP): Promise<Contender> {
  const cfg = preset('pizza');
  const c = makeConfig({ ...cfg.model, d_mlp });
  const layout = paramLayout(c);
  const g = await getGpu();
  const train = batchOf(c, split(c.p, cfg.frac, splitSeed(cfg)).train);
  const k = new KernelRegistry(g);
  const ensemble = models > 1 ? new GpuEnsembleTrainBackend(g, c, layout, train, undefined, schedule, models, k) : undefined;
  const members: TrainBackend[] = ensemble ? Array.from({ length: models }, (_, i) => ensemble.member(i)) : [new GpuTrainBackend(g, c, layout, train, undefined, schedule, k)];
  members.forEach((m, seed) => m.load(initialState(layout, initParams(c, seed))));
  const throttle = new Throttle(g);
  let step = 0;
  return {
    path, models,
    async run(n) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        step++;
        const h = { lr: learningRate(cfg, step), beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weight_decay: cfg.weight_decay, step };
        submit(g, [...new Set(members.map((m) => m.step(h)))].flat());
        await throttle.submitted();
      }
      await throttle.wait(true);
      return performance.now() - t0;
    },
    close() {
      for (const m of members) m.dispose();
      k.owner.dispose();
    },
  };
}

/** A peer process in --serve mode: one line per block, answered with its mean step. */
function peer(path: string, variant: 'fast' | 'generic', models: number, d_mlp = CANONICAL_D_MLP): Contender {
  const p: ChildProcessWithoutNullStreams = spawn(DEBIAN_PYTHON, [SCRIPT, '--serve', '--variant', variant, '--models', String(models), '--threads', '1', '--d-mlp', String(d_mlp)]);
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += String(d)));
  const lines: Interface = createInterface({ input: p.stdout });
  const it = lines[Symbol.asyncIterator]();
  return {
    path, models,
    async run(n) {
      p.stdin.write(`${n}\n`);
      const next = await it.next();
      if (next.done) throw new Error(`${path}: the peer exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return n * (JSON.parse(next.value) as { ms_per_step: number }).ms_per_step;
    },
    close() {
      p.stdin.end();
      lines.close();
    },
  };
}

/** Each contender's median ms per model-step over `rounds` rounds of one block each, after three warm-up rounds. */
async function interleaved(contenders: Contender[], rounds: number, block: number): Promise<FairPath[]> {
  // Compile pipelines, fault in memory, warm caches and allocators, and let our throttle learn the step
  // time: untimed blocks, as the first rounds after a two-step warm-up ran 1.5-2x slower than the rest.
  for (let r = 0; r < 3; r++) for (const x of contenders) await x.run(block);
  const times = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, x] of contenders.entries()) times[i].push((await x.run(block)) / block / x.models);
  }
  return contenders.map((x, i) => ({ path: x.path, models: x.models, ms_per_model_step: median(times[i]), rounds: times[i] }));
}

export async function benchFair(opts: FairOptions = {}): Promise<FairResult> {
  const rounds = opts.rounds ?? 7;
  const block = opts.block ?? 10;
  const sizes = opts.models ?? [8];
  const skipped = await preparePeer(DEBIAN_PYTHON, opts.install ?? true);
  const contenders: Contender[] = [];
  try {
    contenders.push(await ours('ours, fast path (constant schedule)', 'constant', 1));
    if (!skipped) contenders.push(peer('PyTorch, fast path (same algebra)', 'fast', 1));
    contenders.push(await ours('ours, generic schedule', 'generic', 1));
    if (!skipped) contenders.push(peer('PyTorch, generic model', 'generic', 1));
    for (const S of sizes) {
      contenders.push(await ours(`ours, ensemble of ${S} (fast path)`, 'constant', S));
      if (!skipped) contenders.push(peer(`PyTorch, batched ensemble of ${S} (fast path)`, 'fast', S));
    }
    const paths = await interleaved(contenders, rounds, block);
    const ms = (path: string) => paths.find((x) => x.path === path)?.ms_per_model_step;
    const ratios: FairRatio[] = [];
    const ratio = (what: string, a: number | undefined, b: number | undefined) => {
      if (a !== undefined && b !== undefined) ratios.push({ what, ratio: a / b });
    };
    const fast = ms('ours, fast path (constant schedule)')!;
    const torchFast = ms('PyTorch, fast path (same algebra)');
    ratio('fast path: ours / PyTorch fast path', fast, torchFast);
    ratio('generic: ours / PyTorch generic model', ms('ours, generic schedule'), ms('PyTorch, generic model'));
    for (const S of sizes) {
      const ens = ms(`ours, ensemble of ${S} (fast path)`);
      const torchEns = ms(`PyTorch, batched ensemble of ${S} (fast path)`);
      ratio(`ensemble of ${S}, per model-step: ours / our single fast path`, ens, fast);
      ratio(`ensemble of ${S}, per model-step: ours / PyTorch's batched ensemble`, ens, torchEns);
      ratio(`ensemble of ${S}, per model-step: ours / PyTorch's best way to train ${S} (batched, or its fast path ${S} times)`, ens, torchFast === undefined || torchEns === undefined ? undefined : Math.min(torchFast, torchEns));
    }
    const c = preset('pizza').model;
    const B = split(c.p, preset('pizza').frac, splitSeed(preset('pizza'))).train.length;
    const flops = 3 * 2 * B * c.d_mlp * c.d_vocab_out;
    const limitMs = (flops / (CPU_PEAK_GFLOPS * 1e9)) * 1e3;
    return { paths, ratios, limit: { flops, ms: limitMs, of_fast: limitMs / fast, peak_gflops: CPU_PEAK_GFLOPS }, block, ...(skipped ? { peer_skipped: skipped } : {}) };
  } finally {
    for (const x of contenders) x.close();
  }
}

export interface WidthOptions {
  /** MLP widths to time. Default 32, 64, … 4096. */
  widths?: number[];
  /** Interleaved rounds at each width. Default 3. */
  rounds?: number;
  /** Install the peer's torch if missing. Default true. */
  install?: boolean;
}

export interface WidthRow { d_mlp: number; ours_ms: number; torch_ms?: number; ratio?: number }

/** ms ∝ d_mlp^exponent, fitted in log-log over the widths `over` covers. */
export interface WidthFit { path: string; over: string; exponent: number; se: number }

export interface WidthResult { rows: WidthRow[]; fits: WidthFit[]; peer_skipped?: string }

/**
 * The fast path's step time against d_mlp, ours and the PyTorch peer's, interleaved at each width, with
 * fitted exponents: over all widths, and over d_mlp ≥ 512, where the products (∝ d_mlp) should dominate
 * the fixed costs and the exponent approach 1.
 */
export async function benchWidths(opts: WidthOptions = {}): Promise<WidthResult> {
  const widths = opts.widths ?? [32, 64, 128, 256, 512, 1024, 2048, 4096];
  const rounds = opts.rounds ?? 3;
  const skipped = await preparePeer(DEBIAN_PYTHON, opts.install ?? true);
  const rows: WidthRow[] = [];
  for (const d_mlp of widths) {
    const contenders = [await ours('ours', 'constant', 1, d_mlp)];
    if (!skipped) contenders.push(peer('PyTorch', 'fast', 1, d_mlp));
    try {
      // About a second of our steps a block at any width (a step costs ~40 ms at 512 here).
      const block = Math.max(2, Math.round((25 * CANONICAL_D_MLP) / Math.max(d_mlp, 256)));
      const [o, t] = await interleaved(contenders, rounds, block);
      rows.push({ d_mlp, ours_ms: o.ms_per_model_step, ...(t ? { torch_ms: t.ms_per_model_step, ratio: o.ms_per_model_step / t.ms_per_model_step } : {}) });
    } finally {
      for (const x of contenders) x.close();
    }
  }
  return { rows, fits: widthFits(rows), ...(skipped ? { peer_skipped: skipped } : {}) };
}

/** ms ∝ d_mlp^k for each path, fitted in log-log over all widths and over d_mlp ≥ 512 (two points at least). */
export function widthFits(rows: readonly WidthRow[]): WidthFit[] {
  const fits: WidthFit[] = [];
  for (const [path, key] of [['ours', 'ours_ms'], ['PyTorch', 'torch_ms']] as const) {
    for (const [over, keep] of [['all widths', () => true], ['d_mlp ≥ 512', (r: WidthRow) => r.d_mlp >= 512]] as const) {
      const pts = rows.filter((r) => keep(r) && r[key] !== undefined);
      if (pts.length < 2) continue;
      const line = fitLine(pts.map((r) => Math.log(r.d_mlp)), pts.map((r) => Math.log(r[key]!)));
      fits.push({ path, over, exponent: line.slope, se: line.se });
    }
  }
  return fits;
}
