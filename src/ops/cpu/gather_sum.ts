import { type F64, stackedExtent } from './types.js';

/**
 * `models` copies of the op on one set of tokens (an ensemble, default 1): model t's table starts at element
 * t·strideTable, its bias at t·strideBias, its out at t·strideOut (defaults: packed; a stride of 0 shares).
 */
export interface GatherSumShape { batch: number; n_ctx: number; d_vocab: number; width: number; models?: number; strideTable?: number; strideBias?: number; strideOut?: number }

export const gatherSumStrides = (s: GatherSumShape) => ({
  models: s.models ?? 1,
  table: s.strideTable ?? s.n_ctx * s.d_vocab * s.width,
  bias: s.strideBias ?? s.width,
  out: s.strideOut ?? s.batch * s.width,
});

/** out[t, b] = bias[t] + Σ_j table[t, j·d_vocab + tokens[b, j]] for each model t: shaders/gather_sum.wgsl. */
export function gatherSum(table: ArrayLike<number>, bias: ArrayLike<number>, tokens: ArrayLike<number>, s: GatherSumShape): F64 {
  const { batch, n_ctx, d_vocab, width } = s;
  const st = gatherSumStrides(s);
  const out = new Float64Array(stackedExtent(st.models, st.out, batch * width));
  for (let t = 0; t < st.models; t++) {
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < width; c++) {
        let acc = bias[t * st.bias + c];
        for (let j = 0; j < n_ctx; j++) acc += table[t * st.table + (j * d_vocab + tokens[b * n_ctx + j]) * width + c];
        out[t * st.out + b * width + c] = acc;
      }
    }
  }
  return out;
}
