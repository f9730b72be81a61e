// Replacement experiments (SPEC §3): swap the MLP's logits for (i) idealised single-frequency neurons,
// (ii) the closed-form integral M∞, (iii) the idealisation plus each neuron's secondary 2k component and
// constant offset, keep the rest of the logits D = logits − ReLU(h)·W_L as they are, and score the result.
import { matmul } from '../ops/cpu/matmul.js';
import type { F64 } from '../ops/cpu/types.js';
import type { ModelConfig } from '../model/config.js';
import { mm } from '../model/schedule.js';
import type { Evaluation } from './evaluate.js';
import { scoreLogits } from './evaluate.js';
import type { Cluster, NeuronFourier } from './fourier.js';
import { closedForm } from './integral.js';
import type { MlpStructure } from './structure.js';

export interface ReplacementResult {
  accuracy: number;
  loss: number;
  /** Fraction of variance of the first p logits explained, each row centred (softmax ignores a row's constant). */
  fve_logits: number;
  /** The same for the MLP's own logits ReLU(h)·W_L. */
  fve_mlp: number;
}

export interface Replacements { ideal: ReplacementResult; integral: ReplacementResult; secondary: ReplacementResult }

/** The MLP's logits ReLU(h)·W_L over all p² inputs: [p², d_vocab_out]. */
export function mlpLogits(s: MlpStructure, hookPost: ArrayLike<number>): F64 {
  return matmul(hookPost, s.W_L, mm(s.p * s.p, s.d_vocab_out, s.d_mlp));
}

/** Idealised MLP logits on c < p: Σ_i ReLU(pre_i(a, b))·s_i cos(ω_k c + ψ_i) over the live neurons. */
function idealLogits(s: MlpStructure, nf: readonly NeuronFourier[], secondary: boolean): F64 {
  const { p } = s;
  const live = nf.map((n, i) => ({ n, i })).filter(({ n }) => n.alive);
  const d = live.length;
  const post = new Float64Array(p * p * d);
  const out = new Float64Array(d * p);
  live.forEach(({ n, i }, j) => {
    const w = (2 * Math.PI * n.k) / p;
    const cos1 = (x: number) => n.r * Math.cos(w * x + n.phi);
    const off = secondary ? n.uMean + n.vMean + s.c[i] : 0;
    const sa = (x: number) => (secondary ? n.r2u * Math.cos(2 * w * x + n.phi2u) : 0);
    const sb = (x: number) => (secondary ? n.r2v * Math.cos(2 * w * x + n.phi2v) : 0);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) post[(a * p + b) * d + j] = Math.max(cos1(a) + cos1(b) + sa(a) + sb(b) + off, 0);
    }
    for (let c = 0; c < p; c++) out[j * p + c] = n.s * Math.cos(w * c + n.psi);
  });
  return matmul(post, out, mm(p * p, p, d));
}

function integralLogits(p: number, cl: readonly Cluster[]): F64 {
  const m = new Float64Array(p * p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let c = 0; c < p; c++) m[(a * p + b) * p + c] = closedForm(p, cl, a, b, c);
  return m;
}

/** 1 − Σ(y − ŷ)²/Σ(y − ȳ)² over the first p columns, each row of y and ŷ centred first. */
export function fve(p: number, width: number, y: ArrayLike<number>, yHat: ArrayLike<number>, yHatWidth = width): number {
  const rows = y.length / width;
  let res = 0;
  let tot = 0;
  for (let r = 0; r < rows; r++) {
    let my = 0;
    let mh = 0;
    for (let c = 0; c < p; c++) {
      my += y[r * width + c];
      mh += yHat[r * yHatWidth + c];
    }
    my /= p;
    mh /= p;
    for (let c = 0; c < p; c++) {
      const dy = y[r * width + c] - my;
      res += (dy - (yHat[r * yHatWidth + c] - mh)) ** 2;
      tot += dy * dy;
    }
  }
  return 1 - res / tot;
}

/** Score the three replacements against the model's own evaluation. */
export function replacements(cfg: ModelConfig, s: MlpStructure, nf: readonly NeuronFourier[], cl: readonly Cluster[], ev: Evaluation): Replacements {
  const { p, d_vocab_out: V } = cfg;
  const mlp = mlpLogits(s, ev.hookPost);
  const score = (mHat: F64): ReplacementResult => {
    // Logits with the MLP's part on c < p swapped; columns ≥ p (if any) keep the real MLP.
    const logits = Float64Array.from(ev.logits);
    for (let r = 0; r < p * p; r++) for (let c = 0; c < p; c++) logits[r * V + c] += mHat[r * p + c] - mlp[r * V + c];
    return { ...scoreLogits(cfg, logits), fve_logits: fve(p, V, ev.logits, logits), fve_mlp: fve(p, V, mlp, mHat, p) };
  };
  return {
    ideal: score(idealLogits(s, nf, false)),
    integral: score(integralLogits(p, cl)),
    secondary: score(idealLogits(s, nf, true)),
  };
}
