import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, parseCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { lossAndGradsCpu } from '../../src/model/cpu_model.js';
import { allPairs } from '../../src/model/inputs.js';
import { paramSpecs } from '../../src/model/params.js';
import { MODEL_A, MODEL_B, tempDir } from '../helpers.js';


describe("Zhong et al.'s checkpoints", () => {
  it('model A (pizza) loads with the sum convention and reproduces its published accuracy and loss', () => {
    const ck = loadCheckpoint(MODEL_A);
    expect(ck.source).toBe('zhong');
    expect(ck.cfg).toMatchObject({ p: 59, d_model: 128, n_heads: 4, d_head: 32, d_mlp: 512, attention_rate: 0, attention_convention: 'sum', act_fn: 'relu', n_ctx: 2 });
    const batch = allPairs(ck.cfg);
    const r = lossAndGradsCpu(ck.cfg, ck.params, batch, { schedule: 'constant' });
    expect(r.correct).toBe(59 * 59);
    expect(r.loss).toBeGreaterThan(1.2e-7);
    expect(r.loss).toBeLessThan(1.6e-7);
  });

  it('model B (clock) loads with attention rate 1', () => {
    const ck = loadCheckpoint(MODEL_B);
    expect(ck.cfg.attention_rate).toBe(1);
  });
});

describe('project checkpoints', () => {
  it('round-trip bit for bit, with the config in the metadata', () => {
    const a = loadCheckpoint(MODEL_A);
    const dir = tempDir('ckpt');
    const path = join(dir, 'model.safetensors');
    saveCheckpoint(path, a.cfg, a.params, { step: '7' });
    const b = loadCheckpoint(path);
    expect(b.source).toBe('project');
    expect(b.cfg).toEqual(a.cfg);
    expect(b.metadata.step).toBe('7');
    for (const s of paramSpecs(a.cfg)) expect(Buffer.from(b.params[s.name].buffer).equals(Buffer.from(a.params[s.name].buffer))).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp file left behind
  });

  it('rejects truncated, non-safetensors and mis-shaped files with a clear error', () => {
    const good = readFileSync(MODEL_A);
    expect(() => parseCheckpoint(good.subarray(0, 5), 'short')).toThrow(/shorter than the 8-byte header/);
    expect(() => parseCheckpoint(good.subarray(0, good.length - 100), 'truncated')).toThrow(/outside the file/);
    expect(() => parseCheckpoint(Buffer.from('not a checkpoint at all'), 'text')).toThrow(/header length|not JSON/);
    const dir = tempDir('ckpt');
    const a = loadCheckpoint(MODEL_A);
    const path = join(dir, 'bad.safetensors');
    const withConfig = (cfg: object) => {
      saveCheckpoint(path, a.cfg, a.params);
      const f = readSafetensors(path);
      writeSafetensors(path, { ...f, metadata: { config: JSON.stringify(cfg) } });
    };
    withConfig({ ...a.cfg, d_mlp: 256 });
    expect(() => loadCheckpoint(path)).toThrow(/blocks\.0\.mlp\.W_in has shape \[128,512\], the config implies \[128,256\]/);
    withConfig({ ...a.cfg, p: 1 });
    expect(() => loadCheckpoint(path)).toThrow(/p = 1 must be an integer ≥ 2/);
    withConfig({ attn_coeff: 0, C: 59, d_model: 128, n_heads: 4, n_layers: 2 });
    expect(() => loadCheckpoint(path)).toThrow(/n_layers = 2; only one-layer models/);
    expect(() => loadCheckpoint(join(dir, 'missing.safetensors'))).toThrow(/cannot read checkpoint/);
  });
});
