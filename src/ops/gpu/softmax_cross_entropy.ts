import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type CrossEntropyShape, checkCrossEntropyShape, crossEntropyStrides } from '../cpu/softmax_cross_entropy.js';
import { groups, requireElements, requireStacked } from './util.js';

/** Per-row loss, scale·dlogits and correctness, for each model of an ensemble: shaders/softmax_cross_entropy.wgsl. */
export function softmaxCrossEntropy(k: KernelRegistry, logits: GpuTensor, labels: GpuTensor, s: CrossEntropyShape, loss: GpuTensor, dlogits: GpuTensor, correct: GpuTensor): Dispatch {
  checkCrossEntropyShape(s);
  const st = crossEntropyStrides(s);
  const [nLogits, nRows] = [s.batch * s.d_vocab_out, s.batch];
  requireStacked('softmaxCrossEntropy', 'logits', logits, st.models, st.logits, nLogits, false);
  requireElements('softmaxCrossEntropy', 'labels', labels, nRows);
  requireStacked('softmaxCrossEntropy', 'loss', loss, st.models, st.rows, nRows, true);
  requireStacked('softmaxCrossEntropy', 'dlogits', dlogits, st.models, st.logits, nLogits, true);
  requireStacked('softmaxCrossEntropy', 'correct', correct, st.models, st.rows, nRows, true);
  return k.prepare('softmax_cross_entropy', {
    tensors: { logits, labels, loss, dlogits, correct },
    uniforms: { batch: s.batch, d_vocab_out: s.d_vocab_out, p: s.p, scale: s.scale, strideLogits: st.logits, strideRows: st.rows },
    workgroups: [groups(s.batch, 64), st.models],
  });
}
