// Embedding and attention beyond the parity sweep in parity.test.ts: the CPU twins against closed forms
// (the scatter-add is the exact adjoint of the gather; the backward is the derivative of the forward along
// random directions, over the whole α × convention grid), and the kernels at the real size, at saturated
// softmaxes, and run twice for bitwise determinism.
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import type { Gpu } from '../../src/gpu/device.js';
import type { AttentionConvention } from '../../src/model/config.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

const f64 = (rng: Rng, n: number, scale = 1) => Float64Array.from(randn(rng, n, scale));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const axpy = (x: Float64Array, t: number, d: Float64Array) => x.map((xi, i) => xi + t * d[i]);
const poisoned = (g: Gpu, n: number) => {
  const t = createTensor(g, 'f32', [n]);
  poison(g, t);
  return t;
};

describe('tokenIndex', () => {
  it('lists every row once, in increasing order, under its token; absent tokens get empty lists', () => {
    const rng = new Rng(3);
    const d_vocab = 59;
    // Tokens below 40 only, and token 7 never: rows 40..58 and 7 must be empty.
    const tokens = Uint32Array.from({ length: 500 }, () => {
      const t = rng.int(39);
      return t >= 7 ? t + 1 : t;
    });
    const { starts, rows } = cpu.tokenIndex(tokens, d_vocab);
    expect(starts.length).toBe(d_vocab + 1);
    expect(starts[0]).toBe(0);
    expect(starts[d_vocab]).toBe(tokens.length);
    expect(starts[8]).toBe(starts[7]);
    expect(starts[40]).toBe(starts[d_vocab]);
    const seen = new Set<number>();
    for (let v = 0; v < d_vocab; v++) {
      for (let i = starts[v]; i < starts[v + 1]; i++) {
        expect(tokens[rows[i]]).toBe(v);
        if (i > starts[v]) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
        seen.add(rows[i]);
      }
    }
    expect(seen.size).toBe(tokens.length);
  });
});

describe('embedding (closed forms)', () => {
  it('the scatter-add is the adjoint of the gather: <scatter(dx0), D> = <dx0, gather(D, 0)>', () => {
    const rng = new Rng(11);
    const [batch, n_ctx, d_vocab, d_model] = [17, 3, 7, 5];
    const tokens = Uint32Array.from({ length: batch * n_ctx }, () => rng.int(d_vocab - 1)); // token 6 never occurs
    const dx0 = f64(rng, batch * n_ctx * d_model);
    const D = f64(rng, d_vocab * d_model);
    const dW = cpu.embedScatterAdd(dx0, cpu.tokenIndex(tokens, d_vocab), { rows: batch * n_ctx, d_vocab, d_model });
    const gathered = cpu.embedGather(D, new Float64Array(n_ctx * d_model), tokens, { batch, n_ctx, d_model });
    expect(Math.abs(dot(dW, D) - dot(dx0, gathered))).toBeLessThan(1e-12 * dx0.length);
    expect(dW.subarray(6 * d_model).every((x) => x === 0)).toBe(true);
  });
});

describe('embedding (GPU)', () => {
  it.each([[7, 1, 2, 3], [59, 3481, 3, 128], [60, 3481, 3, 128]])('d_vocab %i batch %i n_ctx %i d_model %i: parity, never-seen rows exactly zero, bitwise repeatable', async (d_vocab, batch, n_ctx, d_model) => {
    const { g, k } = await testGpu();
    const rng = new Rng(d_vocab * 7 + batch);
    // The last vocabulary row appears at every last position (like '='), row 1 never: a long list and an empty one.
    const tokens = Uint32Array.from({ length: batch * n_ctx }, (_, r) => {
      if (r % n_ctx === n_ctx - 1 && n_ctx === 3) return d_vocab - 1;
      const t = rng.int(d_vocab - 1);
      return t === 1 ? 0 : t;
    });
    const s = { batch, n_ctx, d_model };
    const W_E = randn(rng, d_vocab * d_model);
    const W_pos = randn(rng, n_ctx * d_model);
    const x0 = poisoned(g, batch * n_ctx * d_model);
    const tok = createTensor(g, 'u32', [tokens.length], tokens);
    submit(g, [gpu.embedGather(k, createTensor(g, 'f32', [W_E.length], W_E), createTensor(g, 'f32', [W_pos.length], W_pos), tok, s, x0)]);
    expectClose(await readF32(g, x0), cpu.embedGather(W_E, W_pos, tokens, s), 1e-7, 0);

    const idx = cpu.tokenIndex(tokens, d_vocab);
    const index = { starts: createTensor(g, 'u32', [idx.starts.length], idx.starts), rows: createTensor(g, 'u32', [idx.rows.length], idx.rows) };
    const dx0 = randn(rng, batch * n_ctx * d_model);
    const dx0t = createTensor(g, 'f32', [dx0.length], dx0);
    const shape = { rows: batch * n_ctx, d_vocab, d_model };
    const runs: Float32Array[] = [];
    for (let run = 0; run < 2; run++) {
      const dW = poisoned(g, d_vocab * d_model);
      submit(g, [gpu.embedScatterAdd(k, dx0t, index, shape, dW)]);
      runs.push(await readF32(g, dW));
    }
    // Longest list is `batch` rows of unit normals: float32 error grows like √batch.
    expectClose(runs[0], cpu.embedScatterAdd(dx0, idx, shape), 1e-6 * Math.sqrt(batch), 1e-6);
    expect(runs[0].subarray(d_model, 2 * d_model).every((x) => x === 0)).toBe(true);
    expect(Buffer.from(runs[1].buffer).equals(Buffer.from(runs[0].buffer))).toBe(true);
  });

  it('refuses an index built for another vocabulary', async () => {
    const { g, k } = await testGpu();
    const idx = cpu.tokenIndex([0, 1, 2], 3);
    const index = { starts: createTensor(g, 'u32', [idx.starts.length], idx.starts), rows: createTensor(g, 'u32', [3], idx.rows) };
    const t = createTensor(g, 'f32', [64]);
    expect(() => gpu.embedScatterAdd(k, t, index, { rows: 3, d_vocab: 4, d_model: 2 }, t)).toThrow(/index.starts has 4 entries, d_vocab 4 needs 5/);
    // x shorter than its rows, and rows beyond them in the index (the CPU twin checks the index itself).
    expect(() => gpu.embedScatterAdd(k, createTensor(g, 'f32', [5]), index, { rows: 3, d_vocab: 3, d_model: 2 }, t)).toThrow(/embedScatterAdd: x \[5\] holds 5 elements, the shape needs 6/);
    expect(() => cpu.embedScatterAdd(new Float64Array(4), idx, { rows: 2, d_vocab: 3, d_model: 2 })).toThrow(/index row 2 outside x's 2 rows/);
  });
});

const GRID: [number, AttentionConvention][] = [0, 0.3, 1].flatMap((a) => (['sum', 'mean'] as const).map((c): [number, AttentionConvention] => [a, c]));

describe('attentionBackward (CPU) is the derivative of attention (CPU)', () => {
  // [batch, n_ctx, n_heads, d_head]
  const shapes: [number, number, number, number][] = [[1, 2, 1, 1], [3, 3, 4, 3], [2, 3, 1, 32], [2, 2, 4, 5]];
  const cases = GRID.flatMap(([a, c]) => shapes.map((sh) => [...sh, a, c] as const));
  it.each(cases)('batch %i n_ctx %i heads %i d_head %i α %f %s, central differences along random directions', (batch, n_ctx, n_heads, d_head, attention_rate, convention) => {
    const s = { batch, n_ctx, n_heads, d_head, attention_rate, convention };
    const rng = new Rng(batch * 1000 + n_ctx * 100 + n_heads * 10 + d_head + attention_rate * 7);
    const len = n_heads * batch * n_ctx * d_head;
    // Scores of order a few units, so the softmax is neither flat nor saturated.
    const [q, k, v] = [f64(rng, len, 1.5), f64(rng, len, 1.5), f64(rng, len)];
    const dz = f64(rng, batch * n_heads * d_head);
    const { dq, dk, dv } = cpu.attentionBackward(dz, q, k, v, cpu.attention(q, k, v, s).pattern, s);
    // dq is exactly zero away from the last position.
    for (let r = 0; r < n_heads * batch * n_ctx; r++) {
      if (r % n_ctx !== n_ctx - 1) expect(dq.subarray(r * d_head, (r + 1) * d_head).every((x) => x === 0)).toBe(true);
    }
    const f = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => dot(cpu.attention(qq, kk, vv, s).z, dz);
    const h = 1e-5;
    for (let trial = 0; trial < 3; trial++) {
      const [Dq, Dk, Dv] = [f64(rng, len), f64(rng, len), f64(rng, len)];
      // Each input alone, then all three together.
      const dirs: [Float64Array, Float64Array, Float64Array][] = [
        [Dq, new Float64Array(len), new Float64Array(len)],
        [new Float64Array(len), Dk, new Float64Array(len)],
        [new Float64Array(len), new Float64Array(len), Dv],
        [Dq, Dk, Dv],
      ];
      for (const [a, b, c] of dirs) {
        const fd = (f(axpy(q, h, a), axpy(k, h, b), axpy(v, h, c)) - f(axpy(q, -h, a), axpy(k, -h, b), axpy(v, -h, c))) / (2 * h);
        const analytic = dot(dq, a) + dot(dk, b) + dot(dv, c);
        expect(Math.abs(analytic - fd)).toBeLessThan(1e-7 * (1 + Math.abs(analytic)));
      }
    }
  });
});

describe('attention (GPU)', () => {
  const run = async (s: cpu.AttentionShape, q: Float32Array, kk: Float32Array, v: Float32Array, dz: Float32Array) => {
    const { g, k } = await testGpu();
    const len = q.length;
    const [qt, kt, vt] = [q, kk, v].map((a) => createTensor(g, 'f32', [len], a));
    const z = poisoned(g, s.batch * s.n_heads * s.d_head);
    const pattern = poisoned(g, s.batch * s.n_heads * s.n_ctx);
    const [dq, dk, dv] = [poisoned(g, len), poisoned(g, len), poisoned(g, len)];
    const dzt = createTensor(g, 'f32', [dz.length], dz);
    submit(g, [gpu.attention(k, qt, kt, vt, s, z, pattern), gpu.attentionBackward(k, dzt, qt, kt, vt, pattern, s, dq, dk, dv)]);
    return { z: await readF32(g, z), pattern: await readF32(g, pattern), dq: await readF32(g, dq), dk: await readF32(g, dk), dv: await readF32(g, dv) };
  };
  const compare = (got: Awaited<ReturnType<typeof run>>, q: Float32Array, kk: Float32Array, v: Float32Array, dz: Float32Array, s: cpu.AttentionShape, rtol: number) => {
    const want = cpu.attention(q, kk, v, s);
    const wantB = cpu.attentionBackward(dz, q, kk, v, want.pattern, s);
    expectClose(got.z, want.z, rtol, 1e-6);
    expectClose(got.pattern, want.pattern, rtol, 1e-7);
    expectClose(got.dq, wantB.dq, rtol, 1e-6);
    expectClose(got.dk, wantB.dk, rtol, 1e-6);
    expectClose(got.dv, wantB.dv, rtol, 1e-6);
  };

  // The α × convention grid runs at small shapes in parity.test.ts; here the indexing at the real size.
  it.each([[0.3, 'sum'], [1, 'mean']] as const)('real size (batch 3481, n_ctx 3, 4 heads of 32), α %f %s', async (attention_rate, convention) => {
    const s = { batch: 3481, n_ctx: 3, n_heads: 4, d_head: 32, attention_rate, convention };
    const rng = new Rng(3481 + attention_rate * 10 + convention.length);
    const len = 4 * 3481 * 3 * 32;
    const [q, kk, v, dz] = [randn(rng, len), randn(rng, len), randn(rng, len), randn(rng, 3481 * 4 * 32)];
    compare(await run(s, q, kk, v, dz), q, kk, v, dz, s, 1e-5);
  });

  it('saturated softmax (scores in the hundreds) stays finite and matches', async () => {
    const s = { batch: 9, n_ctx: 3, n_heads: 2, d_head: 32, attention_rate: 0.3, convention: 'mean' as const };
    const rng = new Rng(5);
    const len = 2 * 9 * 3 * 32;
    const [q, kk, v, dz] = [randn(rng, len, 20), randn(rng, len, 20), randn(rng, len), randn(rng, 9 * 2 * 32)];
    const got = await run(s, q, kk, v, dz);
    for (const a of Object.values(got)) expect(a.every(Number.isFinite)).toBe(true);
    // Scores carry float32 rounding of order 1e-7·400 into the exponent; relative 1e-4 covers it.
    compare(got, q, kk, v, dz, s, 1e-4);
  });

  it('refuses n_ctx beyond the kernel limit and tensors smaller than the shape', async () => {
    const { g, k } = await testGpu();
    const t = createTensor(g, 'f32', [64]);
    const s = { batch: 1, n_ctx: 5, n_heads: 1, d_head: 1, attention_rate: 1, convention: 'sum' as const };
    expect(() => gpu.attention(k, t, t, t, s, t, t)).toThrow(/n_ctx 5 exceeds/);
    const s2 = { ...s, batch: 4, n_ctx: 3, n_heads: 2 }; // q, k, v and pattern need 24, z 8
    const small = createTensor(g, 'f32', [23]);
    expect(() => gpu.attention(k, t, t, t, s2, t, t)).not.toThrow();
    expect(() => gpu.attention(k, t, t, small, s2, t, t)).toThrow(/attention: v \[23\] holds 23 elements, the shape needs 24/);
    expect(() => gpu.attentionBackward(k, t, t, t, t, t, s2, t, small, t)).toThrow(/attentionBackward: dk \[23\]/);
  });
});
