import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import { type GpuTensor, numel } from '../../gpu/tensor.js';
import { type EmbedShape, type ScatterShape, scatterStrides } from '../cpu/embed.js';
import { groups, outputViews, requireElements, requireStacked, rowGrid, vec4Alias } from './util.js';

/** x0[b, j] = W_E[tokens[b, j]] + W_pos[j]: shaders/embed_gather.wgsl. */
export function embedGather(k: KernelRegistry, W_E: GpuTensor, W_pos: GpuTensor, tokens: GpuTensor, s: EmbedShape, out: GpuTensor): Dispatch {
  const rows = s.batch * s.n_ctx;
  requireElements('embedGather', 'tokens', tokens, rows);
  requireElements('embedGather', 'W_pos', W_pos, s.n_ctx * s.d_model);
  requireElements('embedGather', 'out', out, rows * s.d_model);
  const vec4 = s.d_model % 4 === 0;
  const x = groups(vec4 ? s.d_model / 4 : s.d_model, 64);
  const [x0, x04] = outputViews(k, out, vec4);
  return k.prepare('embed_gather', {
    tensors: { tokens, W_E, W_pos, x0, W_E4: vec4Alias(k, W_E, vec4), W_pos4: vec4Alias(k, W_pos, vec4), x04 },
    uniforms: { rows, n_ctx: s.n_ctx, d_model: s.d_model },
    constants: { VEC4: +vec4 },
    workgroups: rowGrid(k, x, rows),
  });
}

/** out[t, v] = Σ of model t's rows of x listed for v in the index (GPU copies of a TokenIndex), for each model t. */
export function embedScatterAdd(k: KernelRegistry, x: GpuTensor, index: { starts: GpuTensor; rows: GpuTensor }, s: ScatterShape, out: GpuTensor): Dispatch {
  // An index built for another vocabulary would read past its starts or leave rows unwritten.
  if (numel(index.starts.shape) !== s.d_vocab + 1) throw new Error(`embedScatterAdd: index.starts has ${numel(index.starts.shape)} entries, d_vocab ${s.d_vocab} needs ${s.d_vocab + 1}`);
  const st = scatterStrides(s);
  requireStacked('embedScatterAdd', 'x', x, st.models, st.x, s.rows * s.d_model, false);
  requireStacked('embedScatterAdd', 'out', out, st.models, st.out, s.d_vocab * s.d_model, true);
  // The vec4 view reads model t's x from element t·strideX, which must then be a multiple of 4.
  const vec4 = s.d_model % 4 === 0 && st.x % 4 === 0;
  return k.prepare('embed_scatter_add', {
    tensors: { starts: index.starts, rows: index.rows, x, out, x4: vec4Alias(k, x, vec4) },
    uniforms: { d_vocab: s.d_vocab, d_model: s.d_model, strideX: st.x, strideOut: st.out },
    constants: { VEC4: +vec4 },
    workgroups: [groups(vec4 ? s.d_model / 4 : s.d_model, 64), s.d_vocab, st.models],
  });
}
