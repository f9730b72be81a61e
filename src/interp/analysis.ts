// The whole analysis of one checkpoint (SPEC §2, §3, §5) as one JSON-ready report: evaluation (GPU with
// the CPU reference beside it, or the CPU alone), structure, Fourier clusters, phase doubling, pizza/clock
// metrics, the quadrature view and the replacement experiments.
import type { Gpu } from '../gpu/device.js';
import type { KernelRegistry } from '../gpu/kernels.js';
import type { ModelConfig } from '../model/config.js';
import type { Params } from '../model/params.js';
import { type Evaluation, evaluateCpu, evaluateGpu } from './evaluate.js';
import { type Cluster, type NeuronFourier, type PhaseDoubling, circularStats, clusters, neuronFourier, phaseDoubling } from './fourier.js';
import { median } from '../util/stats.js';
import { type ClusterQuadrature, clusterNodes, clusterQuadrature, quadratureSums, quadratureSumsGpu, shifts } from './integral.js';
import { distanceIrrelevance, gradientSymmetricity } from './pizza_clock.js';
import { type Replacements, replacements } from './replacement.js';
import { type MlpStructure, fitSplit, mlpStructure, splitError } from './structure.js';

export interface AnalysisReport {
  model: {
    p: number; d_model: number; d_mlp: number; n_heads: number; d_head: number; n_ctx: number; d_vocab_out: number;
    attention_rate: number; convention: string; act_fn: string; eq_token: boolean; diff_vocab: boolean;
  };
  accuracy: number;
  loss: number;
  /** Where the evaluation ran, and how far the other path is from it. */
  evaluation: { device: 'gpu' | 'cpu'; cpu_accuracy: number; cpu_loss: number; max_abs_logit_diff_vs_cpu: number };
  /**
   * max |hook_pre − (U + V + c)| of the split from the weights; exact is true when α = 0 (exact up to
   * rounding). When α > 0 the analysis uses the least-squares split of the real pre-activations instead
   * (fitSplit), whose error is fitted_max_abs_error.
   */
  split: { exact: boolean; max_abs_error: number; fitted_max_abs_error?: number };
  distance_irrelevance: number;
  gradient_symmetricity: number;
  dead_neurons: number;
  clusters: {
    frequency: number; neurons: number; weight: number;
    quadrature_relative_error: number; equispaced_relative_error: number; random_relative_error: number;
  }[];
  /** Max |GPU − float64| over the quadrature sums of the learned phases (absent on the CPU path). */
  quadrature_gpu_max_abs_diff?: number;
  /**
   * Medians over the live neurons: share of U/V's and of W_L's variance at the primary frequency, and the
   * 2k component's amplitude relative to the primary; the 2k phase relative to 2φ (φ2 − 2φ, U and V pooled).
   */
  fourier: { median_share_uv: number; median_share_wl: number; median_secondary_ratio: number; secondary_phase_offset: PhaseDoubling };
  phase_doubling: PhaseDoubling;
  replacement: Replacements;
}

/** What the plots need beside the report. */
export interface AnalysisData {
  cfg: ModelConfig;
  structure: MlpStructure;
  neurons: NeuronFourier[];
  clusters: Cluster[];
  quadrature: ClusterQuadrature[];
  evaluation: Evaluation;
}

const maxAbsDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

/**
 * Host memory analyze needs, estimated before anything is allocated (the command checks it against memoryLimit):
 * the float64 forward pass on all p² inputs (activations, hook_pre/post, logits) and the GPU's float32 logits, and
 * the replacement experiments' p² × p logit tables (idealised neurons with and without their secondary terms, the
 * integral, the MLP's own) with the idealised neurons' p² × d_mlp activations.
 */
export function analyzeMemoryBytes(c: ModelConfig): number {
  const { p, d_model, d_mlp, d_vocab_out: V, n_ctx } = c;
  return 8 * p * p * (4 * d_mlp + 2 * V + 6 * n_ctx * d_model + 4 * p + 8);
}

export async function analyze(cfg: ModelConfig, params: Params, gpu?: { g: Gpu; k: KernelRegistry }): Promise<{ report: AnalysisReport; data: AnalysisData }> {
  const cpuEval = evaluateCpu(cfg, params);
  const ev = gpu ? await evaluateGpu(gpu.g, gpu.k, cfg, params) : cpuEval;
  const fromWeights = mlpStructure(cfg, params);
  const s = fromWeights.exact ? fromWeights : fitSplit(fromWeights, cpuEval.hookPre);
  const nf = neuronFourier(s);
  const cl = clusters(nf);
  const quad = clusterQuadrature(cfg.p, nf, cl);
  let quadGpu: number | undefined;
  if (gpu) {
    const q = clusterNodes(nf, cl);
    const x = shifts(cfg.p);
    quadGpu = maxAbsDiff(await quadratureSumsGpu(gpu.g, gpu.k, q, x), quadratureSums(q, x));
  }
  const live = nf.filter((n) => n.alive);
  const report: AnalysisReport = {
    model: {
      p: cfg.p, d_model: cfg.d_model, d_mlp: cfg.d_mlp, n_heads: cfg.n_heads, d_head: cfg.d_head, n_ctx: cfg.n_ctx, d_vocab_out: cfg.d_vocab_out,
      attention_rate: cfg.attention_rate, convention: cfg.attention_convention, act_fn: cfg.act_fn, eq_token: cfg.eq_token, diff_vocab: cfg.diff_vocab,
    },
    accuracy: ev.accuracy,
    loss: ev.loss,
    evaluation: { device: gpu ? 'gpu' : 'cpu', cpu_accuracy: cpuEval.accuracy, cpu_loss: cpuEval.loss, max_abs_logit_diff_vs_cpu: maxAbsDiff(ev.logits, cpuEval.logits) },
    split: {
      exact: fromWeights.exact,
      max_abs_error: splitError(fromWeights, cpuEval.hookPre),
      ...(fromWeights.exact ? {} : { fitted_max_abs_error: splitError(s, cpuEval.hookPre) }),
    },
    distance_irrelevance: distanceIrrelevance(cfg, cpuEval.logits),
    gradient_symmetricity: gradientSymmetricity(cfg, params),
    dead_neurons: nf.length - live.length,
    clusters: quad.map((q) => ({
      frequency: q.k, neurons: q.neurons, weight: q.weight,
      quadrature_relative_error: q.relative_error, equispaced_relative_error: q.equispaced_relative_error, random_relative_error: q.random_relative_error,
    })),
    ...(quadGpu === undefined ? {} : { quadrature_gpu_max_abs_diff: quadGpu }),
    fourier: {
      median_share_uv: median(live.map((n) => n.shareUV)),
      median_share_wl: median(live.map((n) => n.shareWL)),
      median_secondary_ratio: median(live.map((n) => (n.r2u + n.r2v) / (2 * n.r))),
      secondary_phase_offset: circularStats(live.flatMap((n) => [n.phi2u - 2 * n.phi, n.phi2v - 2 * n.phi])),
    },
    phase_doubling: phaseDoubling(nf),
    replacement: replacements(cfg, s, nf, cl, cpuEval),
  };
  return { report, data: { cfg, structure: s, neurons: nf, clusters: cl, quadrature: quad, evaluation: cpuEval } };
}
