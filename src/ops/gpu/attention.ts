import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type AttentionShape, constantPatternValue } from '../cpu/attention.js';
import { groups, requireElements } from './util.js';

const MAX_CTX = 4;

/** The kernels' limit on n_ctx, and every tensor at least as large as the shape says. */
function check(op: string, s: AttentionShape, tensors: Record<string, GpuTensor>): void {
  if (s.n_ctx > MAX_CTX) throw new Error(`${op}: n_ctx ${s.n_ctx} exceeds the kernel's MAX_CTX ${MAX_CTX}`);
  const need = { qkv: s.n_heads * s.batch * s.n_ctx * s.d_head, z: s.batch * s.n_heads * s.d_head, pattern: s.batch * s.n_heads * s.n_ctx };
  for (const [name, t] of Object.entries(tensors)) {
    requireElements(op, name, t, name === 'pattern' ? need.pattern : name === 'z' || name === 'dz' ? need.z : need.qkv);
  }
}

/** z and the last query's pattern: shaders/attention.wgsl. */
export function attention(k: KernelRegistry, q: GpuTensor, kk: GpuTensor, v: GpuTensor, s: AttentionShape, z: GpuTensor, pattern: GpuTensor): Dispatch {
  check('attention', s, { q, k: kk, v, z, pattern });
  return k.prepare('attention', {
    tensors: { q, k: kk, v, z, pattern },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, n_heads: s.n_heads, d_head: s.d_head, alpha: s.attention_rate, constant: constantPatternValue(s) },
    workgroups: [groups(s.batch * s.n_heads, 64)],
  });
}

/** dq, dk, dv from dz: shaders/attention_backward.wgsl. */
export function attentionBackward(k: KernelRegistry, dz: GpuTensor, q: GpuTensor, kk: GpuTensor, v: GpuTensor, pattern: GpuTensor, s: AttentionShape, dq: GpuTensor, dk: GpuTensor, dv: GpuTensor): Dispatch {
  check('attentionBackward', s, { dz, q, k: kk, v, pattern, dq, dk, dv });
  return k.prepare('attention_backward', {
    tensors: { dz, q, k: kk, v, pattern, dq, dk, dv },
    uniforms: { batch: s.batch, n_ctx: s.n_ctx, n_heads: s.n_heads, d_head: s.d_head, alpha: s.attention_rate },
    workgroups: [groups(s.batch * s.n_heads, 64)],
  });
}
