// Embedding and attention kernels against their float64 CPU twins over a sweep of awkward shapes,
// outputs poisoned before each run (test/ops/embed_attention.test.ts has the structural checks).
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
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
  it.each([[1, 2, 1, 1], [59 * 59, 2, 59, 128], [13, 3, 8, 5], [5, 3, 60, 33], [6, 2, 7, 36]])('gather and scatter-add: batch %i n_ctx %i d_vocab %i d_model %i', async (batch, n_ctx, d_vocab, d_model) => {
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
    submit(g, [gpu.embedScatterAdd(k, f32(g, dx0), index, { rows: batch * n_ctx, d_vocab, d_model }, dW)]);
    const want = cpu.embedScatterAdd(dx0, idx, { rows: batch * n_ctx, d_vocab, d_model });
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
