import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import { type GpuTensor, numel } from '../../gpu/tensor.js';
import { type MatmulOptions, type MatmulShape, matmulExtents } from '../cpu/matmul.js';
import { groups } from './util.js';

/** Each invocation computes a 4×4 block; a workgroup is 8×8 invocations (shaders/matmul.wgsl). */
const BLOCK = 4;
const WG = 8;

/** C = alpha·op(A)·op(B) + bias (+ C when accumulating): shaders/matmul.wgsl. */
export function matmul(k: KernelRegistry, a: GpuTensor, b: GpuTensor, c: GpuTensor, s: MatmulShape, opts: MatmulOptions<GpuTensor> & { accumulate?: boolean } = {}): Dispatch {
  const need = matmulExtents(s);
  const check = (name: string, t: GpuTensor, n: number) => {
    if (numel(t.shape) < n) throw new Error(`matmul: ${name} [${t.shape}] holds ${numel(t.shape)} elements; the shape ${JSON.stringify(s)} needs ${n}`);
  };
  check('A', a, need.a);
  check('B', b, need.b);
  check('C', c, need.c);
  if (opts.bias) check('bias', opts.bias, (s.batch - 1) * (opts.biasStride ?? 0) + s.N);
  return k.prepare('matmul', {
    // Without a bias, A stands in for the unused binding (read-only aliasing is allowed; read-write is not).
    tensors: { a, b, bias: opts.bias ?? a, c },
    uniforms: { M: s.M, N: s.N, K: s.K, strideA: s.strideA, strideB: s.strideB, biasStride: opts.biasStride ?? 0, alpha: opts.alpha ?? 1 },
    constants: { TRANS_A: +s.transA, TRANS_B: +s.transB, HAS_BIAS: +!!opts.bias, ACCUMULATE: +!!opts.accumulate },
    workgroups: [groups(s.N, BLOCK * WG), groups(s.M, BLOCK * WG), s.batch],
  });
}
