import { type F64, stackedExtent } from './types.js';

/**
 * `models` copies of the op on one set of labels (an ensemble, default 1): model t's logits and dlogits start
 * at element t·strideLogits (default batch·d_vocab_out), its loss and correct at t·strideRows (default batch).
 */
export interface CrossEntropyShape { batch: number; d_vocab_out: number; p: number; scale: number; models?: number; strideLogits?: number; strideRows?: number }

export const crossEntropyStrides = (s: CrossEntropyShape) => ({ models: s.models ?? 1, logits: s.strideLogits ?? s.batch * s.d_vocab_out, rows: s.strideRows ?? s.batch });

export function checkCrossEntropyShape(s: CrossEntropyShape): void {
  if (!Number.isInteger(s.batch) || s.batch < 1) throw new Error(`softmaxCrossEntropy: batch ${s.batch} is not a positive integer`);
  if (!Number.isInteger(s.d_vocab_out) || s.d_vocab_out < 1) throw new Error(`softmaxCrossEntropy: d_vocab_out ${s.d_vocab_out} is not a positive integer`);
  if (!Number.isInteger(s.p) || s.p < 1 || s.p > s.d_vocab_out) throw new Error(`softmaxCrossEntropy: p ${s.p} outside 1..d_vocab_out (${s.d_vocab_out})`);
}

/**
 * Per-row cross-entropy, scale·(softmax − onehot) and correctness (argmax over the first p logits, first
 * on ties): shaders/softmax_cross_entropy.wgsl, step for step. With j the largest logit (the label when it
 * ties the max) and s = Σ_{c≠j} e^{l_c − l_j}, loss = log1p(s) + (l_j − l_y), which keeps its precision at
 * losses far below float32's 1e-7 steps (SPEC §1).
 */
export function softmaxCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, s: CrossEntropyShape): { loss: F64; dlogits: F64; correct: F64 } {
  checkCrossEntropyShape(s);
  const { batch, d_vocab_out: V, p, scale } = s;
  const st = crossEntropyStrides(s);
  const loss = new Float64Array(stackedExtent(st.models, st.rows, batch));
  const dlogits = new Float64Array(stackedExtent(st.models, st.logits, batch * V));
  const correct = new Float64Array(loss.length);
  for (let t = 0; t < st.models; t++) for (let row = 0; row < batch; row++) {
    const b = t * st.rows + row;
    const o = t * st.logits + row * V;
    const y = labels[row];
    if (!(y < V)) throw new Error(`softmaxCrossEntropy: label ${y} of row ${row} outside 0..${V - 1}`);
    let j = y;
    let arg = 0;
    for (let c = 0; c < V; c++) {
      if (logits[o + c] > logits[o + j]) j = c;
      if (c < p && logits[o + c] > logits[o + arg]) arg = c;
    }
    correct[b] = arg === y ? 1 : 0;
    const lj = logits[o + j];
    let sum = 0;
    for (let c = 0; c < V; c++) if (c !== j) sum += Math.exp(logits[o + c] - lj);
    loss[b] = Math.log1p(sum) + (lj - logits[o + y]);
    const inv = 1 / (1 + sum);
    for (let c = 0; c < V; c++) {
      const d = c !== j ? Math.exp(logits[o + c] - lj) * inv - (c === y ? 1 : 0) : j === y ? -sum * inv : inv;
      dlogits[o + c] = scale * d;
    }
  }
  return { loss, dlogits, correct };
}
