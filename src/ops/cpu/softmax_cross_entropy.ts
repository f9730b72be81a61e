import type { F64 } from './types.js';

export interface CrossEntropyShape { batch: number; d_vocab_out: number; p: number; scale: number }

/**
 * Per-row cross-entropy, scale·(softmax − onehot) and correctness (argmax over the first p logits, first
 * on ties): shaders/softmax_cross_entropy.wgsl. When the label holds the largest logit the loss is
 * log1p(Σ_{c≠y} e^{l_c − l_y}), which keeps its precision at losses far below float32's 1e-7 steps (SPEC §1).
 */
export function softmaxCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, s: CrossEntropyShape): { loss: F64; dlogits: F64; correct: F64 } {
  const { batch, d_vocab_out: V, p, scale } = s;
  const loss = new Float64Array(batch);
  const dlogits = new Float64Array(batch * V);
  const correct = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    const o = b * V;
    const y = labels[b];
    let mx = -Infinity;
    for (let c = 0; c < V; c++) mx = Math.max(mx, logits[o + c]);
    let arg = 0;
    for (let c = 1; c < p; c++) if (logits[o + c] > logits[o + arg]) arg = c;
    correct[b] = arg === y ? 1 : 0;
    const ly = logits[o + y];
    if (ly === mx) {
      let sum = 0;
      for (let c = 0; c < V; c++) if (c !== y) sum += Math.exp(logits[o + c] - ly);
      loss[b] = Math.log1p(sum);
      for (let c = 0; c < V; c++) dlogits[o + c] = scale * (c === y ? -sum / (1 + sum) : Math.exp(logits[o + c] - ly) / (1 + sum));
    } else {
      let z = 0;
      for (let c = 0; c < V; c++) z += Math.exp(logits[o + c] - mx);
      loss[b] = Math.log(z) - (ly - mx);
      for (let c = 0; c < V; c++) dlogits[o + c] = scale * (Math.exp(logits[o + c] - mx) / z - (c === y ? 1 : 0));
    }
  }
  return { loss, dlogits, correct };
}
