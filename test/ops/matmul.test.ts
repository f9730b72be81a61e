import { describe, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

type Case = [batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean, broadcastA: boolean];
const cases: Case[] = [
  [1, 1, 1, 1, false, false, false],
  [1, 59, 59, 59, false, false, false],
  [1, 33, 17, 129, true, false, false],
  [1, 13, 61, 7, false, true, false],
  [1, 5, 3, 3481, true, false, false],
  [1, 70, 1, 9, true, true, false],
  [3, 37, 11, 6, false, false, true],
  [4, 9, 32, 128, false, true, false],
];

describe('matmul', () => {
  it.each(cases)('batch %i M %i N %i K %i transA %s transB %s broadcast A %s', async (batch, M, N, K, transA, transB, broadcastA) => {
    const { g, k } = await testGpu();
    const rng = new Rng(M * 7 + N * 13 + K);
    const s = { batch, M, N, K, transA, transB, strideA: broadcastA ? 0 : M * K, strideB: K * N };
    const ext = cpu.matmulExtents(s);
    const a = randn(rng, ext.a);
    const b = randn(rng, ext.b);
    const bias = randn(rng, batch * N);
    const init = randn(rng, ext.c);
    const at = createTensor(g, 'f32', [ext.a], a);
    const bt = createTensor(g, 'f32', [ext.b], b);
    const biasT = createTensor(g, 'f32', [batch * N], bias);
    const tol = 2e-6 * Math.sqrt(K);

    const plain = createTensor(g, 'f32', [ext.c]);
    poison(g, plain);
    submit(g, [gpu.matmul(k, at, bt, plain, s)]);
    expectClose(await readF32(g, plain), cpu.matmul(a, b, s), tol);

    // Per-batch bias, a scale, and accumulation onto existing values, all at once.
    const acc = createTensor(g, 'f32', [ext.c], init);
    const opts = { alpha: 0.5, bias, biasStride: N };
    submit(g, [gpu.matmul(k, at, bt, acc, s, { ...opts, bias: biasT, accumulate: true })]);
    expectClose(await readF32(g, acc), cpu.matmul(a, b, s, { ...opts, accumulate: Float64Array.from(init) }), tol);
  });
});
