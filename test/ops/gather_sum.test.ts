import { describe, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

describe('gather_sum', () => {
  it.each([[1, 2, 1, 1], [59 * 59, 2, 59, 65], [13, 3, 8, 512], [7, 2, 14, 59], [9, 2, 5, 260]])('batch %i n_ctx %i d_vocab %i width %i', async (batch, n_ctx, d_vocab, width) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch + width);
    const s = { batch, n_ctx, d_vocab, width };
    const table = randn(rng, n_ctx * d_vocab * width);
    const bias = randn(rng, width);
    const tokens = Uint32Array.from({ length: batch * n_ctx }, () => rng.int(d_vocab));
    const out = createTensor(g, 'f32', [batch, width]);
    poison(g, out);
    const post = createTensor(g, 'f32', [batch, width]);
    poison(g, post);
    const args = [createTensor(g, 'f32', [table.length], table), createTensor(g, 'f32', [width], bias), createTensor(g, 'u32', [tokens.length], tokens), s, out] as const;
    submit(g, [gpu.gatherSum(k, ...args)]);
    const want = cpu.gatherSum(table, bias, tokens, s);
    expectClose(await readF32(g, out), want, 1e-6);
    // With ReLU's output beside it (hook_post in the same pass).
    poison(g, out);
    submit(g, [gpu.gatherSum(k, ...args, post)]);
    expectClose(await readF32(g, out), want, 1e-6);
    expectClose(await readF32(g, post), cpu.activation(want, 'relu', want.length), 1e-6);
  });
});
