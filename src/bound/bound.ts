// Certify the explanation (SPEC §4): build M̂ from the weights, then bound |M − M̂| at three cost tiers and
// report ε, ε̄, certified accuracy, flops and wall time for each.
import type { Gpu } from '../gpu/device.js';
import type { KernelRegistry } from '../gpu/kernels.js';
import { type MlpStructure, mlpStructure, restLogit } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { ParamValues, Params } from '../model/params.js';
import type { F64 } from '../ops/cpu/types.js';
import { type BruteForce, bruteForce } from './brute_force/brute_force.js';
import { type Forward, modelForward, structureForward } from './brute_force/forward.js';
import { type Explanation, clusterIntegrands, explain, explanationTable } from './explanation.js';
import { boundReduceGpu, shiftSumsGpu } from './per_shift/gpu.js';
import { U64, gamma } from './integrand.js';
import { certifySigned, signedEps, signedResiduals } from './per_shift/signed.js';
import { COMPRESSED_OUTPUT_TERMS, arcResiduals } from './compressed/arcs.js';
import { supQuadrature, turnTable } from './compressed/quadrature.js';
import type { ShapeIntegrand } from './shape.js';
import { structureCost, structureRounding } from './structure_error.js';
import { type UniformParts, uniformBound } from './compressed/uniform.js';
import { type Certification, type TierResult, certify, margins } from './certify.js';
import { type Residuals, residuals } from './residuals.js';
import { type ShiftSums, distancePart, perShiftQuadrature, residualTier } from './per_shift/quadrature.js';

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
  /** The ladder at a glance (what a sweep reads): written first in the JSON (reportJson). */
  summary: Summary;
  p: number;
  d_mlp: number;
  /** max |M − M̂| over all (a, b, c < p) as the float64 forward pass computes it (measured), and a proven interval around the real ε. */
  eps_true: number;
  eps_range: [number, number];
  /** max |M̂| over all (a, b, c < p): the size of the explained logits. */
  signal: number;
  /** The float64 forward pass's own accuracy over the p² inputs (measured), and a proven interval around the real accuracy. */
  accuracy: number;
  accuracy_range: [number, number];
  /** Which figures are measurements and which are proven (FIGURES). */
  figures: typeof FIGURES;
  /**
   * Where each part ran: the forward pass (ε, accuracy, brute force: always float64 on the CPU) and each tier's certified
   * figure ('gpu+cpu': the per-shift tier's Lipschitz max over logits and its quadrature sums on the GPU; residuals,
   * quadrature bounds and certification in float64), and in note what stayed on the CPU and why.
   */
  devices: Devices;
  /** When set, the per-shift and compressed tiers were not run, for this reason (their ε̄ is null). */
  refused: string | null;
  explanation: { M: number; shape: boolean; clusters: { k: number; neurons: number; W: number; rho: number; kappa: number }[] };
  /** Flops to compute U, V, c, W_L and D from the weights, shared by the per-shift and compressed tiers. */
  structure_flops: number;
  /**
   * compressed.uniform: the compressed tier's bound in SPEC §4's cost class (src/bound/compressed/uniform.ts), one ε̄ for every input
   * with no per-input work, and what it certifies; the tier's own figures refine it input by input and logit by logit.
   */
  tiers: { brute_force: TierResult; per_shift: TierResult; compressed: TierResult & { uniform?: TierResult & { blocking: Blocking | null } } };
}

/**
 * Why the uniform bound certifies under 99 % of the inputs: the ε̄ that would certify 99 % (half the explanation's margin
 * M̂ + D at its 1 % quantile, less the slack), how far above it the bound is, and its three terms (UniformParts).
 */
export interface Blocking { eps_for_99_percent: number; over_by: number; parts: UniformParts }

/** What each reported figure is: a measurement of the float64 forward pass, or a bound proven in real arithmetic. */
export const FIGURES = {
  eps_true: 'measured: max |M − M̂| from the float64 forward pass; the real ε lies in eps_range (proven)',
  accuracy: 'measured: the float64 forward pass\'s argmax; the real accuracy lies in accuracy_range (proven: certified share, share not proven wrong)',
  signal: 'computed: max |M̂| of the explanation table',
  eps_bound: 'proven: ε̄ ≥ the real ε (brute_force: the top of eps_range)',
  certified_accuracy: 'proven: every certified input is answered correctly in real arithmetic',
  flops: 'counted: floating-point operations of the tier, by the formulas beside its code',
  seconds: 'measured: wall time on this machine',
} as const;

/** One rung of the ladder; eps_bound null when the tier does not bound ε or was refused. */
export interface Rung {
  tier: BoundFigure;
  eps_bound: number | null;
  certified_accuracy: number;
  flops: number;
  seconds: number;
  eps_bound_over_eps: number | null;
}
export interface Summary { eps: number; eps_range: [number, number]; signal: number; accuracy: number; accuracy_range: [number, number]; ladder: Rung[]; refused: string | null }

function summaryOf(r: Omit<BoundReport, 'summary'>): Summary {
  const ladder = BOUND_FIGURES.map((tier) => {
    const t = boundFigure(r, tier);
    const eps = t && Number.isFinite(t.eps_bound) ? t.eps_bound : null;
    return {
      tier, eps_bound: eps, certified_accuracy: t?.certified_accuracy ?? 0, flops: t?.flops ?? 0, seconds: t?.seconds ?? 0,
      eps_bound_over_eps: eps !== null && r.eps_true > 0 ? eps / r.eps_true : null,
    };
  });
  return { eps: r.eps_true, eps_range: r.eps_range, signal: r.signal, accuracy: r.accuracy, accuracy_range: r.accuracy_range, ladder, refused: r.refused };
}

/**
 * The report as JSON: summary first, Infinity (a refused tier's ε̄) as null, and each list of uncertified inputs as one line,
 * "a,b a,b …" with its count.
 */
export function reportJson(r: BoundReport, extra: Record<string, unknown> = {}): string {
  const { summary, ...rest } = r;
  const replace = (key: string, v: unknown) => {
    if (v === Infinity) return null;
    if (key === 'uncertified' && Array.isArray(v)) return { count: v.length, inputs: v.map(([a, b]) => `${a},${b}`).join(' ') };
    if (key === 'perInput') return undefined;
    return v;
  };
  return JSON.stringify({ summary, ...extra, ...rest }, replace, 2);
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

/** How each figure certifies an input (TierResult.certificate). */
const CERTIFICATES = {
  brute_force: 'the forward pass: logit a + b exceeds every other logit c < p by more than both proven radii',
  per_shift: 'per input and per logit: M̂ and D margins against 2·ε̄(a, b), or the signed residual with each cluster\'s quadrature error turning with the logit (signed.ts)',
  compressed: 'per logit: the signed residual from phase arcs and one quadrature bound for every shift, turning with the logit (compressed/arcs.ts, compressed/quadrature.ts)',
  compressed_uniform: 'per input: M̂ and D margins against 2·ε̄, one ε̄ for every input',
  refused: 'refused: certifies nothing',
} as const;

function tier(eps: F64 | null, cert: Certification | null, p: number, flops: number, seconds: number, certificate: string): TierResult {
  const all: [number, number][] = [];
  if (!cert) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) all.push([a, b]);
  return {
    eps_bound: eps ? eps.reduce((m, x) => Math.max(m, x), 0) : Infinity,
    certified_accuracy: cert ? cert.accuracy : 0,
    uncertified: cert ? cert.uncertified : all,
    certificate: cert ? certificate : CERTIFICATES.refused,
    flops,
    seconds,
  };
}

function blocking(cert: Certification, un: { eps: number; parts: UniformParts }, margin: F64, slack: number): Blocking | null {
  if (cert.accuracy >= 0.99) return null;
  const sorted = Float64Array.from(margin).sort();
  const need = Math.max(0, (sorted[Math.floor(0.01 * sorted.length)] - slack) / 2);
  return { eps_for_99_percent: need, over_by: un.eps - need, parts: un.parts };
}

/** The first non-finite weight, named with its index, or null. */
export function nonFiniteParam(params: ParamValues): string | null {
  for (const [name, xs] of Object.entries(params) as [string, ArrayLike<number>][]) {
    for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) return `${name}[${i}] is ${xs[i]}`;
  }
  return null;
}

/**
 * Host memory boundModel and boundModelGpu need, estimated before anything is allocated (the commands check it
 * against memoryLimit): the float64 forward pass on all p² inputs with its radii (brute_force/forward.ts: activations,
 * hook_pre, hook_post and its radius, logits, their gradient and radius), a p³ margin of safety for the tiers' per-logit
 * work, and the per-shift tier's p² tables per cluster (at most min(d_mlp, p) clusters).
 */
export function boundMemoryBytes(c: ModelConfig): number {
  const { p, d_model, d_mlp, d_vocab_out: V, n_ctx } = c;
  return 8 * (p * p * p + p * p * (2 * (2 * d_mlp + 2 * V) + 6 * n_ctx * d_model + 2 * Math.min(d_mlp, p) + 8));
}

/**
 * Certify a checkpoint on the CPU: brute force from the float64 forward pass (with proven radii), the cheaper tiers from the
 * structure of the weights. A non-finite weight anywhere (even one the structure ignores, as W_Q at α = 0: the forward pass
 * multiplies it by 0 and gets NaN) refuses the cheaper tiers, so no certificate outruns the forward pass.
 */
export function boundModel(cfg: ModelConfig, params: ParamValues, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): BoundReport & { perInput: PerInput } {
  const st = modelStart(cfg, params, opts);
  return residualTiers(st, CPU);
}

/**
 * The same with the per-shift tier's Lipschitz max over logits (one bound-reduction dispatch) and its quadrature sums (every
 * cluster, distance class and shift: the neuron-integral kernel) on the GPU (α = 0); brute force stays the float64 forward
 * pass, so ε, the accuracy and every certificate come from one pass on either path.
 */
export async function boundModelGpu(g: Gpu, k: KernelRegistry, cfg: ModelConfig, params: Params, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): Promise<BoundReport & { perInput: PerInput }> {
  const st = modelStart(cfg, params, opts);
  if (cfg.attention_rate !== 0 || st.refused) {
    const note = cfg.attention_rate !== 0 ? `attention rate α = ${cfg.attention_rate} ≠ 0: only brute force applies (float64, CPU)` : 'refused: nothing ran on the GPU';
    return residualTiers(st, { ...CPU, note });
  }
  const { s, pre } = st;
  const t2 = now();
  const gpuSums = await shiftSumsGpu(g, k, pre.ex, pre.ints);
  const sums = gpuSums && { ...gpuSums, seconds: now() - t2 };
  // The per-shift tier's Lipschitz bound takes max_c (X + Y + Z) in one bound-reduction dispatch, rounded up (boundReduceGpu).
  const t3 = now();
  const res = residuals(s, pre.ex);
  const reduced = await boundReduceGpu(g, k, res.X, res.Y, distancePart(pre.ex, res, pre.ints), s.p);
  const note = gpuSums ? null : `per-shift sums in float64: a weight or integrand coefficient is beyond float32's safe range, or there are more groups than one dispatch takes`;
  return residualTiers(st, { forward: 'cpu', brute_force: 'cpu', per_shift: 'gpu+cpu', compressed: 'cpu', note }, { res, reduced, sums, seconds: now() - t3 });
}

/** What every tier starts from: the structure, its explanation, the brute-force tier, and why the cheaper tiers refuse (or null). */
interface Start {
  s: MlpStructure;
  info: ModelInfo;
  opts: BoundOptions;
  pre: Prepared;
  bf: BruteForceTier;
  refused: string | null;
}

function modelStart(cfg: ModelConfig, params: ParamValues, opts: BoundOptions): Start {
  requireRelu(cfg);
  const s = mlpStructure(cfg, params);
  const bad = nonFiniteParam(params);
  const info = modelInfo(cfg, params, s);
  const pre = prepare(s, opts);
  const refusal = bad && `${bad}: the forward pass is not a real number there, so nothing is certified (0·NaN = NaN even where the structure ignores the weight)`;
  return start(s, info, opts, pre, () => modelForward(cfg, params), refusal);
}

function start(s: MlpStructure, info: ModelInfo, opts: BoundOptions, pre: Prepared, forward: () => Forward, refusal: string | null): Start {
  const t0 = now();
  const fwd = forward();
  const b = bruteForce(fwd, pre.mTable);
  const p = s.p;
  const uncertified: [number, number][] = [];
  for (let j = 0; j < p * p; j++) if (!b.certified[j]) uncertified.push([Math.floor(j / p), j % p]);
  const bf: BruteForceTier = { ...b, cert: { certified: b.certified, accuracy: b.accuracy_range[0], uncertified }, seconds: now() - t0 };
  // A certificate never outruns the forward pass the accuracy comes from: where it gives no number, no tier certifies.
  const bad = fwd.logits.findIndex((x, j) => j % fwd.d_vocab_out < p && !Number.isFinite(x));
  const notFinite = bad < 0 ? null
    : `the forward pass gives logit ${bad % fwd.d_vocab_out} of input (${Math.floor(bad / fwd.d_vocab_out / p)}, ${Math.floor(bad / fwd.d_vocab_out) % p}) as ${fwd.logits[bad]}: nothing beyond it is certified`;
  const refused = refusal ?? notFinite ?? outsideSafeRange(s, pre.ex) ?? (s.exact ? null
    : `attention rate α = ${info.attention_rate} ≠ 0: the pre-activation does not split as U(a) + V(b) + c (SPEC §3), so the per-neuron residual bounds do not apply; only brute force is sound here`);
  return { s, info, opts, pre, bf, refused };
}

function requireRelu(cfg: ModelConfig): void {
  if (cfg.act_fn !== 'relu') throw new Error(`bound: act_fn is '${cfg.act_fn}'; the integral explanation and its bounds are for ReLU (SPEC §3)`);
}

function modelInfo(cfg: ModelConfig, params: ParamValues, s: MlpStructure): ModelInfo {
  const rounding = cfg.attention_rate === 0 ? structureCost(s, structureRounding(cfg, params)) : undefined;
  return { attention_rate: cfg.attention_rate, structure_flops: 2 * structureFlops(cfg), rounding };
}

/** What boundStructure needs to know of the model beyond its structure. */
export interface ModelInfo {
  attention_rate: number;
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
  // Integrands are built once per distinct (cluster, |C|, C₂): d and −d share one (clusterIntegrands caches them).
  const distinct = ints.reduce((t, byD) => t + new Set(byD).size, 0);
  const flops = distinct * (30 * (opts.M + 3) + 2000) + p * p * ex.clusters.length * 4;
  return { ex, ints, mTable, signal, seconds: now() - t1, flops };
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

/** The brute-force tier (brute_force/brute_force.ts) with its certification in the cheaper tiers' form and its time. */
interface BruteForceTier extends BruteForce {
  cert: Certification;
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
 * The three tiers on a planted structure s, which is the model (its own forward pass, structureForward, is the truth), in
 * float64 on the CPU. The per-input bounds are returned too (perInput), for the soundness tests.
 */
export function boundStructure(s: MlpStructure, info: ModelInfo, opts: BoundOptions): BoundReport & { perInput: PerInput } {
  return residualTiers(start(s, info, opts, prepare(s, opts), () => structureForward(s), null), CPU);
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
function residualTiers(st: Start, devices: Devices, gpu?: GpuParts): BoundReport & { perInput: PerInput } {
  const { s, info, opts, pre, bf: bfr } = st;
  const { p } = s;
  const { ex, ints, mTable, signal } = pre;
  const tIntegrands = pre.seconds;
  const intFlops = pre.flops;
  const bf = { ...tier(bfr.epsBound, bfr.cert, p, bfr.flops, bfr.seconds, CERTIFICATES.brute_force), eps_bound: bfr.eps_range[1] };
  const perInput: PerInput = { eps: bfr.eps, correct: bfr.correct, brute_force: bfr.epsBound, per_shift: null, compressed: null, compressed_uniform: null };

  const base = {
    p, d_mlp: s.d_mlp, eps_true: bfr.eps_true, eps_range: bfr.eps_range, signal, accuracy: bfr.accuracy, accuracy_range: bfr.accuracy_range, figures: FIGURES, devices,
    explanation: { M: opts.M, shape: opts.shape, clusters: ex.clusters.map((c) => ({ k: c.k, neurons: c.neurons.length, W: c.W, ...c.shape, rho: c.shape.rho, kappa: c.shape.kappa })) },
    structure_flops: info.structure_flops,
  };
  const withSummary = (r: Omit<BoundReport, 'summary'> & { perInput: PerInput }) => ({ summary: summaryOf(r), ...r });
  if (st.refused) {
    const none = tier(null, null, p, 0, 0, '');
    return withSummary({ ...base, refused: st.refused, tiers: { brute_force: bf, per_shift: none, compressed: none }, perInput });
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
  // (src/bound/per_shift/signed.ts), and keeps the better bound; that costs O(p²·d_mlp), outside the compressed tier's class.
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
  const perShift = tier(psEps, certPS, p, psTier.flops + ps.flops + (gpu?.sums?.flops ?? 0) + intFlops + certFlops + lin.flops + p * p * p * (12 + 3 * K), now() - t4 + tRes + tIntegrands + (gpu?.sums?.seconds ?? 0), CERTIFICATES.per_shift);

  // The compressed tier: the same signed residual with L_k from prefix sums over phase arcs (src/bound/compressed/arcs.ts) and the quadrature
  // bounded once for every shift (src/bound/compressed/quadrature.ts); it needs the per-token residuals but not the X, Y tables.
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
  const uniform = { ...tier(uEps, certU, p, uFlops, now() - t6 + tCq + tRes + tIntegrands, CERTIFICATES.compressed_uniform), blocking: blocking(certU, un, margins(p, mTable, D), slack) };
  const compressed = { ...tier(cEps, certC, p, cFlops, tC + tRes + tIntegrands, CERTIFICATES.compressed), uniform };
  return withSummary({
    ...base, refused: null, tiers: { brute_force: bf, per_shift: perShift, compressed },
    perInput: { ...perInput, per_shift: psEps, compressed: cEps, compressed_uniform: uEps },
  });
}

/** U, V (p·d_model·d_mlp each), c, W_L (d_mlp·d_model·p), D_a, D_b (p·d_model·p each), W_OV, all as multiply-adds. */
export function structureFlops(c: ModelConfig): number {
  const dm = c.d_model;
  return 2 * (2 * c.p * dm * dm + 2 * c.p * dm * c.d_mlp + c.d_mlp * dm * c.d_vocab_out + 2 * c.p * dm * c.d_vocab_out + c.n_heads * c.d_head * dm * dm);
}
