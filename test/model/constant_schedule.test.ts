// The constant-attention fast path computes the same loss, logits and gradients as the generic schedule.
import { describe, expect, it } from 'vitest';
import { type ModelConfig, makeConfig } from '../../src/model/config.js';
import { lossAndGradsCpu } from '../../src/model/cpu_model.js';
import { GpuModel } from '../../src/model/gpu_model.js';
import { allPairs, batchOf } from '../../src/model/inputs.js';
import { type ParamName, flatten, initParams, paramLayout, paramSpecs, size } from '../../src/model/params.js';
import { submit } from '../../src/gpu/kernels.js';
import { readF32, upload } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, testGpu } from '../helpers.js';

const configs: [string, ModelConfig][] = [
  ['sum convention', makeConfig({ p: 7, d_model: 8, n_heads: 2, d_head: 3, d_mlp: 11, attention_rate: 0, attention_convention: 'sum' })],
  ['mean convention, = token', makeConfig({ p: 5, d_model: 6, n_heads: 3, d_head: 2, d_mlp: 9, attention_rate: 0, attention_convention: 'mean', eq_token: true })],
  // Widths that are multiples of 4: the vectorised gather and scatter, with ReLU fused into both passes.
  ['widths a multiple of 4, diff_vocab', makeConfig({ p: 7, d_model: 8, n_heads: 2, d_head: 4, d_mlp: 12, attention_rate: 0, attention_convention: 'mean', diff_vocab: true, d_vocab_out: 8 })],
  ['gelu, diff_vocab, one neuron', makeConfig({ p: 3, d_model: 4, n_heads: 1, d_mlp: 1, attention_rate: 0, attention_convention: 'mean', act_fn: 'gelu', diff_vocab: true, d_vocab_out: 6 })],
];

function withBiases(c: ModelConfig, seed: number) {
  const params = initParams(c, seed);
  const rng = new Rng(seed + 1);
  for (const s of paramSpecs(c)) if (s.initStd === 0) params[s.name] = Float32Array.from({ length: size(s.shape) }, () => rng.normal() * 0.2);
  return params;
}

describe('constant-attention schedule', () => {
  it.each(configs)('matches the generic schedule on the CPU: %s', (_n, c) => {
    const params = withBiases(c, 3);
    const batch = allPairs(c);
    const generic = lossAndGradsCpu(c, params, batch, { schedule: 'generic' });
    const fast = lossAndGradsCpu(c, params, batch, { schedule: 'constant' });
    expect(Math.abs(fast.loss - generic.loss)).toBeLessThan(1e-12);
    expectClose(fast.outputs.logits, generic.outputs.logits, 1e-12, 1e-12);
    expectClose(fast.outputs.hook_pre, generic.outputs.hook_pre, 1e-12, 1e-12);
    for (const s of paramSpecs(c)) {
      try {
        expectClose(fast.grads[s.name]!, generic.grads[s.name]!, 1e-10, 1e-13);
      } catch (e) {
        throw new Error(`${s.name}: ${(e as Error).message}`);
      }
    }
  });

  it.each(configs)('on the GPU matches the CPU: %s', async (_n, c) => {
    const { g, k } = await testGpu();
    const params = withBiases(c, 5);
    const layout = paramLayout(c, ['blocks.0.attn.b_Q', 'unembed.b_U'] as ParamName[]);
    const batch = batchOf(c, Array.from({ length: c.p * c.p }, (_, i) => i).filter((i) => i % 4 !== 2));
    const model = new GpuModel(g, k, c, layout, batch, { schedule: 'constant' });
    upload(g, model.params, flatten(layout, params));
    submit(g, model.forwardBackward());
    const want = lossAndGradsCpu(c, params, batch, { schedule: 'constant', frozen: ['blocks.0.attn.b_Q', 'unembed.b_U'] });
    expectClose(await readF32(g, model.logits), want.outputs.logits, 1e-5, 1e-6);
    const flat = await readF32(g, model.grads);
    for (const e of layout.entries.filter((e) => e.trainable)) {
      try {
        expectClose(flat.subarray(e.offset, e.offset + size(e.spec.shape)), want.grads[e.spec.name]!, 2e-4, 1e-7);
      } catch (err) {
        throw new Error(`${e.spec.name}: ${(err as Error).message}`);
      }
    }
  });
});
