import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type CrossEntropyShape, checkCrossEntropyShape } from '../cpu/softmax_cross_entropy.js';
import { groups } from './util.js';

/** Per-row loss, scale·dlogits and correctness: shaders/softmax_cross_entropy.wgsl. */
export function softmaxCrossEntropy(k: KernelRegistry, logits: GpuTensor, labels: GpuTensor, s: CrossEntropyShape, loss: GpuTensor, dlogits: GpuTensor, correct: GpuTensor): Dispatch {
  checkCrossEntropyShape(s);
  return k.prepare('softmax_cross_entropy', {
    tensors: { logits, labels, loss, dlogits, correct },
    uniforms: { batch: s.batch, d_vocab_out: s.d_vocab_out, p: s.p, scale: s.scale },
    workgroups: [groups(s.batch, 64)],
  });
}
