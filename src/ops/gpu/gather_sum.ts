import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { GatherSumShape } from '../cpu/gather_sum.js';
import { groups } from './util.js';

/** out[b] = bias + Σ_j table[j·d_vocab + tokens[b, j]]: shaders/gather_sum.wgsl. */
export function gatherSum(k: KernelRegistry, table: GpuTensor, bias: GpuTensor, tokens: GpuTensor, s: GatherSumShape, out: GpuTensor): Dispatch {
  return k.prepare('gather_sum', {
    tensors: { tokens, table, bias, out },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, d_vocab: s.d_vocab, width: s.width },
    // At most ~2048 workgroups; each walks its share of the rows.
    workgroups: [groups(s.width, 64), Math.min(s.batch, Math.ceil(2048 / groups(s.width, 64)))],
  });
}
