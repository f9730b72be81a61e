// reduceMax / reduceMaxAbs: exact agreement with a plain max for sizes around every workgroup boundary,
// with the extreme element first, last or inside, and with all-negative data (no zero or −∞ start leaks in).
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32, view } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { randn, testGpu } from '../helpers.js';

const SIZES = [1, 2, 63, 64, 65, 1000, 1024, 1025, 4097, 262_143, 262_145, 1_000_003];

describe('reduce_max', () => {
  it.each(SIZES)('n = %i: max and max |x|, extreme first, last and inside, all-negative data', async (n) => {
    const { g, k } = await testGpu();
    const rng = new Rng(n);
    const out = createTensor(g, 'f32', [1]);
    const np = gpu.reduceMaxPartials(n);
    const partials = np ? createTensor(g, 'f32', [np]) : undefined;
    const base = randn(rng, n);
    const cases: Float32Array[] = [base.map((v) => -Math.abs(v) - 1)];
    for (const at of [0, n - 1, rng.int(n)]) {
      const a = base.slice();
      a[at] = 7;
      const b = base.slice();
      b[at] = -9; // largest in magnitude, smallest in value
      cases.push(a, b);
    }
    for (const data of cases) {
      const x = createTensor(g, 'f32', [n], data);
      for (const [op, twin] of [[gpu.reduceMax, cpu.reduceMax], [gpu.reduceMaxAbs, cpu.reduceMaxAbs]] as const) {
        poison(g, out);
        if (partials) poison(g, partials);
        submit(g, op(k, x, n, out, partials));
        expect((await readF32(g, out))[0]).toBe(twin(data, n)[0]);
      }
    }
  });

  it('reduces only the first n elements of a longer tensor', async () => {
    const { g, k } = await testGpu();
    const data = Float32Array.from({ length: 3000 }, (_, i) => (i < 2000 ? 1 - i : 1e6));
    const out = createTensor(g, 'f32', [1]);
    submit(g, gpu.reduceMax(k, createTensor(g, 'f32', [3000], data), 2000, out, createTensor(g, 'f32', [gpu.reduceMaxPartials(2000)])));
    expect((await readF32(g, out))[0]).toBe(1);
  });

  it('partials: none up to 1024 elements, at most 256; missing or shared scratch is an error', async () => {
    const { g, k } = await testGpu();
    expect([1, 1024, 1025, 262_144, 262_145, 1e9].map(gpu.reduceMaxPartials)).toEqual([0, 0, 2, 256, 256, 256]);
    const x = createTensor(g, 'f32', [5000]);
    const out = createTensor(g, 'f32', [1]);
    expect(() => gpu.reduceMax(k, x, 5000, out)).toThrow(/needs a partials tensor of 5 elements/);
    expect(() => gpu.reduceMax(k, x, 5000, out, view(x, 4000, [8]))).toThrow(/partials must be a buffer of its own/);
    expect(() => gpu.reduceMax(k, x, 0, out)).toThrow(/n 0 is not a positive integer/);
    expect(() => cpu.reduceMax([1, 2], 3)).toThrow(/n 3 exceeds the 2 elements/);
  });
});
