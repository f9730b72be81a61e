import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type GatherSumShape, gatherSumStrides } from '../cpu/gather_sum.js';
import { groups, outputViews, requireElements, requireStacked, rowGrid, vec4Alias } from './util.js';

/**
 * out[t, b] = bias[t] + Σ_j table[t, j·d_vocab + tokens[b, j]] for each model t, and reluPost = max(out, 0)
 * if given (laid out as out): shaders/gather_sum.wgsl.
 */
export function gatherSum(k: KernelRegistry, table: GpuTensor, bias: GpuTensor, tokens: GpuTensor, s: GatherSumShape, out: GpuTensor, reluPost?: GpuTensor): Dispatch {
  const st = gatherSumStrides(s);
  const perModel = s.batch * s.width;
  requireStacked('gatherSum', 'table', table, st.models, st.table, s.n_ctx * s.d_vocab * s.width, false);
  requireStacked('gatherSum', 'bias', bias, st.models, st.bias, s.width, false);
  requireElements('gatherSum', 'tokens', tokens, s.batch * s.n_ctx);
  requireStacked('gatherSum', 'out', out, st.models, st.out, perModel, true);
  if (reluPost) requireStacked('gatherSum', 'reluPost', reluPost, st.models, st.out, perModel, true);
  // The vec4 views read model t's table from element t·strideTable and write its out from t·strideOut, which
  // must then be multiples of 4; each writable binding left unused gets a buffer of its own.
  const vec4 = s.width % 4 === 0 && st.table % 4 === 0 && st.out % 4 === 0;
  const x = groups(vec4 ? s.width / 4 : s.width, 64);
  const [out1, out4] = outputViews(k, out, vec4, 0);
  const [post, post4] = reluPost ? outputViews(k, reluPost, vec4, 1) : [k.unusedOutput(1), k.unusedOutput(2)];
  return k.prepare('gather_sum', {
    tensors: { tokens, table, bias, table4: vec4Alias(k, table, vec4), out: out1, out4, post, post4 },
    uniforms: { batch: s.batch, d_vocab: s.d_vocab, width: s.width, strideTable: st.table, strideBias: st.bias, strideOut: st.out },
    constants: { N_CTX: s.n_ctx, VEC4: +vec4, RELU_POST: +!!reluPost },
    workgroups: [...rowGrid(k, x, s.batch), st.models],
  });
}
