// Pinned facts about Zhong et al.'s models (issue 4): model A is a pizza, model B a clock.
import { describe, expect, it } from 'vitest';
import { evaluateCpu, evaluateGpu, scoreLogits } from '../../src/interp/evaluate.js';
import { clusters, neuronFourier } from '../../src/interp/fourier.js';
import { distanceIrrelevance, gradientSymmetricity } from '../../src/interp/pizza_clock.js';
import { fve, replacements } from '../../src/interp/replacement.js';
import { mlpStructure } from '../../src/interp/structure.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { MODEL_A, MODEL_B, expectClose, testGpu } from '../helpers.js';

describe('model A (pizza) and model B (clock)', () => {
  it('model A: 100 % accuracy and loss ≈ 1.4e-7 on the GPU and the CPU; pizza by both metrics', async () => {
    const ck = loadCheckpoint(MODEL_A);
    const cpu = evaluateCpu(ck.cfg, ck.params);
    const { g, k } = await testGpu();
    const gpu = await evaluateGpu(g, k, ck.cfg, ck.params);
    for (const e of [cpu, gpu]) {
      expect(e.accuracy).toBe(1);
      expect(e.loss).toBeGreaterThan(1.2e-7);
      expect(e.loss).toBeLessThan(1.6e-7);
    }
    expectClose(gpu.logits, cpu.logits, 1e-5, 0);
    expectClose(gpu.hookPre, cpu.hookPre, 1e-5, 0);
    expect(scoreLogits(ck.cfg, cpu.logits)).toEqual({ accuracy: cpu.accuracy, loss: cpu.loss });
    expect(distanceIrrelevance(ck.cfg, cpu.logits)).toBeLessThan(0.3);
    expect(gradientSymmetricity(ck.cfg, ck.params)).toBeGreaterThan(0.95);

    // Replacements: the idealisation keeps the accuracy; adding the 2k components and offsets explains
    // nearly all of the MLP's logits.
    const s = mlpStructure(ck.cfg, ck.params);
    const nf = neuronFourier(s);
    const r = replacements(ck.cfg, s, nf, clusters(nf), cpu);
    expect(r.ideal.accuracy).toBe(1);
    expect(r.integral.accuracy).toBe(1);
    expect(r.secondary.accuracy).toBe(1);
    expect(r.ideal.fve_mlp).toBeGreaterThan(0.8);
    expect(r.secondary.fve_mlp).toBeGreaterThan(0.99);
    expect(r.secondary.fve_mlp).toBeGreaterThan(r.ideal.fve_mlp);
  });

  it('model B reads as a clock by both metrics', () => {
    const ck = loadCheckpoint(MODEL_B);
    const e = evaluateCpu(ck.cfg, ck.params);
    expect(e.accuracy).toBe(1);
    expect(distanceIrrelevance(ck.cfg, e.logits)).toBeGreaterThan(0.7);
    expect(gradientSymmetricity(ck.cfg, ck.params)).toBeLessThan(0.7);
  });

  it('fve: 1 for a perfect fit, 0 for a row-constant guess, row constants ignored', () => {
    const y = [1, 2, 3, 10, 0, -1];
    expect(fve(3, 3, y, y.map((v, i) => v + (i < 3 ? 5 : -2)))).toBeCloseTo(1, 12);
    expect(fve(3, 3, y, [7, 7, 7, 1, 1, 1])).toBeCloseTo(0, 12);
  });
});
