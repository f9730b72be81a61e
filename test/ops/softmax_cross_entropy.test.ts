// Cross-entropy kernel against its float64 twin, element by element and relative to each value, so that the
// tiny losses of a well-trained model (SPEC §1) are checked to their own precision, not to float32's 1e-7.
import { describe, expect, it } from 'vitest';
import * as cpu from '../../src/ops/cpu/index.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { testGpu } from '../helpers.js';

/** Rows: a huge margin (loss ≈ 1e-9), all tied, the label tied with another max, a margin far from 0, then random. */
function makeRows(rng: Rng, batch: number, V: number, p: number): { logits: Float32Array; labels: Uint32Array } {
  const logits = new Float32Array(batch * V);
  const labels = Uint32Array.from({ length: batch }, () => rng.int(p));
  for (let b = 0; b < batch; b++) {
    const row = logits.subarray(b * V, (b + 1) * V);
    const y = labels[b];
    for (let c = 0; c < V; c++) row[c] = 3 * rng.normal();
    if (b === 0 && V > 1) {
      row.fill(0);
      row[y] = Math.log((V - 1) / 1e-9);
    } else if (b === 1) {
      row.fill(0.5);
    } else if (b === 2 && V > 1) {
      const other = (y + 1 + rng.int(V - 1)) % V;
      row[y] = row[other] = 10;
    } else if (b === 3) {
      for (let c = 0; c < V; c++) row[c] += 60;
    }
  }
  return { logits, labels };
}

describe('softmax cross-entropy', () => {
  it.each([[13, 59, 53], [5, 7, 5], [4, 1, 1], [65, 118, 59], [1, 113, 113]])('batch %i d_vocab_out %i p %i against float64, relative to each value', async (batch, V, p) => {
    const { g, k } = await testGpu();
    const rng = new Rng(batch * 1000 + V);
    const { logits, labels } = makeRows(rng, batch, V, p);
    const s = { batch, d_vocab_out: V, p, scale: 1 / batch };
    const [loss, dlogits, correct] = [createTensor(g, 'f32', [batch]), createTensor(g, 'f32', [batch, V]), createTensor(g, 'f32', [batch])];
    for (const t of [loss, dlogits, correct]) poison(g, t);
    submit(g, [gpu.softmaxCrossEntropy(k, createTensor(g, 'f32', [batch, V], logits), createTensor(g, 'u32', [batch], labels), s, loss, dlogits, correct)]);
    const want = cpu.softmaxCrossEntropy(logits, labels, s);
    const [gotLoss, gotD, gotCorrect] = [await readF32(g, loss), await readF32(g, dlogits), await readF32(g, correct)];
    // Relative to every value however small: float32 exp is good to (3 + 2|x|) ulp (WGSL), 3e-6 at the
    // huge margin's x ≈ −25 (lavapipe: 1e-6), and sums of up to 118 terms add a few 1e-7.
    for (let b = 0; b < batch; b++) expect(Math.abs(gotLoss[b] - want.loss[b])).toBeLessThanOrEqual(5e-6 * want.loss[b]);
    for (let i = 0; i < batch * V; i++) expect(Math.abs(gotD[i] - want.dlogits[i])).toBeLessThanOrEqual(5e-6 * Math.abs(want.dlogits[i]));
    expect(Array.from(gotCorrect)).toEqual(Array.from(want.correct));
    if (V > 1) {
      // The huge-margin row: ≈ 1e-9, which float32 log-softmax would round to 0 or a multiple of 6e-8.
      expect(want.loss[0]).toBeGreaterThan(0.9e-9);
      expect(want.loss[0]).toBeLessThan(1.1e-9);
      expect(gotLoss[0]).toBeGreaterThan(0);
    }
  });

  it('closed forms: all tied, label tied with the max, one class, first-index argmax over the first p', () => {
    const V = 4;
    const r = cpu.softmaxCrossEntropy([2, 2, 2, 2, 1, 5, 0, 5, 7, 0, 0, 0], [2, 3, 0], { batch: 3, d_vocab_out: V, p: 3, scale: 1 });
    expect(r.loss[0]).toBeCloseTo(Math.log(4), 15);
    expect(Array.from(r.dlogits.subarray(0, 4))).toEqual([0.25, 0.25, -0.75, 0.25]);
    // Row 1: labels 3 ties logit 1 at the max, but 3 ≥ p, so the answer is 1: incorrect.
    expect(r.correct[1]).toBe(0);
    expect(r.loss[1]).toBeCloseTo(Math.log(2 + Math.exp(-4) + Math.exp(-5)), 15);
    expect(r.correct[0]).toBe(0);
    expect(r.correct[2]).toBe(1);
    expect(r.loss[2]).toBeCloseTo(Math.log1p(3 * Math.exp(-7)), 17);
    expect(cpu.softmaxCrossEntropy([3], [0], { batch: 1, d_vocab_out: 1, p: 1, scale: 1 }).loss[0]).toBe(0);
  });

  it('rejects p outside 1..d_vocab_out, a label outside the vocabulary, and tensors smaller than the shape', async () => {
    const { g, k } = await testGpu();
    const t = createTensor(g, 'f32', [4]);
    expect(() => gpu.softmaxCrossEntropy(k, t, t, { batch: 1, d_vocab_out: 4, p: 5, scale: 1 }, t, t, t)).toThrow(/p 5 outside 1..d_vocab_out \(4\)/);
    expect(() => cpu.softmaxCrossEntropy([0, 0], [2], { batch: 1, d_vocab_out: 2, p: 2, scale: 1 })).toThrow(/label 2 of row 0 outside 0..1/);
    const big = createTensor(g, 'f32', [8]);
    expect(() => gpu.softmaxCrossEntropy(k, t, t, { batch: 2, d_vocab_out: 4, p: 4, scale: 1 }, big, big, big)).toThrow(/softmaxCrossEntropy: logits \[4\] holds 4 elements, the shape needs 8/);
  });
});
