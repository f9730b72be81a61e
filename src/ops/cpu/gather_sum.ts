import type { F64 } from './types.js';

export interface GatherSumShape { batch: number; n_ctx: number; d_vocab: number; width: number }

/** out[b] = bias + Σ_j table[j·d_vocab + tokens[b, j]]: shaders/gather_sum.wgsl. */
export function gatherSum(table: ArrayLike<number>, bias: ArrayLike<number>, tokens: ArrayLike<number>, s: GatherSumShape): F64 {
  const { batch, n_ctx, d_vocab, width } = s;
  const out = new Float64Array(batch * width);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < width; c++) {
      let acc = bias[c];
      for (let j = 0; j < n_ctx; j++) acc += table[(j * d_vocab + tokens[b * n_ctx + j]) * width + c];
      out[b * width + c] = acc;
    }
  }
  return out;
}
