import { describe, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

describe('column_sum', () => {
  it.each([[1, 1], [7, 59], [3481, 65], [2, 130]])('rows %i cols %i, plain and accumulating', async (rows, cols) => {
    const { g, k } = await testGpu();
    const rng = new Rng(rows * 1000 + cols);
    const x = randn(rng, rows * cols);
    const init = randn(rng, cols);
    const xt = createTensor(g, 'f32', [rows, cols], x);
    const out = createTensor(g, 'f32', [cols]);
    poison(g, out);
    submit(g, [gpu.columnSum(k, xt, rows, cols, out)]);
    expectClose(await readF32(g, out), cpu.columnSum(x, rows, cols), 1e-5 * Math.sqrt(rows));
    const acc = createTensor(g, 'f32', [cols], init);
    submit(g, [gpu.columnSum(k, xt, rows, cols, acc, true)]);
    expectClose(await readF32(g, acc), cpu.columnSum(x, rows, cols, Float64Array.from(init)), 1e-5 * Math.sqrt(rows));
  });
});
