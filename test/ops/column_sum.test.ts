import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { splitReduction } from '../../src/ops/gpu/util.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

describe('column_sum', () => {
  // The last two have strides: rows of x (and of out) left out between batches, as in an ensemble's padded models.
  it.each([[1, 1, 1, 0, 0], [1, 7, 59, 0, 0], [1, 3481, 65, 0, 0], [4, 2, 130, 0, 0], [3, 1, 5, 0, 0], [3, 2, 59, 69, 5], [2, 5, 7, 64, 64], [3, 5, 128, 4, 8], [2, 3, 260, 2, 0], [2, 3, 8, 0, 2]])('batch %i rows %i cols %i, padding %i / %i, plain and accumulating (vec4 where cols and strides allow)', async (batch, rows, cols, padX, padOut) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch * 1e6 + rows * 1000 + cols);
    const s = { batch, rows, cols, strideX: rows * cols + padX, strideOut: cols + padOut };
    const x = randn(rng, (batch - 1) * s.strideX + rows * cols);
    const init = randn(rng, (batch - 1) * s.strideOut + cols);
    const xt = createTensor(g, 'f32', [x.length], x);
    const out = createTensor(g, 'f32', [init.length]);
    poison(g, out);
    submit(g, gpu.columnSum(k, xt, s, out));
    // The padding between outputs stays poisoned: compare what the shape writes.
    const written = (a: ArrayLike<number>) => Array.from({ length: batch * cols }, (_, i) => a[Math.floor(i / cols) * s.strideOut + (i % cols)]);
    expectClose(written(await readF32(g, out)), written(cpu.columnSum(x, s)), 1e-5 * Math.sqrt(rows));
    const acc = createTensor(g, 'f32', [init.length], init);
    submit(g, gpu.columnSum(k, xt, s, acc, true));
    expectClose(await readF32(g, acc), cpu.columnSum(x, s, Float64Array.from(init)), 1e-5 * Math.sqrt(rows));
  });

  // Many rows and few columns: the rows are summed in pieces, then the pieces (splitReduction). Forced here, on
  // awkward sizes; the device splits by itself where the columns cannot fill it (the 3481 × 65 case above).
  it.each([[1, 1100, 3, 4, 0, 0], [3, 1000, 7, 7, 5, 3], [2, 9, 65, 20, 0, 0], [2, 1100, 12, 3, 4, 4]])('batch %i rows %i cols %i in %i pieces, padding %i / %i, plain and accumulating', async (batch, rows, cols, splits, padX, padOut) => {
    const { g, k } = await testGpu();
    const rng = new Rng(rows + cols + splits);
    const s = { batch, rows, cols, strideX: rows * cols + padX, strideOut: cols + padOut };
    const x = randn(rng, (batch - 1) * s.strideX + rows * cols);
    const init = randn(rng, (batch - 1) * s.strideOut + cols);
    const xt = createTensor(g, 'f32', [x.length], x);
    const acc = createTensor(g, 'f32', [init.length], init);
    const steps = gpu.columnSum(k, xt, s, acc, true, { splits });
    expect(steps).toHaveLength(2);
    submit(g, steps);
    expectClose(await readF32(g, acc), cpu.columnSum(x, s, Float64Array.from(init)), 1e-5 * Math.sqrt(rows));
  });

  // 70 columns: scalar everywhere. 128 columns: four-wide alone (one workgroup, against two scalar), scalar
  // in the ensemble (its strides are not multiples of 4), yet split the same way.
  it.each([[70, 1, 3], [128, 2, 2]])('a batch of models (an ensemble) splits its rows as each model alone, bit for bit, accumulating: %i columns, padding %i / %i', async (cols, padX, padOut) => {
    const { g, k } = await testGpu();
    const rng = new Rng(9 + cols);
    const rows = 2000;
    const one = { batch: 1, rows, cols };
    const all = { ...one, batch: 3, strideX: rows * cols + padX, strideOut: cols + padOut };
    const x = randn(rng, 2 * all.strideX + rows * cols);
    const init = randn(rng, 2 * all.strideOut + cols);
    const out = createTensor(g, 'f32', [init.length], init);
    expect(splitReduction(rows, Math.ceil(cols / 64), 1, k.fillWorkgroups, 1).splits).toBeGreaterThan(1); // a workgroup or two a model
    submit(g, gpu.columnSum(k, createTensor(g, 'f32', [x.length], x), all, out, true, { models: 3 }));
    const got = await readF32(g, out);
    for (let t = 0; t < 3; t++) {
      const alone = createTensor(g, 'f32', [cols], init.subarray(t * all.strideOut, t * all.strideOut + cols));
      submit(g, gpu.columnSum(k, createTensor(g, 'f32', [rows * cols], x.subarray(t * all.strideX, t * all.strideX + rows * cols)), one, alone, true));
      expect(got.subarray(t * all.strideOut, t * all.strideOut + cols)).toEqual(await readF32(g, alone));
    }
  });
});
