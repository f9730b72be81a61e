// Certify the explanation (SPEC §4): build M̂ from the weights, then bound |M − M̂| at three cost tiers and
// report ε, ε̄, certified accuracy, flops and wall time for each.
import { type MlpStructure, mlpStructure, restLogit } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { ParamValues } from '../model/params.js';
import type { F64 } from '../ops/cpu/types.js';
import { clusterIntegrands, explain, explanationTable } from './explanation.js';
import { U64, gamma } from './integrand.js';
import { structureCost, structureRounding } from './structure_error.js';
import {
  STRUCTURE_SLACK, type TierResult, type Truth, certify, compressedQuadrature, forwardFlops, groundTruth, perShiftQuadrature, residualTier, residuals, structureTruth, truthOf,
} from './tiers.js';

/** Per-input bounds ε̄(a, b) of each tier [p²] (null when refused), the computed max_c |M − M̂| and correctness. */
export interface PerInput {
  eps: F64;
  correct: Uint8Array;
  brute_force: F64;
  per_shift: F64 | null;
  compressed: F64 | null;
}

export interface BoundOptions {
  /** Truncation order of the compressed tier's Fourier series (≥ 4). */
  M: number;
  /** Model each cluster's secondary 2k component and constant offset in M̂ (SPEC §3). */
  shape: boolean;
}

export const DEFAULT_BOUND_OPTIONS: BoundOptions = { M: 256, shape: true };

export interface BoundReport {
  p: number;
  d_mlp: number;
  /** max |M − M̂| over all (a, b, c < p), by brute force. */
  eps_true: number;
  /** max |M̂| over all (a, b, c < p): the size of the explained logits. */
  signal: number;
  /** The model's own accuracy over the p² inputs (float64 forward pass). */
  accuracy: number;
  /** When set, the per-shift and compressed tiers were not run, for this reason (their ε̄ is null). */
  refused: string | null;
  explanation: { M: number; shape: boolean; clusters: { k: number; neurons: number; W: number; rho: number; kappa: number }[] };
  /** Flops to compute U, V, c, W_L and D from the weights, shared by the per-shift and compressed tiers. */
  structure_flops: number;
  tiers: { brute_force: TierResult; per_shift: TierResult; compressed: TierResult };
}

const now = () => performance.now() / 1000;

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

/** Certify a checkpoint: its structure from the weights, the truth from the float64 forward pass. */
export function boundModel(cfg: ModelConfig, params: ParamValues, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): BoundReport & { perInput: PerInput } {
  if (cfg.act_fn !== 'relu') throw new Error(`bound: act_fn is '${cfg.act_fn}'; the integral explanation and its bounds are for ReLU (SPEC §3)`);
  const t0 = now();
  const truth = truthOf(cfg, params);
  const tForward = now() - t0;
  const s = mlpStructure(cfg, params);
  const rounding = cfg.attention_rate === 0 ? structureCost(s, structureRounding(cfg, params)) : undefined;
  const r = boundStructure(s, truth, { attention_rate: cfg.attention_rate, forward_flops: forwardFlops(cfg), structure_flops: 2 * structureFlops(cfg), rounding }, opts);
  r.tiers.brute_force.seconds += tForward;
  return r;
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

/**
 * The three tiers on a structure s (its split exact when s.exact) against the model's true activations. The
 * per-input bounds are returned too (perInput), for the soundness tests.
 */
export function boundStructure(s: MlpStructure, truth: Truth, info: ModelInfo, opts: BoundOptions): BoundReport & { perInput: PerInput } {
  const { p } = s;
  const ex = explain(s, { shape: opts.shape });
  const t1 = now();
  const ints = clusterIntegrands(ex, opts.M);
  const mTable = explanationTable(ex, ints);
  const tIntegrands = now() - t1;
  const intFlops = ex.clusters.length * p * (30 * (opts.M + 3) + 2000) + p * p * ex.clusters.length * 4;

  let signal = 0;
  for (const x of mTable) signal = Math.max(signal, Math.abs(x));
  let mScale = 0;
  ex.clusters.forEach((c, k) => { let m = 0; for (const si of ints[k]) m = Math.max(m, Math.abs(si.coef[2])); mScale += c.W * m; });

  // Brute force: the forward pass on all inputs is the ground truth (ε, accuracy) and, when α ≠ 0, its own tier with
  // the STRUCTURE_SLACK allowance. With α = 0 and the structure's rounding known, the tier is the structure's own
  // brute force, all derived: ε̄ = max_c |M_s − M̂| (+ its γ) + dM ≥ |M_real − M̂|, and D = logits_s − M_s is within
  // (γ_{d_mlp+3} + γ_{d_mlp})·absMax + u|D| ≤ 2γ_{d_mlp+4}·absMax + u|D| of the computed structure's D (the u|D|
  // inside the margin's γ₈ term), itself within dD of the real D.
  const t2 = now();
  const gt = groundTruth(s, truth, mTable);
  let certBF: ReturnType<typeof certify>;
  let bfEps: F64;
  if (s.exact && info.rounding) {
    const st = structureTruth(s);
    const gs = groundTruth(s, st, mTable);
    let dMax = 0;
    for (const x of gs.D) dMax = Math.max(dMax, Math.abs(x));
    bfEps = gs.epsBound.map((x) => (x + info.rounding!.dM) * (1 + 2 * U64));
    const slackS = (2 * (info.rounding.dD + 2 * gamma(s.d_mlp + 4) * st.absMax) + gamma(8) * 2 * (signal + dMax)) * (1 + 4 * U64);
    certBF = certify(p, mTable, (a, b, c) => gs.D[(a * p + b) * p + c], bfEps, slackS);
  } else {
    let dScale = 0;
    for (const x of gt.D) dScale = Math.max(dScale, Math.abs(x));
    bfEps = gt.epsBound;
    certBF = certify(p, mTable, (a, b, c) => gt.D[(a * p + b) * p + c], bfEps, STRUCTURE_SLACK * (mScale + dScale));
  }
  const bfFlops = info.forward_flops + p * p * p * (2 * s.d_mlp + 8) * (info.rounding ? 2 : 1);
  const bf = tier(bfEps, certBF, p, bfFlops, now() - t2 + tIntegrands);
  const perInput: PerInput = { eps: gt.eps, correct: gt.correct, brute_force: bfEps, per_shift: null, compressed: null };

  const base = {
    p, d_mlp: s.d_mlp, eps_true: gt.eps_true, signal, accuracy: gt.accuracy,
    explanation: { M: opts.M, shape: opts.shape, clusters: ex.clusters.map((c) => ({ k: c.k, neurons: c.neurons.length, W: c.W, ...c.shape, rho: c.shape.rho, kappa: c.shape.kappa })) },
    structure_flops: info.structure_flops,
  };
  if (!s.exact) {
    const reason = `attention rate α = ${info.attention_rate} ≠ 0: the pre-activation does not split as U(a) + V(b) + c (SPEC §3), so the per-neuron residual bounds do not apply; only brute force is sound here`;
    return { ...base, refused: reason, tiers: { brute_force: bf, per_shift: tier(null, null, p, 0, 0), compressed: tier(null, null, p, 0, 0) }, perInput };
  }

  const D = (a: number, b: number, c: number) => restLogit(s, a, b, c);
  // Derived, not assumed: the real structure's distance from the computed one (info.rounding), and the margin's own
  // float64 evaluation, ((M̂₀ + D_a + D_b + D_c) − M̂_c) − (D_a + D_b + D_c): ≤ 8 roundings on terms bounded by
  // the signal and max|D_a| + max|D_b| + max|D_c|.
  const { dM, dD } = info.rounding ?? { dM: 0, dD: 0 };
  const maxAbs = (x: F64, rows: number) => { let m = 0; for (let r = 0; r < rows; r++) for (let c = 0; c < p; c++) m = Math.max(m, Math.abs(x[r * s.d_vocab_out + c])); return m; };
  const dAbs = maxAbs(s.Da, p) + maxAbs(s.Db, p) + maxAbs(s.Dconst, 1);
  const slack = 2 * dD * (1 + 4 * U64) + gamma(8) * 2 * (signal + dAbs) * (1 + 4 * U64);
  const withRounding = (eps: F64) => eps.map((x) => (x + dM) * (1 + 2 * U64));

  const t3 = now();
  const res = residuals(s, ex);
  const tRes = now() - t3;
  const certFlops = p * p * p * 6;

  const t4 = now();
  const ps = perShiftQuadrature(ex, ints);
  const psTier = residualTier(ex, res, ints, ps.quad);
  const psEps = withRounding(psTier.eps);
  const certPS = certify(p, mTable, D, psEps, slack);
  const perShift = tier(psEps, certPS, p, psTier.flops + ps.flops + intFlops + certFlops, now() - t4 + tRes + tIntegrands);

  const t5 = now();
  const cq = compressedQuadrature(ex, ints, opts.M);
  const cTier = residualTier(ex, res, ints, cq.quad);
  const cEps = withRounding(cTier.eps);
  const certC = certify(p, mTable, D, cEps, slack);
  const compressed = tier(cEps, certC, p, cTier.flops + cq.flops + intFlops + certFlops, now() - t5 + tRes + tIntegrands);
  return { ...base, refused: null, tiers: { brute_force: bf, per_shift: perShift, compressed }, perInput: { ...perInput, per_shift: psEps, compressed: cEps } };
}

/** U, V (p·d_model·d_mlp each), c, W_L (d_mlp·d_model·p), D_a, D_b (p·d_model·p each), W_OV, all as multiply-adds. */
export function structureFlops(c: ModelConfig): number {
  const dm = c.d_model;
  return 2 * (2 * c.p * dm * dm + 2 * c.p * dm * c.d_mlp + c.d_mlp * dm * c.d_vocab_out + 2 * c.p * dm * c.d_vocab_out + c.n_heads * c.d_head * dm * dm);
}
