import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type CrossEntropyShape, checkCrossEntropyShape, crossEntropyStrides } from '../cpu/softmax_cross_entropy.js';
import { groups, requireElements } from './util.js';

/** Per-row loss, scale·dlogits and correctness, for each model of an ensemble: shaders/softmax_cross_entropy.wgsl. */
export function softmaxCrossEntropy(k: KernelRegistry, logits: GpuTensor, labels: GpuTensor, s: CrossEntropyShape, loss: GpuTensor, dlogits: GpuTensor, correct: GpuTensor): Dispatch {
  checkCrossEntropyShape(s);
  const st = crossEntropyStrides(s);
  const perModel = (stride: number, n: number) => (st.models - 1) * stride + n;
  const needs = {
    logits: [logits, perModel(st.logits, s.batch * s.d_vocab_out)], labels: [labels, s.batch], loss: [loss, perModel(st.rows, s.batch)],
    dlogits: [dlogits, perModel(st.logits, s.batch * s.d_vocab_out)], correct: [correct, perModel(st.rows, s.batch)],
  } as const;
  for (const [name, [t, n]] of Object.entries(needs)) requireElements('softmaxCrossEntropy', name, t, n);
  return k.prepare('softmax_cross_entropy', {
    tensors: { logits, labels, loss, dlogits, correct },
    uniforms: { batch: s.batch, d_vocab_out: s.d_vocab_out, p: s.p, scale: s.scale, strideLogits: st.logits, strideRows: st.rows },
    workgroups: [groups(s.batch, 64), st.models],
  });
}
