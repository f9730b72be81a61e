// AdamW: the float64 twin against PyTorch's closed form, and the kernel replayed from one prepared dispatch
// with only its hyper buffer rewritten between steps, as the trainer runs it.
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

describe('adamw', () => {
  it('first step from zero moments: p·(1 − lr·wd) − lr·g/(|g| + eps)', () => {
    const h = { lr: 3e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step: 1 };
    const g = [0.5, -2, 1e-9, 0];
    const p = Float64Array.from([1, 1, -1, 2]);
    const [m, v] = [new Float64Array(4), new Float64Array(4)];
    cpu.adamw(p, g, m, v, h);
    g.forEach((gi, i) => {
      const want = [1, 1, -1, 2][i] * (1 - h.lr) - (h.lr * gi) / (Math.abs(gi) + h.eps);
      expect(Math.abs(p[i] - want)).toBeLessThan(1e-15);
    });
    expect(Array.from(m)).toEqual(g.map((gi) => (1 - h.beta1) * gi));
    expect(Array.from(v)).toEqual(g.map((gi) => (1 - h.beta2) * gi * gi));
  });

  it.each([1, 67, 2 * 4096 * 64 + 5])('one dispatch over %i parameters replayed for warm-up steps, the hyper buffer rewritten each step', async (n) => {
    const { g, k } = await testGpu();
    const rng = new Rng(n);
    const p0 = randn(rng, n);
    const [pt, gt, mt, vt, hyper] = [createTensor(g, 'f32', [n], p0), createTensor(g, 'f32', [n]), createTensor(g, 'f32', [n]), createTensor(g, 'f32', [n]), createTensor(g, 'f32', [8])];
    const [p, m, v] = [Float64Array.from(p0), new Float64Array(n), new Float64Array(n)];
    const dispatch = gpu.adamw(k, pt, gt, mt, vt, hyper, n);
    const steps = n > 1e5 ? 2 : 6;
    for (let step = 1; step <= steps; step++) {
      const grad = randn(rng, n, step);
      const h = { lr: 1e-3 * Math.min(1, step / 4), beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step };
      g.device.queue.writeBuffer(gt.buffer, 0, grad);
      g.device.queue.writeBuffer(hyper.buffer, 0, cpu.adamwHyper(h));
      submit(g, [dispatch]);
      cpu.adamw(p, grad, m, v, h);
    }
    expectClose(await readF32(g, pt), p, 1e-6, 1e-7);
    expectClose(await readF32(g, mt), m, 1e-6, 1e-7);
    expectClose(await readF32(g, vt), v, 1e-6, 1e-9);
  });

  it('rejects step 0, β outside [0, 1), and a moment tensor shorter than n', async () => {
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step: 0 };
    expect(() => cpu.adamwHyper(h)).toThrow(/step 0 is not a positive integer/);
    expect(() => cpu.adamwHyper({ ...h, step: 1, beta2: 1 })).toThrow(/beta2 1 outside \[0, 1\)/);
    const { g, k } = await testGpu();
    const [a, b] = [createTensor(g, 'f32', [10]), createTensor(g, 'f32', [9])];
    expect(() => gpu.adamw(k, a, a, a, b, createTensor(g, 'f32', [8]), 10)).toThrow(/adamw: v \[9\] holds 9 elements, the shape needs 10/);
  });
});
