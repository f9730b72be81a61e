// The ops an ensemble runs with a leading model dimension (one dispatch for S models): each model's slice of
// the stacked result equals the op run on that model alone, bit for bit (the kernels compute every element
// the same way whatever its model), and the stacked CPU twin. Strides are padded, some not multiples of 4
// (the vec4 paths must fall back), and a stride of 0 shares one tensor between the models.
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import type { Gpu } from '../../src/gpu/device.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

const S = 3;
const f32 = (g: Gpu, data: ArrayLike<number>) => createTensor(g, 'f32', [data.length], data);
const poisoned = (g: Gpu, n: number) => {
  const t = createTensor(g, 'f32', [n]);
  poison(g, t);
  return t;
};
/** Model t's n elements of a stacked host array. */
const part = (a: ArrayLike<number>, m: number, stride: number, n: number) => Array.from({ length: n }, (_, i) => a[m * stride + i]);

describe('ensemble ops: one dispatch over a model dimension', () => {
  // Output padding 8 keeps every model's out on a vec4 (written four-wide where the table allows), 5 does not.
  it.each([[60, 4, 0, 5], [59, 4, 0, 5], [60, 3, 0, 5], [512, 64, 64, 8], [60, 4, 'shared', 5], [60, 'shared', 0, 5], [60, 4, 0, 8]] as const)('gather_sum width %i, table padding %s, bias padding %s, out padding %i', async (width, padTable, padBias, padOut) => {
    const { g, k } = await testGpu();
    const rng = new Rng(width + (padTable === 'shared' ? 1 : padTable));
    const base = { batch: 13, n_ctx: 2, d_vocab: 7, width };
    const nTable = base.n_ctx * base.d_vocab * width;
    const nOut = base.batch * width;
    const s = { ...base, models: S, strideTable: padTable === 'shared' ? 0 : nTable + padTable, strideBias: padBias === 'shared' ? 0 : width + padBias, strideOut: nOut + padOut };
    const table = randn(rng, S * (nTable + 64));
    const bias = randn(rng, S * (width + 64));
    const tokens = Uint32Array.from({ length: base.batch * base.n_ctx }, () => rng.int(base.d_vocab));
    const [tt, tb, tk] = [f32(g, table), f32(g, bias), createTensor(g, 'u32', [tokens.length], tokens)];
    const [out, post] = [poisoned(g, S * s.strideOut), poisoned(g, S * s.strideOut)];
    submit(g, [gpu.gatherSum(k, tt, tb, tk, s, out, post)]);
    const [got, gotPost] = [await readF32(g, out), await readF32(g, post)];
    const want = cpu.gatherSum(table, bias, tokens, s);
    for (let m = 0; m < S; m++) {
      // Alone: model m's table and bias copied to fresh tensors at offset 0.
      const [one, onePost] = [poisoned(g, nOut), poisoned(g, nOut)];
      const alone = [f32(g, part(table, m, s.strideTable, nTable)), f32(g, part(bias, m, s.strideBias, width))] as const;
      submit(g, [gpu.gatherSum(k, ...alone, tk, base, one, onePost)]);
      expect(part(got, m, s.strideOut, nOut)).toEqual(Array.from(await readF32(g, one)));
      expect(part(gotPost, m, s.strideOut, nOut)).toEqual(Array.from(await readF32(g, onePost)));
      expectClose(part(got, m, s.strideOut, nOut), part(want, m, s.strideOut, nOut), 1e-6);
    }
    // A shared (stride 0) output would have the models overwrite one another: refused.
    expect(() => gpu.gatherSum(k, tt, tb, tk, { ...s, strideOut: 0 }, out)).toThrow(/gatherSum: out's 3 copies overlap \(stride 0/);
  });

  it.each([[36, 4], [36, 3], [5, 0]])('embed_scatter_add d_model %i, x padding %i', async (d_model, padX) => {
    const { g, k } = await testGpu();
    const rng = new Rng(d_model + padX);
    const [rows, d_vocab] = [23, 6];
    const keys = Uint32Array.from({ length: rows }, () => rng.int(d_vocab - 1)); // the last key has no rows: zeros
    const idx = cpu.tokenIndex(keys, d_vocab);
    const index = { starts: createTensor(g, 'u32', [idx.starts.length], idx.starts), rows: createTensor(g, 'u32', [idx.rows.length], idx.rows) };
    const nOut = d_vocab * d_model;
    const s = { rows, d_vocab, d_model, models: S, strideX: rows * d_model + padX, strideOut: nOut + 7 };
    const x = randn(rng, S * s.strideX);
    const out = poisoned(g, S * s.strideOut);
    submit(g, [gpu.embedScatterAdd(k, f32(g, x), index, s, out)]);
    const got = await readF32(g, out);
    const want = cpu.embedScatterAdd(x, idx, s);
    for (let m = 0; m < S; m++) {
      const one = poisoned(g, nOut);
      submit(g, [gpu.embedScatterAdd(k, f32(g, part(x, m, s.strideX, rows * d_model)), index, { rows, d_vocab, d_model }, one)]);
      expect(part(got, m, s.strideOut, nOut)).toEqual(Array.from(await readF32(g, one)));
      expectClose(part(got, m, s.strideOut, nOut), part(want, m, s.strideOut, nOut), 1e-5);
    }
    // Models writing one another's output, or reading past x, are refused.
    expect(() => gpu.embedScatterAdd(k, f32(g, x), index, { ...s, strideOut: nOut - 1 }, out)).toThrow(/embedScatterAdd: out's 3 copies overlap/);
    expect(() => gpu.embedScatterAdd(k, f32(g, x.subarray(0, (S - 1) * s.strideX + rows * d_model - 1)), index, s, out)).toThrow(/x \[\d+\] holds/);
  });

  it('softmax_cross_entropy', async () => {
    const { g, k } = await testGpu();
    const rng = new Rng(59);
    const [batch, V] = [17, 59];
    const base = { batch, d_vocab_out: V, p: V, scale: 1 / batch };
    const s = { ...base, models: S, strideLogits: batch * V + 3, strideRows: batch + 1 };
    const logits = randn(rng, S * s.strideLogits).map((x) => 4 * x);
    const labels = Uint32Array.from({ length: batch }, () => rng.int(V));
    const lab = createTensor(g, 'u32', [batch], labels);
    const [loss, dlogits, correct] = [poisoned(g, S * s.strideRows), poisoned(g, S * s.strideLogits), poisoned(g, S * s.strideRows)];
    submit(g, [gpu.softmaxCrossEntropy(k, f32(g, logits), lab, s, loss, dlogits, correct)]);
    const got = { loss: await readF32(g, loss), dlogits: await readF32(g, dlogits), correct: await readF32(g, correct) };
    const want = cpu.softmaxCrossEntropy(logits, labels, s);
    for (let m = 0; m < S; m++) {
      const one = [poisoned(g, batch), poisoned(g, batch * V), poisoned(g, batch)] as const;
      submit(g, [gpu.softmaxCrossEntropy(k, f32(g, part(logits, m, s.strideLogits, batch * V)), lab, base, ...one)]);
      expect(part(got.loss, m, s.strideRows, batch)).toEqual(Array.from(await readF32(g, one[0])));
      expect(part(got.dlogits, m, s.strideLogits, batch * V)).toEqual(Array.from(await readF32(g, one[1])));
      expect(part(got.correct, m, s.strideRows, batch)).toEqual(Array.from(await readF32(g, one[2])));
      expectClose(part(got.loss, m, s.strideRows, batch), part(want.loss, m, s.strideRows, batch), 1e-5);
    }
    expect(() => gpu.softmaxCrossEntropy(k, f32(g, logits), lab, { ...s, strideRows: batch - 1 }, loss, dlogits, correct)).toThrow(/loss's 3 copies overlap/);
    expect(() => gpu.softmaxCrossEntropy(k, f32(g, logits), lab, { ...s, strideLogits: 1.5 }, loss, dlogits, correct)).toThrow(/logits's stride 1.5 is not a non-negative integer/);
  });

  // The second size makes every invocation of the capped grid (Occupancy.gridWorkgroups) loop over several elements.
  it.each([[67, 70], [64 * 256 * 2 + 13, 64 * 256 * 2 + 18]])('adamw over %i of every %i elements, each model with its own hyperparameters, leaves the padding between models alone', async (n, stride) => {
    const { g, k } = await testGpu();
    const rng = new Rng(67);
    const hs = [1e-3, 3e-3, 0].map((lr, m) => ({ lr, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: m, step: 2 + m }));
    const host = { p: randn(rng, S * stride), g: randn(rng, S * stride), m: randn(rng, S * stride), v: randn(rng, S * stride).map(Math.abs) };
    const t = { p: f32(g, host.p), g: f32(g, host.g), m: f32(g, host.m), v: f32(g, host.v) };
    const hyper = f32(g, hs.flatMap((h) => Array.from(cpu.adamwHyper(h))));
    submit(g, [gpu.adamw(k, t.p, t.g, t.m, t.v, hyper, n, { models: S, stride })]);
    const got = { p: await readF32(g, t.p), m: await readF32(g, t.m), v: await readF32(g, t.v) };
    for (let m = 0; m < S; m++) {
      const one = { p: f32(g, part(host.p, m, stride, n)), m: f32(g, part(host.m, m, stride, n)), v: f32(g, part(host.v, m, stride, n)) };
      submit(g, [gpu.adamw(k, one.p, f32(g, part(host.g, m, stride, n)), one.m, one.v, f32(g, cpu.adamwHyper(hs[m])), n)]);
      for (const key of ['p', 'm', 'v'] as const) {
        expect(part(got[key], m, stride, n)).toEqual(Array.from(await readF32(g, one[key])));
        // The padding after each model's n elements is not touched.
        expect(part(got[key], m, stride, stride).slice(n)).toEqual(Array.from(Float32Array.from(part(host[key], m, stride, stride).slice(n))));
      }
    }
    expect(() => gpu.adamw(k, t.p, t.g, t.m, t.v, hyper, n, { models: S, stride: n - 1 })).toThrow(`adamw: param's 3 copies overlap (stride ${n - 1}, ${n} elements each)`);
    expect(() => gpu.adamw(k, t.p, t.g, t.m, t.v, f32(g, new Float32Array(16)), n, { models: S, stride })).toThrow(/hyper \[16\] holds 16 elements/);
  });
});
