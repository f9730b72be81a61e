// Certify the explanation (SPEC §4): build M̂ from the weights, then bound |M − M̂| at three cost tiers and
// report ε, ε̄, certified accuracy, flops and wall time for each.
import type { Gpu } from '../gpu/device.js';
import type { KernelRegistry } from '../gpu/kernels.js';
import { type MlpStructure, mlpStructure, restLogit } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { ParamValues, Params } from '../model/params.js';
import type { F64 } from '../ops/cpu/types.js';
import { measuredGpu, structureBruteForceGpu } from './brute_gpu.js';
import { type Explanation, clusterIntegrands, explain, explanationTable } from './explanation.js';
import { boundReduceGpu, shiftSumsGpu } from './gpu.js';
import { U64, gamma } from './integrand.js';
import { certifySigned, signedEps, signedResiduals } from './signed.js';
import { COMPRESSED_OUTPUT_TERMS, arcResiduals } from './arcs.js';
import { supQuadrature, turnTable } from './compressed.js';
import type { ShapeIntegrand } from './shape.js';
import { structureCost, structureRounding } from './structure_error.js';
import { uniformBound } from './uniform.js';
import {
  type Certification, type Residuals, type ShiftSums, STRUCTURE_SLACK, type TierResult, type Truth, certify, distancePart, forwardFlops, groundTruth, perShiftQuadrature, residualTier, residuals, structureTruth, truthOf,
} from './tiers.js';

/** Per-input bounds ε̄(a, b) of each tier [p²] (null when refused), the computed max_c |M − M̂| and correctness. */
export interface PerInput {
  eps: F64;
  correct: Uint8Array;
  brute_force: F64;
  per_shift: F64 | null;
  compressed: F64 | null;
  /** The compressed tier's uniform ε̄ (one value for every input). */
  compressed_uniform: F64 | null;
}

export interface BoundOptions {
  /** Truncation order of the compressed tier's Fourier series (≥ 4). */
  M: number;
  /** Model each cluster's secondary 2k component and constant offset in M̂ (SPEC §3). */
  shape: boolean;
}

// M = 96: the compressed tier's moments and FFT grid cost O(M) per neuron and per integrand; model A's ε̄ is 8.60 against 8.53 at
// 128 (9.0 at 64), and the tier stays > 100× below brute force on the canonical models.
export const DEFAULT_BOUND_OPTIONS: BoundOptions = { M: 96, shape: true };

export interface BoundReport {
  p: number;
  d_mlp: number;
  /** max |M − M̂| over all (a, b, c < p), by brute force. */
  eps_true: number;
  /** max |M̂| over all (a, b, c < p): the size of the explained logits. */
  signal: number;
  /** The model's own accuracy over the p² inputs (the forward pass on devices.forward: float64 or float32). */
  accuracy: number;
  /**
   * Where each part ran: the forward pass (ε, accuracy) and each tier's certified figure ('gpu+cpu': the per-shift
   * tier's Lipschitz max over logits and its quadrature sums on the GPU; residuals, quadrature bounds and
   * certification in float64; the compressed tier runs on the CPU), and in note what stayed on the CPU and why.
   */
  devices: Devices;
  /** When set, the per-shift and compressed tiers were not run, for this reason (their ε̄ is null). */
  refused: string | null;
  explanation: { M: number; shape: boolean; clusters: { k: number; neurons: number; W: number; rho: number; kappa: number }[] };
  /** Flops to compute U, V, c, W_L and D from the weights, shared by the per-shift and compressed tiers. */
  structure_flops: number;
  /**
   * compressed.uniform: the compressed tier's bound in SPEC §4's cost class (src/bound/uniform.ts), one ε̄ for every input
   * with no per-input work, and what it certifies; the tier's own figures refine it input by input and logit by logit.
   */
  tiers: { brute_force: TierResult; per_shift: TierResult; compressed: TierResult & { uniform?: TierResult } };
}

/** Every certified figure of a report by name: the three tiers and the compressed tier's uniform bound. */
export const BOUND_FIGURES = ['brute_force', 'per_shift', 'compressed', 'compressed_uniform'] as const;
export type BoundFigure = (typeof BOUND_FIGURES)[number];
/** A report's figure by name; the uniform bound is absent when the tiers were refused. */
export function boundFigure(r: Pick<BoundReport, 'tiers'>, name: BoundFigure): TierResult | undefined {
  return name === 'compressed_uniform' ? r.tiers.compressed.uniform : r.tiers[name];
}

export type Device = 'cpu' | 'gpu' | 'gpu+cpu';
export interface Devices { forward: Device; brute_force: Device; per_shift: Device; compressed: Device; note: string | null }
const CPU: Devices = { forward: 'cpu', brute_force: 'cpu', per_shift: 'cpu', compressed: 'cpu', note: null };

const now = () => performance.now() / 1000;

/** No input certified: for a signed certificate that stands alone. */
const NONE = (p: number): Certification => ({ certified: new Uint8Array(p * p), accuracy: 0, uncertified: [] });

function tier(eps: F64 | null, cert: ReturnType<typeof certify> | null, p: number, flops: number, seconds: number): TierResult {
  const all: [number, number][] = [];
  if (!cert) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) all.push([a, b]);
  return {
    eps_bound: eps ? eps.reduce((m, x) => Math.max(m, x), 0) : Infinity,
    certified_accuracy: cert ? cert.accuracy : 0,
    uncertified: cert ? cert.uncertified : all,
    flops,
    seconds,
  };
}

/**
 * Host memory boundModel and boundModelGpu need, estimated before anything is allocated (the commands check it
 * against memoryLimit): the brute force's D table of p³ float64s (groundTruth), the float64 forward pass on all p²
 * inputs (truthOf, structureTruth: activations, hook_post, logits), and the per-shift tier's p² tables per cluster
 * (at most min(d_mlp, p) clusters).
 */
export function boundMemoryBytes(c: ModelConfig): number {
  const { p, d_model, d_mlp, d_vocab_out: V, n_ctx } = c;
  return 8 * (p * p * p + p * p * (2 * (2 * d_mlp + V) + 6 * n_ctx * d_model + 2 * Math.min(d_mlp, p) + 8));
}

/** Certify a checkpoint on the CPU: its structure from the weights, the truth from the float64 forward pass. */
export function boundModel(cfg: ModelConfig, params: ParamValues, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): BoundReport & { perInput: PerInput } {
  requireRelu(cfg);
  const t0 = now();
  const truth = truthOf(cfg, params);
  const tForward = now() - t0;
  const s = mlpStructure(cfg, params);
  const r = boundStructure(s, truth, modelInfo(cfg, params, s), opts);
  r.tiers.brute_force.seconds += tForward;
  return r;
}

/**
 * The same on the GPU (α = 0): the forward pass on all p² inputs gives ε and the accuracy (float32, measured), the
 * structure's brute force on the GPU the certified brute-force ε̄ (structureBruteForceGpu: proven float32 allowance,
 * plus the structure's rounding dM); the per-shift tier's Lipschitz max over logits is one bound-reduction dispatch,
 * and its quadrature sums (every cluster, distance class and shift) come from the neuron-integral kernel. The residuals,
 * the quadrature bounds and the certification run in float64 as in boundModel. With α ≠ 0
 * there is no derived bound on the float32 forward pass, so the whole report is boundModel's (devices.note says so).
 */
export async function boundModelGpu(g: Gpu, k: KernelRegistry, cfg: ModelConfig, params: Params, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): Promise<BoundReport & { perInput: PerInput }> {
  requireRelu(cfg);
  if (cfg.attention_rate !== 0) {
    const note = `attention rate α = ${cfg.attention_rate} ≠ 0: brute force certifies from the float64 forward pass (no derived bound on the float32 one), so everything ran on the CPU`;
    return { ...boundModel(cfg, params, opts), devices: { ...CPU, note } };
  }
  const s = mlpStructure(cfg, params);
  const info = modelInfo(cfg, params, s);
  const pre = prepare(s, opts);
  const t0 = now();
  const m = await measuredGpu(g, k, cfg, params, s, pre.mTable);
  const dM = info.rounding!.dM;
  const eps = (await structureBruteForceGpu(g, k, s, pre.mTable)).map((x) => (x + dM) * (1 + 2 * U64));
  const cert = certify(s.p, pre.mTable, (a, b, c) => restLogit(s, a, b, c), eps, marginSlack(s, info, pre.signal));
  let eps_true = 0;
  for (const x of m.eps) eps_true = Math.max(eps_true, x);
  const bf: BruteForce = {
    measured: { eps_true, eps: m.eps, correct: m.correct, accuracy: m.accuracy }, eps, cert,
    flops: info.forward_flops + 2 * s.p ** 3 * (4 * s.d_mlp + 8), seconds: now() - t0,
  };
  const t2 = now();
  const gpuSums = await shiftSumsGpu(g, k, pre.ex, pre.ints);
  const sums = gpuSums && { ...gpuSums, seconds: now() - t2 };
  // The per-shift tier's Lipschitz bound takes max_c (X + Y + Z) in one bound-reduction dispatch, rounded up (boundReduceGpu).
  const t3 = now();
  const res = residuals(s, pre.ex);
  const reduced = await boundReduceGpu(g, k, res.X, res.Y, distancePart(pre.ex, res, pre.ints), s.p);
  const note = gpuSums ? null : `per-shift sums in float64: a weight or integrand coefficient is beyond float32's safe range, or there are more groups than one dispatch takes`;
  const devices: Devices = { forward: 'gpu', brute_force: 'gpu', per_shift: 'gpu+cpu', compressed: 'cpu', note };
  return residualTiers(s, info, opts, pre, bf, devices, { res, reduced, sums, seconds: now() - t3 });
}

function requireRelu(cfg: ModelConfig): void {
  if (cfg.act_fn !== 'relu') throw new Error(`bound: act_fn is '${cfg.act_fn}'; the integral explanation and its bounds are for ReLU (SPEC §3)`);
}

function modelInfo(cfg: ModelConfig, params: ParamValues, s: MlpStructure): ModelInfo {
  const rounding = cfg.attention_rate === 0 ? structureCost(s, structureRounding(cfg, params)) : undefined;
  return { attention_rate: cfg.attention_rate, forward_flops: forwardFlops(cfg), structure_flops: 2 * structureFlops(cfg), rounding };
}

/** What boundStructure needs to know of the model beyond its structure. */
export interface ModelInfo {
  attention_rate: number;
  /** Flops of the forward pass on all p² inputs (the brute-force tier's main cost). */
  forward_flops: number;
  /** Flops to compute the structure from the weights (and its rounding bound, the same again). */
  structure_flops: number;
  /**
   * The structure's float64 rounding (structureCost): dM added to every ε̄ of the residual tiers, 2·dD taken from
   * their margins. Absent for structures that are exact by construction (planted ones).
   */
  rounding?: { dM: number; dD: number };
}

/** The explanation M̂ of a structure, shared by every tier. */
interface Prepared {
  ex: Explanation;
  ints: ShapeIntegrand[][];
  /** M̂ by [d, j] (explanationTable). */
  mTable: F64;
  /** max |M̂|. */
  signal: number;
  /** Σ over clusters of W·max|F̂(0)|: the size of M̂'s parts, for the α ≠ 0 allowance. */
  mScale: number;
  seconds: number;
  flops: number;
}

function prepare(s: MlpStructure, opts: BoundOptions): Prepared {
  const { p } = s;
  const t1 = now();
  const ex = explain(s, { shape: opts.shape });
  const ints = clusterIntegrands(ex, opts.M);
  const mTable = explanationTable(ex, ints);
  let signal = 0;
  for (const x of mTable) signal = Math.max(signal, Math.abs(x));
  let mScale = 0;
  ex.clusters.forEach((c, k) => { let m = 0; for (const si of ints[k]) m = Math.max(m, Math.abs(si.coef[2])); mScale += c.W * m; });
  // Integrands are built once per distinct (cluster, |C|, C₂): d and −d share one (clusterIntegrands caches them).
  const distinct = ints.reduce((t, byD) => t + new Set(byD).size, 0);
  const flops = distinct * (30 * (opts.M + 3) + 2000) + p * p * ex.clusters.length * 4;
  return { ex, ints, mTable, signal, mScale, seconds: now() - t1, flops };
}

/**
 * Margins certified from D = D_a + D_b + D_c of the computed structure lose 2·dD (the real D is within dD of it) and
 * their own float64 evaluation, ((M̂₀ + D_a + D_b + D_c) − M̂_c) − (D_a + D_b + D_c): ≤ 8 roundings on terms bounded
 * by the signal and max|D_a| + max|D_b| + max|D_c|. Derived, not assumed.
 */
function marginSlack(s: MlpStructure, info: ModelInfo, signal: number): number {
  const { p } = s;
  const { dD } = info.rounding ?? { dD: 0 };
  const maxAbs = (x: F64, rows: number) => { let m = 0; for (let r = 0; r < rows; r++) for (let c = 0; c < p; c++) m = Math.max(m, Math.abs(x[r * s.d_vocab_out + c])); return m; };
  const dAbs = maxAbs(s.Da, p) + maxAbs(s.Db, p) + maxAbs(s.Dconst, 1);
  return 2 * dD * (1 + 4 * U64) + gamma(8) * 2 * (signal + dAbs) * (1 + 4 * U64);
}

/** The brute-force tier from either device: the measured truth, the certified per-input ε̄ and what it certifies. */
interface BruteForce {
  measured: { eps_true: number; eps: F64; correct: Uint8Array; accuracy: number };
  eps: F64;
  cert: Certification;
  flops: number;
  /** Without the explanation's own time (added once, in residualTiers). */
  seconds: number;
}

/** Magnitudes where float64 rounding stays relative to the operands in every bound's allowance (products of three). */
export const SAFE_RANGE = [2 ** -250, 2 ** 250] as const;

/**
 * Why no tier can certify s, or null. Every allowance is relative (u times a scale); near float64's subnormal range the
 * real rounding is absolute (up to 2^-1075 an operation), and an independent review found ε̄ below the true error with
 * values around 1e-158. Powers of two would rescale exactly, but not a structure that mixes tiny and huge values; so a
 * structure with any non-zero U, V, c, W_L, D or neuron amplitude outside SAFE_RANGE (or not finite) is refused.
 */
export function outsideSafeRange(s: MlpStructure, ex: Explanation): string | null {
  const [lo, hi] = SAFE_RANGE;
  const bad = (x: number) => !Number.isFinite(x) || (x !== 0 && (Math.abs(x) < lo || Math.abs(x) > hi));
  const arrays: [string, ArrayLike<number>][] = [['U', s.U], ['V', s.V], ['c', s.c], ['W_L', s.W_L], ['D_a', s.Da], ['D_b', s.Db], ['D_const', s.Dconst],
    ['neuron amplitudes r, s', ex.fourier.flatMap((f) => [f.r, f.s])]];
  for (const [name, xs] of arrays) {
    for (let i = 0; i < xs.length; i++) {
      if (bad(xs[i])) return `${name} holds ${xs[i]}, outside [2^-250, 2^250] (or not finite): float64 rounding there is not relative to the operands, so the rounding allowances are not proven and nothing is certified`;
    }
  }
  return null;
}

/**
 * The three tiers on a structure s (its split exact when s.exact) against the model's true activations, in float64 on
 * the CPU. The per-input bounds are returned too (perInput), for the soundness tests.
 */
export function boundStructure(s: MlpStructure, truth: Truth, info: ModelInfo, opts: BoundOptions): BoundReport & { perInput: PerInput } {
  const pre = prepare(s, opts);
  return residualTiers(s, info, opts, pre, bruteForceCpu(s, truth, info, pre), CPU);
}

/**
 * Brute force in float64: the forward pass on all inputs is the ground truth (ε, accuracy) and, when α ≠ 0, its own tier with
 * the STRUCTURE_SLACK allowance. With α = 0 and the structure's rounding known, the tier is the structure's own
 * brute force, all derived: ε̄ = max_c |M_s − M̂| (+ its γ) + dM ≥ |M_real − M̂|, and D = logits_s − M_s is within
 * (γ_{d_mlp+3} + γ_{d_mlp})·absMax + u|D| ≤ 2γ_{d_mlp+4}·absMax + u|D| of the computed structure's D (the u|D|
 * inside the margin's γ₈ term), itself within dD of the real D.
 */
function bruteForceCpu(s: MlpStructure, truth: Truth, info: ModelInfo, pre: Prepared): BruteForce {
  const { p } = s;
  const { mTable, signal } = pre;
  const t2 = now();
  const gt = groundTruth(s, truth, mTable);
  let cert: Certification;
  let eps: F64;
  if (s.exact && info.rounding) {
    const st = structureTruth(s);
    const gs = groundTruth(s, st, mTable);
    let dMax = 0;
    for (const x of gs.D) dMax = Math.max(dMax, Math.abs(x));
    eps = gs.epsBound.map((x) => (x + info.rounding!.dM) * (1 + 2 * U64));
    const slackS = (2 * (info.rounding.dD + 2 * gamma(s.d_mlp + 4) * st.absMax) + gamma(8) * 2 * (signal + dMax)) * (1 + 4 * U64);
    cert = certify(p, mTable, (a, b, c) => gs.D[(a * p + b) * p + c], eps, slackS);
  } else {
    let dScale = 0;
    for (const x of gt.D) dScale = Math.max(dScale, Math.abs(x));
    eps = gt.epsBound;
    cert = certify(p, mTable, (a, b, c) => gt.D[(a * p + b) * p + c], eps, STRUCTURE_SLACK * (pre.mScale + dScale));
  }
  return {
    measured: { eps_true: gt.eps_true, eps: gt.eps, correct: gt.correct, accuracy: gt.accuracy }, eps, cert,
    flops: info.forward_flops + p * p * p * (2 * s.d_mlp + 8) * (info.rounding ? 2 : 1), seconds: now() - t2,
  };
}

/** Parts of the residual tiers computed on the GPU: the shared reduction and the per-shift sums. */
interface GpuParts {
  res: Residuals;
  /** max_c (X + Y + Z) per input, an upper bound (boundReduceGpu). */
  reduced: F64;
  /** The per-shift tier's quadrature sums (absent when shiftSumsGpu declines them), with their flops and time. */
  sums?: { sums: ShiftSums; flops: number; seconds: number };
  /** Time for res and reduced. */
  seconds: number;
}

/** The report: the brute-force tier as given, then (α = 0) the per-shift and compressed tiers, in float64 but for gpu. */
function residualTiers(s: MlpStructure, info: ModelInfo, opts: BoundOptions, pre: Prepared, bfr: BruteForce, devices: Devices, gpu?: GpuParts): BoundReport & { perInput: PerInput } {
  const { p } = s;
  const { ex, ints, mTable, signal } = pre;
  const tIntegrands = pre.seconds;
  const intFlops = pre.flops;
  const bf = tier(bfr.eps, bfr.cert, p, bfr.flops, bfr.seconds + tIntegrands);
  const gt = bfr.measured;
  const perInput: PerInput = { eps: gt.eps, correct: gt.correct, brute_force: bfr.eps, per_shift: null, compressed: null, compressed_uniform: null };

  const base = {
    p, d_mlp: s.d_mlp, eps_true: gt.eps_true, signal, accuracy: gt.accuracy, devices,
    explanation: { M: opts.M, shape: opts.shape, clusters: ex.clusters.map((c) => ({ k: c.k, neurons: c.neurons.length, W: c.W, ...c.shape, rho: c.shape.rho, kappa: c.shape.kappa })) },
    structure_flops: info.structure_flops,
  };
  const range = outsideSafeRange(s, ex);
  if (range) {
    const none = tier(null, null, p, 0, 0);
    return { ...base, refused: range, tiers: { brute_force: { ...none, flops: bf.flops, seconds: bf.seconds }, per_shift: none, compressed: none }, perInput: { ...perInput, brute_force: new Float64Array(p * p).fill(Infinity) } };
  }
  if (!s.exact) {
    const reason = `attention rate α = ${info.attention_rate} ≠ 0: the pre-activation does not split as U(a) + V(b) + c (SPEC §3), so the per-neuron residual bounds do not apply; only brute force is sound here`;
    return { ...base, refused: reason, tiers: { brute_force: bf, per_shift: tier(null, null, p, 0, 0), compressed: tier(null, null, p, 0, 0) }, perInput };
  }

  const D = (a: number, b: number, c: number) => restLogit(s, a, b, c);
  // The structure's distance from the real one (info.rounding) is added to ε̄ (dM) and taken from margins (marginSlack).
  const { dM } = info.rounding ?? { dM: 0 };
  const slack = marginSlack(s, info, signal);
  const withRounding = (eps: F64) => eps.map((x) => (x + dM) * (1 + 2 * U64));

  const t3 = now();
  const res = gpu?.res ?? residuals(s, ex);
  const tRes = gpu?.seconds ?? now() - t3;
  const certFlops = p * p * p * 6;

  // The per-shift tier (already O(p²·d_mlp) with shaped integrands) also bounds the input residual with its sign, per input
  // (src/bound/signed.ts), and keeps the better bound; that costs O(p²·d_mlp), outside the compressed tier's class.
  const t4 = now();
  const ps = perShiftQuadrature(ex, ints, gpu?.sums?.sums);
  const psTier = residualTier(ex, res, ints, ps.quad, gpu?.reduced);
  const lin = signedResiduals(s, ex, res);
  const psLin = signedEps(p, lin, ps.quad, dM);
  const psEps = withRounding(psTier.eps).map((x, r) => Math.min(x, psLin[r]));
  // The quadrature error of each cluster turns with the logit, so against logit c* + j it counts 2|sin(πkj/p)|·|X_k| (as in the
  // compressed tier, with each input's own |X_k| here): 3K flops per input and logit.
  const turn = turnTable(ex);
  const K = ex.clusters.length;
  const psPair = (r: number, _d: number, j: number) => {
    let t = 0;
    for (let k = 0; k < K; k++) t += turn[k][j] * ps.turning[k][r] + 2 * ps.fixed[k][r];
    return t * (1 + gamma(2 * K + 4));
  };
  const certPS = certifySigned(p, mTable, D, lin, ps.quad, dM, slack, certify(p, mTable, D, psEps, slack), psPair);
  const perShift = tier(psEps, certPS, p, psTier.flops + ps.flops + (gpu?.sums?.flops ?? 0) + intFlops + certFlops + lin.flops + p * p * p * (12 + 3 * K), now() - t4 + tRes + tIntegrands + (gpu?.sums?.seconds ?? 0));

  // The compressed tier: the same signed residual with L_k from prefix sums over phase arcs (src/bound/arcs.ts) and the quadrature
  // bounded once for every shift (src/bound/compressed.ts); it needs the per-token residuals but not the X, Y tables.
  const t5 = now();
  const cq = supQuadrature(ex, ints, opts.M);
  const tCq = now() - t5;
  const arc = arcResiduals(s, ex, res, ints, COMPRESSED_OUTPUT_TERMS);
  const cEps = signedEps(p, arc, cq.quad, dM);
  const certC = certifySigned(p, mTable, D, arc, cq.quad, dM, slack, NONE(p), (_, d, j) => cq.pair[d * p + j]);
  // Per input and logit: ε̄'s max (3) and the signed rule (17). The residuals without the X, Y tables and the G terms it does not read.
  const resFlops = res.flops - res.tableFlops - Math.max(0, res.J - COMPRESSED_OUTPUT_TERMS) * res.termFlops;
  const cFlops = resFlops + cq.flops + arc.flops + intFlops + p * p * p * 20;
  const tC = now() - t5;

  // Its uniform bound (SPEC §4's class): residual maxima, the output terms, the quadrature for every shift; no per-input work
  // but the certification's margins.
  const t6 = now();
  const un = uniformBound(s, ex, res, ints, cq);
  const uEps = withRounding(new Float64Array(p * p).fill(un.eps));
  const certU = certify(p, mTable, D, uEps, slack);
  const uFlops = res.flops - res.tableFlops + cq.flops - cq.tableFlops + un.flops + intFlops + certFlops;
  // Its seconds include building the X, Y and per-input quadrature tables it does not read (they are computed once, shared);
  // its flops leave them out.
  const uniform = tier(uEps, certU, p, uFlops, now() - t6 + tCq + tRes + tIntegrands);
  const compressed = { ...tier(cEps, certC, p, cFlops, tC + tRes + tIntegrands), uniform };
  return {
    ...base, refused: null, tiers: { brute_force: bf, per_shift: perShift, compressed },
    perInput: { ...perInput, per_shift: psEps, compressed: cEps, compressed_uniform: uEps },
  };
}

/** U, V (p·d_model·d_mlp each), c, W_L (d_mlp·d_model·p), D_a, D_b (p·d_model·p each), W_OV, all as multiply-adds. */
export function structureFlops(c: ModelConfig): number {
  const dm = c.d_model;
  return 2 * (2 * c.p * dm * dm + 2 * c.p * dm * c.d_mlp + c.d_mlp * dm * c.d_vocab_out + 2 * c.p * dm * c.d_vocab_out + c.n_heads * c.d_head * dm * dm);
}
