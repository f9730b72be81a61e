// GPU kernels against their float64 CPU twins on awkward shapes, outputs poisoned before each run.
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { type GpuTensor, createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';
import type { Gpu } from '../../src/gpu/device.js';

const f32 = (g: Gpu, data: Float32Array) => createTensor(g, 'f32', [data.length], data);
const out = (g: Gpu, n: number) => {
  const t = createTensor(g, 'f32', [n]);
  poison(g, t);
  return t;
};

describe('embedding', () => {
  it.each([[1, 2, 1, 1], [59 * 59, 2, 59, 128], [13, 3, 8, 5], [5, 3, 60, 33]])('gather and scatter-add: batch %i n_ctx %i d_vocab %i d_model %i', async (batch, n_ctx, d_vocab, d_model) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch + d_vocab);
    const W_E = randn(rng, d_vocab * d_model);
    const W_pos = randn(rng, n_ctx * d_model);
    // Only even tokens occur: odd vocabulary rows must come out as zeros.
    const tokens = Uint32Array.from({ length: batch * n_ctx }, () => 2 * rng.int(Math.ceil(d_vocab / 2)));
    const s = { batch, n_ctx, d_model };
    const x0 = out(g, batch * n_ctx * d_model);
    const tok = createTensor(g, 'u32', [tokens.length], tokens);
    submit(g, [gpu.embedGather(k, f32(g, W_E), f32(g, W_pos), tok, s, x0)]);
    expectClose(await readF32(g, x0), cpu.embedGather(W_E, W_pos, tokens, s), 1e-7);

    const dx0 = randn(rng, batch * n_ctx * d_model);
    const idx = cpu.tokenIndex(tokens, d_vocab);
    const dW = out(g, d_vocab * d_model);
    const index = { starts: createTensor(g, 'u32', [idx.starts.length], idx.starts), rows: createTensor(g, 'u32', [idx.rows.length], idx.rows) };
    submit(g, [gpu.embedScatterAdd(k, f32(g, dx0), index, { d_vocab, d_model }, dW)]);
    const want = cpu.embedScatterAdd(dx0, idx, { d_vocab, d_model });
    expectClose(await readF32(g, dW), want, 1e-5 * Math.sqrt(batch));
    expect(want.subarray(d_model, 2 * d_model).every((x) => x === 0) || d_vocab < 2).toBe(true);
  });

  it('tokenIndex rejects a token outside the vocabulary', () => {
    expect(() => cpu.tokenIndex([0, 5], 5)).toThrow(/key 5 at 1 outside 0..4/);
  });
});

describe('attention', () => {
  const shapes: [number, number, number, number, number, 'sum' | 'mean'][] = [
    [1, 2, 1, 1, 0, 'sum'], [59, 2, 4, 32, 1, 'mean'], [7, 3, 3, 3, 0.3, 'sum'], [33, 3, 1, 5, 0.3, 'mean'], [10, 2, 2, 8, 0, 'mean'], [3, 2, 4, 32, 1, 'sum'],
  ];
  it.each(shapes)('forward and backward: batch %i n_ctx %i heads %i d_head %i α %f %s', async (batch, n_ctx, n_heads, d_head, attention_rate, convention) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch * 31 + n_heads);
    const s = { batch, n_ctx, n_heads, d_head, attention_rate, convention };
    const len = n_heads * batch * n_ctx * d_head;
    const [q, kk, v] = [randn(rng, len), randn(rng, len), randn(rng, len)];
    const z = out(g, batch * n_heads * d_head);
    const pattern = out(g, batch * n_heads * n_ctx);
    const [qt, kt, vt] = [f32(g, q), f32(g, kk), f32(g, v)];
    submit(g, [gpu.attention(k, qt, kt, vt, s, z, pattern)]);
    const want = cpu.attention(q, kk, v, s);
    expectClose(await readF32(g, z), want.z, 1e-5);
    expectClose(await readF32(g, pattern), want.pattern, 1e-6);

    const dz = randn(rng, batch * n_heads * d_head);
    const [dq, dk, dv] = [out(g, len), out(g, len), out(g, len)];
    submit(g, [gpu.attentionBackward(k, f32(g, dz), qt, kt, vt, pattern, s, dq, dk, dv)]);
    const wantB = cpu.attentionBackward(dz, q, kk, v, want.pattern, s);
    expectClose(await readF32(g, dq), wantB.dq, 1e-5, 1e-6);
    expectClose(await readF32(g, dk), wantB.dk, 1e-5, 1e-6);
    expectClose(await readF32(g, dv), wantB.dv, 1e-5, 1e-6);
  });

  it('the CPU backward matches central finite differences of the CPU forward', () => {
    const s = { batch: 2, n_ctx: 3, n_heads: 2, d_head: 3, attention_rate: 0.6, convention: 'mean' as const };
    const rng = new Rng(9);
    const len = 2 * 2 * 3 * 3;
    const [q, kk, v] = [randn(rng, len), randn(rng, len), randn(rng, len)].map((a) => Float64Array.from(a));
    const dz = Float64Array.from(randn(rng, 2 * 2 * 3));
    const objective = (qq: Float64Array, k2: Float64Array, vv: Float64Array) => cpu.attention(qq, k2, vv, s).z.reduce((acc, x, i) => acc + x * dz[i], 0);
    const grads = cpu.attentionBackward(dz, q, kk, v, cpu.attention(q, kk, v, s).pattern, s);
    const h = 1e-6;
    for (const [which, g] of [[0, grads.dq], [1, grads.dk], [2, grads.dv]] as const) {
      for (let i = 0; i < len; i++) {
        const plus = [q, kk, v].map((a) => a.slice());
        const minus = [q, kk, v].map((a) => a.slice());
        plus[which][i] += h;
        minus[which][i] -= h;
        const fd = (objective(plus[0], plus[1], plus[2]) - objective(minus[0], minus[1], minus[2])) / (2 * h);
        expect(Math.abs(g[i] - fd)).toBeLessThan(1e-7);
      }
    }
  });
});

describe('activation', () => {
  it.each(['relu', 'gelu'] as const)('%s forward and backward, including exact zeros and large inputs', async (act) => {
    const { g, k } = await testGpu();
    const rng = new Rng(act.length);
    const pre = Float32Array.from([0, -0, 1e-30, -1e-30, 9, -9, 40, -40, ...randn(rng, 1000, 3)]);
    const dpost = randn(rng, pre.length);
    const n = pre.length;
    const post = out(g, n);
    const dpre = out(g, n);
    const pt = f32(g, pre);
    submit(g, [gpu.activation(k, pt, act, n, post), gpu.activationBackward(k, pt, f32(g, dpost), act, n, dpre)]);
    // GeLU's erf approximation in WGSL is good to 1.5e-7 absolute.
    expectClose(await readF32(g, post), cpu.activation(pre, act, n), 1e-7, 1e-6);
    expectClose(await readF32(g, dpre), cpu.activationBackward(pre, dpost, act, n), 1e-7, 1e-6);
  });

  it('the float64 erf is accurate', () => {
    // Reference values of erf to 16 digits.
    const ref: [number, number][] = [[0.1, 0.1124629160182849], [1, 0.8427007929497149], [2.5, 0.9995930479825550], [3.5, 0.9999992569016276], [-1.5, -0.9661051464753108]];
    for (const [x, want] of ref) expect(Math.abs(cpu.erf(x) - want)).toBeLessThan(1e-14);
  });
});

describe('softmax cross-entropy', () => {
  it.each([[1, 1, 1], [7, 7, 7], [59, 59, 59], [13, 118, 59]])('batch %i d_vocab_out %i p %i', async (batch, V, p) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch * V);
    const logits = randn(rng, batch * V, 3);
    const labels = Uint32Array.from({ length: batch }, () => rng.int(p));
    if (batch > 2 && V > 1) {
      // A row with a huge margin (loss ≈ 1e-9, far below float32's resolution of log-softmax) and a tie.
      logits.fill(0, 0, V);
      logits[labels[0]] = 21;
      logits.fill(1, V, 2 * V);
    }
    const s = { batch, d_vocab_out: V, p, scale: 1 / batch };
    const [loss, dlogits, correct] = [out(g, batch), out(g, batch * V), out(g, batch)];
    submit(g, [gpu.softmaxCrossEntropy(k, f32(g, logits), createTensor(g, 'u32', [batch], labels), s, loss, dlogits, correct)]);
    const want = cpu.softmaxCrossEntropy(logits, labels, s);
    const got = await readF32(g, loss);
    // Relative accuracy per row, small losses included.
    for (let b = 0; b < batch; b++) expect(Math.abs(got[b] - want.loss[b])).toBeLessThanOrEqual(2e-6 * want.loss[b] + 1e-12);
    expectClose(await readF32(g, dlogits), want.dlogits, 1e-5, 1e-12);
    expect(Array.from(await readF32(g, correct))).toEqual(Array.from(want.correct));
  });
});

describe('adamw', () => {
  it.each([1, 63, 1000])('ten steps over %i parameters with warm-up, decay and bias correction', async (n) => {
    const { g, k } = await testGpu();
    const rng = new Rng(n);
    const p0 = randn(rng, n);
    const [pt, mt, vt, hyper]: GpuTensor[] = [f32(g, p0), createTensor(g, 'f32', [n]), createTensor(g, 'f32', [n]), createTensor(g, 'f32', [8])];
    const [p, m, v] = [Float64Array.from(p0), new Float64Array(n), new Float64Array(n)];
    for (let step = 1; step <= 10; step++) {
      const grad = randn(rng, n);
      const h = { lr: 1e-3 * Math.min(1, step / 3), beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step };
      const gt = f32(g, grad);
      g.device.queue.writeBuffer(hyper.buffer, 0, cpu.adamwHyper(h));
      submit(g, [gpu.adamw(k, pt, gt, mt, vt, hyper, n)]);
      cpu.adamw(p, grad, m, v, h);
    }
    expectClose(await readF32(g, pt), p, 1e-6, 1e-7);
    expectClose(await readF32(g, mt), m, 1e-5, 1e-7);
    expectClose(await readF32(g, vt), v, 1e-5, 1e-9);
  });
});
