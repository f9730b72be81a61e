import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

const STRUCT = { a_sa: 1, a_sb: 0, b_sa: 0, b_sb: 1 };

describe('brute_force_bound', () => {
  // p prime, one neuron, n off the 256-chunk and off 4, p over the 64-thread workgroup, rows padded past n.
  it.each([[1, 1, 4], [2, 1, 8], [7, 3, 4], [13, 300, 300], [67, 5, 8], [5, 513, 516]])('p %i, n %i, ldw %i: GPU = CPU, structure and post layouts', async (p, n, ldw) => {
    const { g, k } = await testGpu();
    const rng = new Rng(p * 1000 + n);
    const [U, V, c, Mh] = [randn(rng, p * n), randn(rng, p * n), randn(rng, n, 0.3), randn(rng, p * p, 3)];
    const W = randn(rng, p * ldw).map((x, j) => (j % ldw < n ? x : 0)); // WT [p, ldw], zero past n
    const post = randn(rng, p * p * n).map(Math.abs);
    const zero = new Float32Array(n);
    const t = (x: Float32Array) => createTensor(g, 'f32', [x.length], x);
    const out = createTensor(g, 'f32', [2 * p * p]);
    for (const [A, B, cv, rows] of [[U, V, c, STRUCT], [post, zero, zero, { a_sa: p, a_sb: 1, b_sa: 0, b_sb: 0 }]] as const) {
      poison(g, out);
      submit(g, [gpu.bruteForceBound(k, t(A), t(B), t(cv), t(W), t(Mh), p, n, ldw, rows, out)]);
      expectClose(await readF32(g, out), cpu.bruteForceBound(A, B, cv, W, Mh, p, n, ldw, rows), 1e-5, 1e-5);
    }
  });

  it('refuses short tensors and bad sizes, naming them', async () => {
    const { g, k } = await testGpu();
    const x = createTensor(g, 'f32', [4]);
    expect(() => gpu.bruteForceBound(k, x, x, x, createTensor(g, 'f32', [8]), x, 2, 1, 4, STRUCT, x)).toThrow(/out \[4\] holds 4 elements, the shape needs 8/);
    expect(() => gpu.bruteForceBound(k, x, x, x, x, x, 2, 2, 2, STRUCT, x)).toThrow(/ldw 2 must be ≥ n 2 and a multiple of 4/);
    expect(() => gpu.bruteForceBound(k, x, x, x, x, x, 1, 5, 4, STRUCT, x)).toThrow(/ldw 4 must be ≥ n 5/);
    expect(() => gpu.bruteForceBound(k, x, x, x, x, x, 0, 1, 1, STRUCT, x)).toThrow(/p 0 is not a positive integer/);
  });
});
