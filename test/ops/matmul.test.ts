import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { rowSubgroupSize } from '../../src/gpu/subgroups.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

type Case = [batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean, broadcast: '' | 'A' | 'B'];
const cases: Case[] = [
  [1, 1, 1, 1, false, false, ''],
  [1, 3, 130, 513, false, true, ''], // a few rows: one row of invocations, tm = M
  [2, 4, 64, 33, true, false, ''],
  [2, 2, 200, 7, true, false, 'B'],
  [1, 59, 59, 59, false, false, ''],
  [1, 59, 59, 59, true, true, ''],
  [1, 33, 17, 129, true, false, ''],
  [1, 13, 61, 7, false, true, ''],
  [1, 5, 3, 3481, true, false, ''],
  [1, 70, 1, 9, true, true, ''],
  [1, 130, 131, 7, false, false, ''], // past one 64×128 tile in both directions
  [1, 67, 129, 3481, true, false, ''], // the weight-gradient pattern: K long, transA
  [3, 37, 11, 6, false, false, 'A'],
  [2, 65, 70, 5, false, true, 'B'],
  [4, 9, 32, 128, false, true, ''],
  [2, 7, 1, 1, true, true, ''],
  // Plain B with N a multiple of 4 reads B as vec4 (VEC_B): a partial last tile, a broadcast B, batches.
  [1, 33, 132, 17, false, false, ''],
  [2, 65, 8, 5, true, false, 'B'],
  [3, 7, 12, 9, false, false, ''],
  [1, 3481, 4, 3, false, false, ''],
  // Aᵀ with M a multiple of 4 reads A as vec4 (VEC_A): the weight-gradient pattern, partial tiles, batches.
  [1, 132, 12, 3481, true, false, ''],
  [2, 4, 9, 5, true, true, 'A'],
  [3, 68, 20, 7, true, false, ''],
];

async function check(c: Case, tile?: gpu.MatmulTile, epilogues = true) {
  const [batch, M, N, K, transA, transB, broadcast] = c;
  const { g, k } = await testGpu();
  const rng = new Rng(M * 7 + N * 13 + K + batch);
  const s = { batch, M, N, K, transA, transB, strideA: broadcast === 'A' ? 0 : M * K, strideB: broadcast === 'B' ? 0 : K * N };
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
  submit(g, gpu.matmul(k, at, bt, plain, s, { tile }));
  expectClose(await readF32(g, plain), cpu.matmul(a, b, s), tol);
  if (!epilogues) return;

  // One bias row shared by every batch (biasStride 0), into poisoned C.
  const biased = createTensor(g, 'f32', [ext.c]);
  poison(g, biased);
  submit(g, gpu.matmul(k, at, bt, biased, s, { bias: biasT, tile }));
  expectClose(await readF32(g, biased), cpu.matmul(a, b, s, { bias }), tol);

  // Per-batch bias, a scale, and accumulation onto existing values, all at once.
  const acc = createTensor(g, 'f32', [ext.c], init);
  const opts = { alpha: 0.5, bias, biasStride: N };
  submit(g, gpu.matmul(k, at, bt, acc, s, { ...opts, bias: biasT, accumulate: true, tile }));
  expectClose(await readF32(g, acc), cpu.matmul(a, b, s, { ...opts, accumulate: Float64Array.from(init) }), tol);

  // ReLU's backward fused in: results where the gate is ≤ 0 (half of them, and exact zeros) become 0.
  const gate = randn(rng, ext.c).map((x, i) => (i % 7 === 0 ? 0 : x));
  const gated = createTensor(g, 'f32', [ext.c]);
  poison(g, gated);
  submit(g, gpu.matmul(k, at, bt, gated, s, { reluGate: createTensor(g, 'f32', [ext.c], gate), tile }));
  const want = cpu.matmul(a, b, s, { reluGate: gate });
  expect(want.every((x, i) => gate[i] > 0 || x === 0)).toBe(true);
  expectClose(await readF32(g, gated), want, tol);
}

describe('matmul', () => {
  it.each(cases)('batch %i M %i N %i K %i transA %s transB %s broadcast %s', async (...c) => check(c));

  // The heuristic picks 8×16, 8×8 or 4×4 register tiles by shape (the cases above meet all three); odd
  // tiles must agree too. The bias and accumulate epilogue does not depend on the tile, so only the product.
  it.each([
    [{ tm: 1, tn: 1, wgx: 1, wgy: 1 }],
    [{ tm: 3, tn: 5, wgx: 4, wgy: 16 }],
  ])('tile %o', async (tile) => {
    await check([2, 61, 67, 13, false, true, ''], tile, false);
    await check([1, 59, 7, 33, true, false, ''], tile, false);
  });

  // strideC > M·N leaves elements between the batches' outputs (an ensemble's padded models): untouched.
  // Plain B is read as vec4; C is then stored as vec4 too when its stride allows (64), else one by one (42).
  it.each([[false, false, 64], [true, true, 64], [false, false, 42]])('strideC with padding, transA %s transB %s, strideC %i: bias, accumulation and the gate land per batch', async (transA, transB, sc) => {
    const { g, k } = await testGpu();
    const rng = new Rng(11);
    const s = { batch: 3, M: 5, N: 8, K: 9, transA, transB, strideA: 45, strideB: 0, strideC: sc };
    const ext = cpu.matmulExtents(s);
    expect(ext.c).toBe(2 * sc + 40);
    const [a, b, bias, init] = [randn(rng, ext.a), randn(rng, ext.b), randn(rng, 3 * 8), randn(rng, ext.c)];
    const gate = randn(rng, ext.c);
    const c = createTensor(g, 'f32', [ext.c], init);
    const [at, bt] = [createTensor(g, 'f32', [ext.a], a), createTensor(g, 'f32', [ext.b], b)];
    // Two products: the bias and the gate share a binding, so one product takes either.
    submit(g, [
      ...gpu.matmul(k, at, bt, c, s, { bias: createTensor(g, 'f32', [bias.length], bias), biasStride: 8, accumulate: true }),
      ...gpu.matmul(k, at, bt, c, s, { accumulate: true, reluGate: createTensor(g, 'f32', [ext.c], gate) }),
    ]);
    const want = cpu.matmul(a, b, s, { reluGate: gate, accumulate: cpu.matmul(a, b, s, { bias, biasStride: 8, accumulate: Float64Array.from(init) }) });
    expect(want[40]).toBe(init[40]); // padding kept
    expectClose(await readF32(g, c), want, 1e-5);
  });

  it('rejects shapes the tensors cannot hold, with the field named', async () => {
    const { g, k } = await testGpu();
    const t = (n: number) => createTensor(g, 'f32', [n]);
    const s = { batch: 2, M: 3, N: 4, K: 5, transA: false, transB: false, strideA: 15, strideB: 0 };
    expect(() => gpu.matmul(k, t(29), t(20), t(24), s)).toThrow(/A \[29\] holds 29 elements, the shape needs 30/);
    expect(() => gpu.matmul(k, t(30), t(19), t(24), s)).toThrow(/B \[19\]/);
    expect(() => gpu.matmul(k, t(30), t(20), t(23), s)).toThrow(/C \[23\]/);
    expect(() => gpu.matmul(k, t(30), t(20), t(24), s, { bias: t(4), biasStride: 4 })).toThrow(/bias \[4\]/);
    expect(() => gpu.matmul(k, t(30), t(20), t(24), { ...s, K: 0 })).toThrow(/K must be a positive integer/);
    expect(() => gpu.matmul(k, t(30), t(20), t(24), { ...s, strideB: -1 })).toThrow(/strideB/);
    expect(() => gpu.matmul(k, t(30), t(20), t(24), s, { tile: { tm: 32, tn: 1, wgx: 1, wgy: 1 } })).toThrow(/exceeds/);
    expect(() => gpu.matmul(k, t(30), t(20), t(24), s, { bias: t(4), reluGate: t(24) })).toThrow(/a bias and a ReLU gate/);
    expect(() => cpu.matmul(new Float64Array(30), new Float64Array(20), s, { bias: new Float64Array(4), reluGate: new Float64Array(24) })).toThrow(/a bias and a ReLU gate/);
  });
});

// Split K: the pieces' partial products summed by column_sum. Forced here; the device decides by itself
// only for products too small to fill it (splitK), which a CPU adapter meets at small d_mlp.
describe('matmul: split K', () => {
  type SplitCase = [batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean, splits: number, wgx: number];
  it.each<SplitCase>([
    [1, 5, 3, 3481, true, false, 4, 8], // dW_L's pattern, subgroup-shared A
    [1, 5, 3, 3481, true, false, 4, 4], // the same in the plain k loop (rows of 4 lanes are not subgroups)
    [1, 67, 129, 1000, true, false, 3, 8], // chunks not a multiple of the subgroup's 8
    [2, 33, 59, 517, false, true, 7, 8], // batches, transB
    [3, 12, 8, 300, true, false, 5, 4], // VEC_A (the plain loop: A is not shared) and VEC_B
    [1, 1, 1, 5, false, false, 9, 8], // more pieces asked than K has steps: one step each
  ])('batch %i M %i N %i K %i transA %s transB %s in %i pieces, wgx %i: alpha and accumulation onto C match the reference', async (batch, M, N, K, transA, transB, splits, wgx) => {
    const { g, k } = await testGpu();
    const rng = new Rng(M + N + K + splits);
    const s = { batch, M, N, K, transA, transB, strideA: M * K, strideB: K * N };
    const ext = cpu.matmulExtents(s);
    const [a, b, init] = [randn(rng, ext.a), randn(rng, ext.b), randn(rng, ext.c)];
    const tile = { ...gpu.matmulTile(s), wgx };
    const [at, bt] = [createTensor(g, 'f32', [ext.a], a), createTensor(g, 'f32', [ext.b], b)];
    const plain = createTensor(g, 'f32', [ext.c]);
    poison(g, plain);
    const steps = gpu.matmul(k, at, bt, plain, s, { splits, tile });
    expect(steps.map((d) => d.label)).toEqual(['matmul', 'column_sum']);
    submit(g, steps);
    const tol = 2e-6 * Math.sqrt(K);
    expectClose(await readF32(g, plain), cpu.matmul(a, b, s), tol);
    const acc = createTensor(g, 'f32', [ext.c], init);
    submit(g, gpu.matmul(k, at, bt, acc, s, { splits, tile, alpha: -0.5, accumulate: true }));
    expectClose(await readF32(g, acc), cpu.matmul(a, b, s, { alpha: -0.5, accumulate: Float64Array.from(init) }), tol);
  });

  it('a batch of models (an ensemble) splits as each model alone, bit for bit, accumulating into interleaved outputs with the padding kept', async () => {
    const { g, k } = await testGpu();
    const rng = new Rng(3);
    const one = { batch: 1, M: 20, N: 59, K: 1100, transA: true, transB: false, strideA: 0, strideB: 0 };
    const all = { ...one, batch: 3, strideA: 20 * 1100, strideB: 1100 * 59, strideC: 20 * 59 + 5 };
    const ext = cpu.matmulExtents(all);
    const [a, b] = [randn(rng, ext.a), randn(rng, ext.b)];
    const c = createTensor(g, 'f32', [ext.c], new Float32Array(ext.c).fill(7));
    const gk = k.scheduledFor({ gridWorkgroups: k.gridWorkgroups, fillWorkgroups: 4 });
    expect(gpu.splitK(one, gpu.matmulTile(one), 4).splits).toBeGreaterThan(1);
    expect(gpu.splitK(all, gpu.matmulTile(one), 4).splits).toBe(2); // the batch alone would fill 3 of the 4
    submit(g, gpu.matmul(gk, createTensor(g, 'f32', [ext.a], a), createTensor(g, 'f32', [ext.b], b), c, all, { models: 3, accumulate: true }));
    const got = await readF32(g, c);
    for (let t = 0; t < 3; t++) {
      const alone = createTensor(g, 'f32', [20 * 59], new Float32Array(20 * 59).fill(7));
      const at = createTensor(g, 'f32', [20 * 1100], a.subarray(t * 20 * 1100, (t + 1) * 20 * 1100));
      const bt = createTensor(g, 'f32', [1100 * 59], b.subarray(t * 1100 * 59, (t + 1) * 1100 * 59));
      submit(g, gpu.matmul(gk, at, bt, alone, one, { accumulate: true }));
      expect(got.subarray(t * all.strideC, t * all.strideC + 20 * 59)).toEqual(await readF32(g, alone));
      if (t < 2) expect([...got.subarray(t * all.strideC + 20 * 59, (t + 1) * all.strideC)]).toEqual([7, 7, 7, 7, 7]);
    }
  });

  it('splits a long K (from 1024) only when the output tiles cannot fill the device, in pieces of at least 64 steps', () => {
    const dW_L = { batch: 1, M: 512, N: 59, K: 2785, transA: true, transB: false, strideA: 0, strideB: 0 };
    const tile = gpu.matmulTile(dW_L, true); // 16×8 in 8×8 workgroups: 4 tiles of 128×64
    expect(gpu.splitK(dW_L, tile, 4)).toEqual({ splits: 1, chunk: 2785 });
    expect(gpu.splitK(dW_L, tile, 256)).toEqual({ splits: 44, chunk: 64 });
    expect(gpu.splitK({ ...dW_L, M: 32 }, gpu.matmulTile({ ...dW_L, M: 32 }, true), 4)).toEqual({ splits: 4, chunk: 704 });
    expect(gpu.splitK({ ...dW_L, K: 1030 }, tile, 256)).toEqual({ splits: 17, chunk: 64 });
    expect(gpu.splitK({ ...dW_L, K: 1023 }, tile, 256)).toEqual({ splits: 1, chunk: 1023 });
    expect(gpu.splitK(dW_L, tile, 8)).toEqual({ splits: 2, chunk: 1400 }); // two pieces, in multiples of the subgroup's 8
    expect(gpu.splitK({ ...dW_L, batch: 30000 }, tile, 1e6)).toEqual({ splits: 2, chunk: 1400 }); // batch·splits ≤ 65535
    expect(gpu.splitK({ ...dW_L, batch: 40000 }, tile, 1e6)).toEqual({ splits: 1, chunk: 2785 });
    expect(gpu.splitK({ ...dW_L, batch: 40000 }, tile, 1e6, 40000)).toEqual(gpu.splitK(dW_L, tile, 1e6)); // models split as one model
  });

  it('keeps K whole under a bias or a ReLU gate, and refuses to split it when asked', async () => {
    const { g, k } = await testGpu();
    const t = (n: number) => createTensor(g, 'f32', [n]);
    const s = { batch: 1, M: 3, N: 4, K: 5000, transA: true, transB: false, strideA: 0, strideB: 0 };
    const gk = k.scheduledFor({ gridWorkgroups: k.gridWorkgroups, fillWorkgroups: 1024 });
    expect(gpu.matmul(gk, t(15000), t(20000), t(12), s)).toHaveLength(2);
    expect(gpu.matmul(gk, t(15000), t(20000), t(12), s, { bias: t(4) })).toHaveLength(1);
    expect(gpu.matmul(gk, t(15000), t(20000), t(12), s, { reluGate: t(12) })).toHaveLength(1);
    expect(() => gpu.matmul(k, t(15000), t(20000), t(12), s, { bias: t(4), splits: 2 })).toThrow(/bias or a ReLU gate/);
    expect(() => gpu.matmul(k, t(15000), t(20000), t(12), s, { splits: 1.5 })).toThrow(/splits must be a positive integer/);
  });
});

// Subgroup-shared A loads (SHUFFLE_A) assume each subgroup is one workgroup row, lanes in x order: probed once
// per device (src/gpu/subgroups.ts), and checked again by the kernel, which writes NaN rather than a wrong product.
describe('matmul: subgroup rows', () => {
  it('the probe finds rows of 8 on lavapipe, and the device uses what it found', async () => {
    const { g } = await testGpu();
    expect(g.subgroupSize).toBe(await rowSubgroupSize(g));
    if (/llvmpipe/i.test(g.adapter.info.device + g.adapter.info.description)) expect(g.subgroupSize).toBe(8);
  });

  it('forced on with subgroups that span two workgroup rows, it writes NaN, never a finite wrong value', async () => {
    const { g, k } = await testGpu();
    const rng = new Rng(5);
    const s = { batch: 1, M: 37, N: 29, K: 45, transA: false, transB: false, strideA: 0, strideB: 0 };
    const [a, b] = [randn(rng, s.M * s.K), randn(rng, s.K * s.N)];
    const want = cpu.matmul(a, b, s);
    const c = createTensor(g, 'f32', [s.M * s.N]);
    // Rows of 4 lanes: a subgroup of 8 covers two of them.
    submit(g, gpu.matmul(k, createTensor(g, 'f32', [a.length], a), createTensor(g, 'f32', [b.length], b), c, s, { tile: { tm: 4, tn: 4, wgx: 4, wgy: 4 }, shuffleA: true }));
    const got = await readF32(g, c);
    if (g.subgroupSize === 8) expect(got.every(Number.isNaN)).toBe(true);
    got.forEach((x, i) => expect(Number.isNaN(x) || Math.abs(x - want[i]) < 1e-4).toBe(true));
  });
});
