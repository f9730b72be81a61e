// The whole model: CPU reference gradients against central finite differences in float64, and the GPU's
// loss and every parameter gradient against the CPU reference.
import { describe, expect, it } from 'vitest';
import { type ModelConfig, makeConfig } from '../../src/model/config.js';
import { lossAndGradsCpu } from '../../src/model/cpu_model.js';
import { GpuModel } from '../../src/model/gpu_model.js';
import { allPairs, batchOf } from '../../src/model/inputs.js';
import { type ParamName, type ParamValues, flatten, initParams, paramLayout, paramSpecs, size } from '../../src/model/params.js';
import { GPU_OCCUPANCY } from '../../src/gpu/device.js';
import { type KernelRegistry, type Step, submit } from '../../src/gpu/kernels.js';
import { readF32, upload } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, splitProducts, testGpu } from '../helpers.js';

const variants: [string, ModelConfig][] = [
  ['relu, constant attention (sum)', makeConfig({ p: 5, d_model: 6, n_heads: 2, d_head: 3, d_mlp: 7, attention_rate: 0, attention_convention: 'sum' })],
  ['relu, α 0.4 (mean), = token', makeConfig({ p: 5, d_model: 6, n_heads: 2, d_head: 3, d_mlp: 7, attention_rate: 0.4, attention_convention: 'mean', eq_token: true })],
  ['gelu, α 1, diff_vocab, one neuron', makeConfig({ p: 3, d_model: 4, n_heads: 1, d_head: 2, d_mlp: 1, attention_rate: 1, attention_convention: 'sum', act_fn: 'gelu', diff_vocab: true, d_vocab_out: 5 })],
];

/** Random parameters, biases included (they must be differentiated correctly even when frozen in training). */
function randomParams(c: ModelConfig, seed: number): Record<ParamName, Float64Array> {
  const rng = new Rng(seed);
  const out = {} as Record<ParamName, Float64Array>;
  for (const s of paramSpecs(c)) out[s.name] = Float64Array.from({ length: size(s.shape) }, () => rng.normal() * 0.7);
  return out;
}

describe('CPU reference gradients', () => {
  it.each(variants)('match central finite differences: %s', (_name, c) => {
    const params = randomParams(c, 1);
    const batch = allPairs(c);
    const { grads, loss } = lossAndGradsCpu(c, params, batch);
    const rng = new Rng(2);
    const h = 1e-6;
    for (const s of paramSpecs(c)) {
      for (let t = 0; t < 3; t++) {
        const i = rng.int(size(s.shape));
        const at = (delta: number) => {
          const p: ParamValues = { ...params, [s.name]: Float64Array.from(params[s.name]) };
          (p[s.name] as Float64Array)[i] += delta;
          return lossAndGradsCpu(c, p, batch).loss;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        const g = grads[s.name]![i];
        // ReLU kinks can sit inside ±h only with probability ~0; tolerance is for the O(h²) truncation.
        expect(Math.abs(g - fd), `${s.name}[${i}] analytic ${g} vs fd ${fd} (loss ${loss})`).toBeLessThan(1e-6 + 1e-5 * Math.abs(fd));
      }
    }
  });
});

describe('GPU model against the CPU reference', () => {
  const gpuVariants: [string, ModelConfig][] = [
    ...variants,
    ['canonical shape at p 23', makeConfig({ p: 23, d_model: 128, n_heads: 4, d_mlp: 512, attention_rate: 0, attention_convention: 'mean' })],
    ['awkward sizes, clock', makeConfig({ p: 13, d_model: 20, n_heads: 3, d_head: 7, d_mlp: 33, attention_rate: 1, attention_convention: 'mean' })],
  ];
  it.each(gpuVariants)('loss and every parameter gradient: %s', async (_name, c) => {
    const { k } = await testGpu();
    await checkAgainstCpu(c, k, 'generic');
  });

  // A GPU's occupancy splits the long-K products (the weight gradients, K the batch: 1121 pairs at p 41)
  // into pieces summed by column_sum; here on whatever device runs the tests.
  it.each(['generic', 'constant'] as const)('scheduled as on a GPU, the weight gradients split over the batch: %s schedule', async (schedule) => {
    const { k } = await testGpu();
    const c = makeConfig({ p: 41, d_model: 32, n_heads: 4, d_mlp: 48, attention_rate: schedule === 'constant' ? 0 : 1, attention_convention: 'mean' });
    const steps = await checkAgainstCpu(c, k.scheduledFor(GPU_OCCUPANCY), schedule);
    expect(splitProducts(steps)).toEqual(expect.arrayContaining(schedule === 'constant' ? ['dW_L'] : ['grad blocks.0.mlp.W_in', 'grad blocks.0.mlp.W_out']));
  });
});

/** The GPU model's loss, logits and every gradient (and dx0 on the generic schedule) against the CPU reference; returns its program. */
async function checkAgainstCpu(c: ModelConfig, k: KernelRegistry, schedule: 'generic' | 'constant'): Promise<readonly Step[]> {
  const { g } = await testGpu();
  const params = initParams(c, 7);
  // Non-zero biases everywhere, so their paths are exercised too.
  const rng = new Rng(8);
  for (const s of paramSpecs(c)) if (s.initStd === 0) params[s.name] = Float32Array.from({ length: size(s.shape) }, () => rng.normal() * 0.1);
  const layout = paramLayout(c, []);
  // An odd batch: a subset of the pairs with one repeated.
  const ids = Array.from({ length: c.p * c.p }, (_, i) => i).filter((i) => i % 3 !== 1);
  ids.push(ids[0]);
  const batch = batchOf(c, ids);
  const model = new GpuModel(g, k, c, layout, batch, { schedule });
  upload(g, model.params, flatten(layout, params));
  const steps = model.forwardBackward();
  submit(g, steps);
  const want = lossAndGradsCpu(c, params, batch);
  expectClose(await readF32(g, model.loss), want.outputs.loss, 1e-4, 1e-6);
  expectClose(await readF32(g, model.logits), want.outputs.logits, 1e-5, 1e-6);
  const flat = await readF32(g, model.grads);
  for (const e of layout.entries) {
    const got = flat.subarray(e.offset, e.offset + size(e.spec.shape));
    try {
      expectClose(got, want.grads[e.spec.name]!, 2e-4, 1e-7);
    } catch (err) {
      throw new Error(`${e.spec.name}: ${(err as Error).message}`);
    }
  }
  if (schedule === 'generic') expectClose(await readF32(g, model.dx0), want.dx0!, 2e-4, 1e-7);
  return steps;
}
