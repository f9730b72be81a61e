// Activation kernels against the float64 twin, and the twin's erf/erfc against mpmath (40 digits).
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { randn, testGpu } from '../helpers.js';

// mpmath.erf / mpmath.erfc at 40 digits, printed to 17.
const ERF: [number, number][] = [[1e-8, 1.1283791670955126e-8], [0.3, 0.32862675945912742], [0.99, 0.8385080695553698], [1, 0.84270079294971487], [1.7, 0.98379045859077456], [3, 0.99997790950300141], [-2.2, -0.99813715370201811]];
const ERFC: [number, number][] = [[-1, 1.8427007929497149], [0.5, 0.47950012218695346], [1.5, 0.033894853524689273], [4, 1.5417257900280019e-8], [7, 4.1838256077794144e-23], [12, 1.3562611692059042e-64]];

describe('float64 erf and erfc', () => {
  it('match mpmath to a few ulp, relative to themselves (erfc in its far tail too)', () => {
    for (const [x, want] of ERF) expect(Math.abs(cpu.erf(x) - want)).toBeLessThanOrEqual(4e-16 * Math.abs(want));
    for (const [x, want] of ERFC) expect(Math.abs(cpu.erfc(x) - want)).toBeLessThanOrEqual(4e-15 * want);
    expect([cpu.erf(Infinity), cpu.erf(-Infinity), cpu.erfc(Infinity), cpu.erfc(-Infinity), cpu.erfc(30)]).toEqual([1, -1, 0, 2, 0]);
  });

  it('GeLU and its derivative match the closed forms at 0 and in the tails', () => {
    expect(cpu.activation([0, 30, -30], 'gelu', 3)).toEqual(Float64Array.from([0, 30, -30 * 0.5 * cpu.erfc(30 * Math.SQRT1_2)]));
    // GeLU'(0) = Φ(0) = 1/2; GeLU(−10) = −10·Φ(−10) with Φ(−10) = 7.6198530241604696e-24 (mpmath).
    expect(cpu.activationBackward([0], [1], 'gelu', 1)[0]).toBe(0.5);
    expect(Math.abs(cpu.activation([-10], 'gelu', 1)[0] / (-10 * 7.6198530241604696e-24) - 1)).toBeLessThan(1e-13);
  });
});

describe('activation kernels', () => {
  // Exact zeros of both signs, subnormal-adjacent and large inputs, a dense grid over GeLU's curved part,
  // random values, and n = 1. 3409 inputs: the last 3408 (all but the leading 0.5) take the vec4 path, all
  // of them the scalar one.
  const grid = Array.from({ length: 2401 }, (_, i) => (i - 1200) / 100);
  const rng = new Rng(7);
  const inputs = Float32Array.from([0.5, 0, -0, 1e-30, -1e-30, 9, -9, 40, -40, ...grid, ...randn(rng, 999, 3)]);

  it.each([['relu', inputs.length], ['gelu', inputs.length], ['relu', inputs.length - 1], ['gelu', inputs.length - 1], ['relu', 1], ['gelu', 1]] as const)('%s forward and backward, n = %i', async (act, n) => {
    const { g, k } = await testGpu();
    const pre = inputs.subarray(inputs.length - n);
    const dpost = randn(rng, n);
    const [post, dpre] = [createTensor(g, 'f32', [n]), createTensor(g, 'f32', [n])];
    poison(g, post);
    poison(g, dpre);
    const pt = createTensor(g, 'f32', [n], pre);
    submit(g, [gpu.activation(k, pt, act, n, post), gpu.activationBackward(k, pt, createTensor(g, 'f32', [n], dpost), act, n, dpre)]);
    const [gotPost, gotDpre] = [await readF32(g, post), await readF32(g, dpre)];
    const [wantPost, wantDpre] = [cpu.activation(pre, act, n), cpu.activationBackward(pre, dpost, act, n)];
    // ReLU exact, with ReLU'(0) = 0 as in PyTorch. GeLU: |ΔΦ| < 6e-8 from the erfc fit, plus float32
    // rounding of x·Φ and of the derivative's terms. Checked in bulk, then the first failure in detail.
    const ok = (i: number) => {
      const x = Math.abs(pre[i]);
      if (act === 'relu') return gotPost[i] === Math.fround(wantPost[i]) && gotDpre[i] === Math.fround(wantDpre[i]);
      return Math.abs(gotPost[i] - wantPost[i]) <= 1.5e-7 * x + 1e-7 * Math.abs(wantPost[i]) + 1e-37
        && Math.abs(gotDpre[i] - wantDpre[i]) <= (3e-7 + 3e-7 * x) * Math.abs(dpost[i]);
    };
    const bad = Array.from({ length: n }, (_, i) => i).find((i) => !ok(i));
    if (bad !== undefined) expect({ x: pre[bad], post: gotPost[bad], dpre: gotDpre[bad] }).toEqual({ x: pre[bad], post: wantPost[bad], dpre: wantDpre[bad] });
  });

  it('ReLU over more elements than the 4096 workgroups cover in one round (each thread loops)', async () => {
    const { g, k } = await testGpu();
    const n = 4096 * 64 + 7;
    const pre = randn(rng, n);
    const post = createTensor(g, 'f32', [n]);
    poison(g, post);
    submit(g, [gpu.activation(k, createTensor(g, 'f32', [n], pre), 'relu', n, post)]);
    const got = await readF32(g, post);
    expect(got.findIndex((v, i) => v !== Math.max(pre[i], 0))).toBe(-1);
  });

  // The vec4 path computes what the scalar one does, component by component; this n also takes each
  // vec4 thread past one round of the largest grid (4096 workgroups of 64).
  it('four-wide and one by one agree bit for bit (GeLU, forward and backward), over more than one round of the grid', async () => {
    const { g, k } = await testGpu();
    const n = 4 * 4096 * 64 + 8;
    const [pre, dpost] = [randn(rng, n + 1, 3), randn(rng, n + 1)];
    const run = async (from: number, backward: boolean) => {
      const m = n + 1 - from;
      const out = createTensor(g, 'f32', [m]);
      const p = createTensor(g, 'f32', [m], pre.subarray(from));
      submit(g, [backward ? gpu.activationBackward(k, p, createTensor(g, 'f32', [m], dpost.subarray(from)), 'gelu', m, out) : gpu.activation(k, p, 'gelu', m, out)]);
      return readF32(g, out);
    };
    for (const backward of [false, true]) {
      const [four, one] = [await run(1, backward), (await run(0, backward)).subarray(1)];
      expect(four.findIndex((v, i) => !Object.is(v, one[i]))).toBe(-1);
    }
  });

  it('GeLU keeps relative precision in its negative tail, where 1 + erf(x) would cancel', async () => {
    const { g, k } = await testGpu();
    const pre = Float32Array.from([-3, -4, -5, -6, -7]);
    const post = createTensor(g, 'f32', [5]);
    submit(g, [gpu.activation(k, createTensor(g, 'f32', [5], pre), 'gelu', 5, post)]);
    const got = await readF32(g, post);
    const want = cpu.activation(pre, 'gelu', 5);
    // The fit's 1.2e-7, plus exp's float32 error on arguments up to ~25 in magnitude.
    for (let i = 0; i < 5; i++) expect(Math.abs(got[i] / want[i] - 1)).toBeLessThan(2e-5);
  });
});
