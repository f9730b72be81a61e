import { describe, expect, it } from 'vitest';
import { boundReduceGpu, f32Up } from '../../src/bound/per_shift/gpu.js';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, testGpu } from '../helpers.js';

const nonNeg = (rng: Rng, n: number, scale: number) => Float64Array.from({ length: n }, () => scale * rng.uniform() ** 3);

describe('bound_reduce', () => {
  it.each([1, 2, 7, 59, 131])('p %i: GPU = CPU, and the host-rounded GPU figure bounds the float64 one', async (p) => {
    const { g, k } = await testGpu();
    const rng = new Rng(p);
    const [X, Y, Z] = [nonNeg(rng, p * p, 10), nonNeg(rng, p * p, 1), nonNeg(rng, p * p, 1e-3)];
    const want = cpu.boundReduce(X, Y, Z, p);
    const out = createTensor(g, 'f32', [p * p]);
    poison(g, out);
    submit(g, [gpu.boundReduce(k, createTensor(g, 'f32', [p, p], X), createTensor(g, 'f32', [p, p], Y), createTensor(g, 'f32', [p, p], Z), p, out)]);
    expectClose(await readF32(g, out), want, 3e-7, 0);
    const certified = await boundReduceGpu(g, k, X, Y, Z, p);
    for (let j = 0; j < p * p; j++) {
      expect(certified[j]).toBeGreaterThanOrEqual(want[j]);
      expect(certified[j]).toBeLessThanOrEqual(want[j] * (1 + 1e-6));
    }
  });

  it('rounds up to float32 and refuses negative terms and short tensors', async () => {
    for (const x of [0, 1, 0.1, 1 / 3, 1e-40, 3.4e38]) {
      expect(f32Up(x)).toBeGreaterThanOrEqual(x);
      expect(f32Up(x)).toBe(Math.fround(f32Up(x)));
    }
    expect(f32Up(0.1)).toBeLessThan(0.1 * (1 + 2 ** -23));
    const { g, k } = await testGpu();
    await expect(boundReduceGpu(g, k, [-1], [0], [0], 1)).rejects.toThrow(/term 0 is -1/);
    const t = createTensor(g, 'f32', [3]);
    expect(() => gpu.boundReduce(k, t, t, t, 2, t)).toThrow(/X \[3\] holds 3 elements, the shape needs 4/);
    expect(() => cpu.boundReduce([1], [1], [1], 2)).toThrow(/X has 1 values/);
  });
});
