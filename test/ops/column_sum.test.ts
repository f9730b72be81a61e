import { describe, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

describe('column_sum', () => {
  it.each([[1, 1, 1], [1, 7, 59], [1, 3481, 65], [4, 2, 130], [3, 1, 5]])('batch %i rows %i cols %i, plain and accumulating', async (batch, rows, cols) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch * 1e6 + rows * 1000 + cols);
    const s = { batch, rows, cols };
    const x = randn(rng, batch * rows * cols);
    const init = randn(rng, batch * cols);
    const xt = createTensor(g, 'f32', [batch, rows, cols], x);
    const out = createTensor(g, 'f32', [batch, cols]);
    poison(g, out);
    submit(g, [gpu.columnSum(k, xt, s, out)]);
    expectClose(await readF32(g, out), cpu.columnSum(x, s), 1e-5 * Math.sqrt(rows));
    const acc = createTensor(g, 'f32', [batch, cols], init);
    submit(g, [gpu.columnSum(k, xt, s, acc, true)]);
    expectClose(await readF32(g, acc), cpu.columnSum(x, s, Float64Array.from(init)), 1e-5 * Math.sqrt(rows));
  });
});
