// Certify the explanation (SPEC §4): build M̂ from the weights, then bound |M − M̂| at three cost tiers and
// report ε, ε̄, certified accuracy, flops and wall time for each.
import { mlpStructure, restLogit } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import type { ParamValues } from '../model/params.js';
import type { F64 } from '../ops/cpu/types.js';
import { clusterIntegrands, explain, explanationTable } from './explanation.js';
import {
  type TierResult, certify, compressedQuadrature, forwardFlops, groundTruth, perShiftQuadrature, residualTier, residuals,
} from './tiers.js';

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

export function boundModel(cfg: ModelConfig, params: ParamValues, opts: BoundOptions = DEFAULT_BOUND_OPTIONS): BoundReport {
  if (cfg.act_fn !== 'relu') throw new Error(`bound: act_fn is '${cfg.act_fn}'; the integral explanation and its bounds are for ReLU (SPEC §3)`);
  const { p } = cfg;
  const t0 = now();
  const s = mlpStructure(cfg, params);
  const tStructure = now() - t0;
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

  // Brute force: the forward pass on all inputs is the ground truth, and its own tier.
  const t2 = now();
  const gt = groundTruth(cfg, params, s, mTable);
  let dScale = 0;
  for (const x of gt.D) dScale = Math.max(dScale, Math.abs(x));
  const slackBF = 1e-9 * (mScale + dScale);
  const certBF = certify(p, mTable, (a, b, c) => gt.D[(a * p + b) * p + c], gt.epsBound, slackBF);
  const bfFlops = forwardFlops(cfg) + p * p * p * (2 * cfg.d_mlp + 8);
  const bf = tier(gt.epsBound, certBF, p, bfFlops, now() - t2 + tIntegrands);

  const base = {
    p, d_mlp: cfg.d_mlp, eps_true: gt.eps_true, signal, accuracy: gt.accuracy,
    explanation: { M: opts.M, shape: opts.shape, clusters: ex.clusters.map((c) => ({ k: c.k, neurons: c.neurons.length, W: c.W, ...c.shape, rho: c.shape.rho, kappa: c.shape.kappa })) },
    structure_flops: structureFlops(cfg),
  };
  if (!s.exact) {
    const reason = `attention rate α = ${cfg.attention_rate} ≠ 0: the pre-activation does not split as U(a) + V(b) + c (SPEC §3), so the per-neuron residual bounds do not apply; only brute force is sound here`;
    return { ...base, refused: reason, tiers: { brute_force: bf, per_shift: tier(null, null, p, 0, 0), compressed: tier(null, null, p, 0, 0) } };
  }

  const D = (a: number, b: number, c: number) => restLogit(s, a, b, c);
  let dS = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let c = 0; c < p; c++) dS = Math.max(dS, Math.abs(D(a, b, c)));
  const slack = 1e-9 * (mScale + dS);

  const t3 = now();
  const res = residuals(s, ex);
  const tRes = now() - t3;
  const certFlops = p * p * p * 6;

  const t4 = now();
  const ps = perShiftQuadrature(ex, ints);
  const psTier = residualTier(ex, res, ints, ps.quad);
  const certPS = certify(p, mTable, D, psTier.eps, slack);
  const perShift = tier(psTier.eps, certPS, p, psTier.flops + ps.flops + intFlops + certFlops, now() - t4 + tRes + tIntegrands);

  const t5 = now();
  const cq = compressedQuadrature(ex, ints, opts.M);
  const cTier = residualTier(ex, res, ints, cq.quad);
  const certC = certify(p, mTable, D, cTier.eps, slack);
  const compressed = tier(cTier.eps, certC, p, cTier.flops + cq.flops + intFlops + certFlops, now() - t5 + tRes + tIntegrands);
  void tStructure;
  return { ...base, refused: null, tiers: { brute_force: bf, per_shift: perShift, compressed } };
}

/** U, V (p·d_model·d_mlp each), c, W_L (d_mlp·d_model·p), D_a, D_b (p·d_model·p each), W_OV, all as multiply-adds. */
export function structureFlops(c: ModelConfig): number {
  const dm = c.d_model;
  return 2 * (2 * c.p * dm * dm + 2 * c.p * dm * c.d_mlp + c.d_mlp * dm * c.d_vocab_out + 2 * c.p * dm * c.d_vocab_out + c.n_heads * c.d_head * dm * dm);
}
