import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type AttentionShape, constantPatternValue } from '../cpu/attention.js';
import { groups } from './util.js';

const MAX_CTX = 4;

function checkCtx(s: AttentionShape): void {
  if (s.n_ctx > MAX_CTX) throw new Error(`attention: n_ctx ${s.n_ctx} exceeds the kernel's MAX_CTX ${MAX_CTX}`);
}

/** z and the last query's pattern: shaders/attention.wgsl. */
export function attention(k: KernelRegistry, q: GpuTensor, kk: GpuTensor, v: GpuTensor, s: AttentionShape, z: GpuTensor, pattern: GpuTensor): Dispatch {
  checkCtx(s);
  return k.prepare('attention', {
    tensors: { q, k: kk, v, z, pattern },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, n_heads: s.n_heads, d_head: s.d_head, alpha: s.attention_rate, constant: constantPatternValue(s) },
    workgroups: [groups(s.batch * s.n_heads, 64)],
  });
}

/** dq, dk, dv from dz: shaders/attention_backward.wgsl. */
export function attentionBackward(k: KernelRegistry, dz: GpuTensor, q: GpuTensor, kk: GpuTensor, v: GpuTensor, pattern: GpuTensor, s: AttentionShape, dq: GpuTensor, dk: GpuTensor, dv: GpuTensor): Dispatch {
  checkCtx(s);
  return k.prepare('attention_backward', {
    tensors: { dz, q, k: kk, v, pattern, dq, dk, dv },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, n_heads: s.n_heads, d_head: s.d_head, alpha: s.attention_rate },
    workgroups: [groups(s.batch * s.n_heads, 64)],
  });
}
