import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { fitSplit, mlpStructure, restLogit, splitError } from '../../src/interp/structure.js';
import { makeConfig } from '../../src/model/config.js';
import { forwardCpu } from '../../src/model/cpu_model.js';
import { allPairs } from '../../src/model/inputs.js';
import { initParams, paramSpecs } from '../../src/model/params.js';
import { Rng } from '../../src/util/rng.js';
import { MODEL_A, MODEL_B } from '../helpers.js';

/** max |logits − (ReLU(h)·W_L + D)| over all inputs and logits. */
function logitError(cfg: ReturnType<typeof makeConfig>, params: Parameters<typeof forwardCpu>[1]) {
  const s = mlpStructure(cfg, params);
  const act = forwardCpu(cfg, params, allPairs(cfg));
  const { p, d_mlp, d_vocab_out: V } = cfg;
  let worst = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
    const row = a * p + b;
    for (let c = 0; c < V; c++) {
      let m = restLogit(s, a, b, c);
      for (let i = 0; i < d_mlp; i++) m += act.hook_post[row * d_mlp + i] * s.W_L[i * V + c];
      worst = Math.max(worst, Math.abs(act.logits[row * V + c] - m));
    }
  }
  return { split: splitError(s, act.hook_pre), logits: worst, s, pre: act.hook_pre };
}

describe('mlpStructure', () => {
  it.each([
    ['sum', false, false, 5],
    ['mean', true, false, 7],
    ['sum', false, true, 3],
    ['mean', true, true, 2],
  ] as const)('is exact at α = 0 (%s convention, eq_token %s, diff_vocab %s, p %i), biases included', (conv, eq, dv, p) => {
    const cfg = makeConfig({ p, d_model: 6, n_heads: 2, d_head: 3, d_mlp: 5, attention_rate: 0, attention_convention: conv, eq_token: eq, diff_vocab: dv, d_vocab_out: p + 1 });
    const params = initParams(cfg, p);
    const rng = new Rng(11);
    for (const sp of paramSpecs(cfg)) if (sp.initStd === 0) params[sp.name].forEach((_, i, a) => (a[i] = rng.normal()));
    const e = logitError(cfg, params);
    expect(e.s.exact).toBe(true);
    expect(e.split).toBeLessThan(1e-12);
    expect(e.logits).toBeLessThan(1e-12);
  });

  it('model A splits exactly; model B (α = 1) does not, and says so', () => {
    const a = loadCheckpoint(MODEL_A);
    const ea = logitError(a.cfg, a.params);
    expect(ea.split).toBeLessThan(1e-9);
    expect(ea.logits).toBeLessThan(1e-9);
    const b = loadCheckpoint(MODEL_B);
    const s = mlpStructure(b.cfg, b.params);
    expect(s.exact).toBe(false);
    const pre = forwardCpu(b.cfg, b.params, allPairs(b.cfg)).hook_pre;
    const approx = splitError(s, pre);
    expect(approx).toBeGreaterThan(1e-3);
    // The least-squares split of the real pre-activations does better, and reproduces an exact split.
    expect(splitError(fitSplit(s, pre), pre)).toBeLessThan(approx);
    expect(splitError(fitSplit(ea.s, ea.pre), ea.pre)).toBeLessThan(1e-9);
  });

  it('rejects a hook_pre of the wrong size', () => {
    const cfg = makeConfig({ p: 3, d_model: 4, n_heads: 1, d_mlp: 2, attention_rate: 0, attention_convention: 'sum' });
    expect(() => splitError(mlpStructure(cfg, initParams(cfg, 1)), new Float64Array(5))).toThrow(/expected p²·d_mlp = 18/);
  });
});
