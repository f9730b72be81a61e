import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type GatherSumShape, gatherSumStrides } from '../cpu/gather_sum.js';
import { groups, requireElements, requireStacked, vec4Alias } from './util.js';

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
  // The vec4 view reads model t's table from element t·strideTable, which must then be a multiple of 4.
  const vec4 = s.width % 4 === 0 && st.table % 4 === 0;
  const x = groups(vec4 ? s.width / 4 : s.width, 64);
  return k.prepare('gather_sum', {
    tensors: { tokens, table, bias, out, table4: vec4Alias(table, vec4), post: reluPost ?? k.unusedOutput() },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, d_vocab: s.d_vocab, width: s.width, strideTable: st.table, strideBias: st.bias, strideOut: st.out },
    constants: { VEC4: +vec4, RELU_POST: +!!reluPost },
    // At most ~1024 workgroups; each walks its share of the rows.
    workgroups: [x, Math.min(s.batch, Math.ceil(1024 / x)), st.models],
  });
}
