// Invalid configs are rejected before anything is dispatched, with the field and the limit named.
import { describe, expect, it } from 'vitest';
import { makeConfig, validateConfig } from '../../src/model/config.js';
import { GpuModel } from '../../src/model/gpu_model.js';
import { allPairs } from '../../src/model/inputs.js';
import { paramLayout } from '../../src/model/params.js';
import { testGpu } from '../helpers.js';

const base = { p: 7, d_model: 8, n_heads: 2, d_mlp: 4, attention_rate: 0, attention_convention: 'mean' as const };

describe('model config validation', () => {
  it.each([
    [{ p: 1 }, /p = 1 must be an integer ≥ 2/],
    [{ p: 5.5 }, /p = 5.5 must be an integer ≥ 2/],
    [{ d_mlp: 0 }, /d_mlp = 0 must be an integer ≥ 1/],
    [{ n_heads: 0 }, /n_heads = 0 must be an integer ≥ 1/],
    [{ attention_rate: 1.5 }, /attention_rate = 1.5 must lie in \[0, 1\]/],
    [{ attention_convention: 'softmax' }, /attention_convention = "softmax" must be 'sum' or 'mean'/],
  ])('%o', (patch, msg) => {
    expect(() => makeConfig({ ...base, ...(patch as object) })).toThrow(msg);
  });

  it("rejects sizes beyond the device's limits by name, before building anything", async () => {
    const { g, k } = await testGpu();
    const huge = makeConfig({ ...base, p: 1009, d_mlp: 20_000 });
    expect(() => validateConfig(huge, g.device.limits)).toThrow(/d_mlp = 20000 needs a \d+-byte activation buffer .* maxStorageBufferBindingSize of \d+/);
    expect(() => new GpuModel(g, k, huge, paramLayout(huge), allPairs(huge))).toThrow(/maxStorageBufferBindingSize/);
  });
});
