// Hostile safetensors files (issue 15): the header validated by its schema, byte ranges tiling the data section
// exactly as the official reader requires, and non-finite weights refused at load with the tensor and index named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, parseCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { MODEL_A, rawSafetensors, tempDir } from '../helpers.js';

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('safetensors header and offsets', () => {
  it.each<[string, unknown, number, RegExp]>([
    ['header null', null, 0, /header: null must be a JSON object/],
    ['a tensor null', { x: null }, 0, /header: x = null must be a tensor entry/],
    ['shape "abc"', { x: { dtype: 'F32', shape: 'abc', data_offsets: [0, 4] } }, 4, /header: x\.shape = "abc" must be an array of integers ≥ 0/],
    ['a negative dimension', { x: f32([-1], 0, 4) }, 4, /x\.shape\[0\] = -1 must be an integer ≥ 0/],
    ['data_offsets missing', { 'blocks.0.x': { dtype: 'F32', shape: [1] } }, 4, /\["blocks\.0\.x"\]\.data_offsets is missing/],
    ['metadata not strings', { __metadata__: { step: 3 } }, 0, /__metadata__\.step = 3 must be a string/],
    ['overlapping offsets', { a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12, /tensor b has data offsets \[4, 12\], overlapping the tensor before it \(which ends at 8\)/],
    ['the same bytes twice', { a: f32([2], 0, 8), b: f32([2], 0, 8) }, 8, /overlapping the tensor before it/],
    ['a gap', { a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12, /tensor b has data offsets \[8, 12\], leaving a gap/],
    ['bytes after the last tensor', { a: f32([1], 0, 4) }, 8, /4 bytes after the last tensor/],
    ['a size that is not dtype × shape', { a: f32([3], 0, 8) }, 8, /tensor a of shape \[3\] F32 needs 12 bytes, has 8/],
    ['offsets past the file', { a: f32([4], 0, 16) }, 8, /outside the file's 8-byte data section/],
  ])('%s: one line naming the file and the problem', (_, header, bytes, msg) => {
    const parse = () => parseSafetensors(rawSafetensors(header, bytes), 'bad.safetensors');
    expect(parse).toThrow(/^bad\.safetensors: not a valid safetensors file: /);
    expect(parse).toThrow(msg);
    try {
      parse();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('tensors in any header order load when their bytes tile the data section', () => {
    const data = rawSafetensors({ b: f32([1], 4, 8), a: f32([1], 0, 4), e: f32([0], 8, 8) }, 8);
    new DataView(data.buffer).setFloat32(data.length - 4, 2.5, true);
    const f = parseSafetensors(data);
    expect(Array.from(f.tensors.b.data as Float32Array)).toEqual([2.5]);
    expect(f.tensors.e.data.length).toBe(0);
  });

  it("the project's writer and Zhong et al.'s files pass the official reader's checks", () => {
    expect(() => parseCheckpoint(readFileSync(MODEL_A), 'model A')).not.toThrow();
    const cfg = makeConfig({ p: 5, d_model: 8, n_heads: 2, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });
    const dir = tempDir('st');
    saveCheckpoint(join(dir, 'm.safetensors'), cfg, initParams(cfg, 0));
    expect(loadCheckpoint(join(dir, 'm.safetensors')).meta).toMatchObject({ version: '1' });
  });
});

describe('non-finite tensors', () => {
  const cfg = makeConfig({ p: 5, d_model: 8, n_heads: 2, d_mlp: 4, attention_rate: 0, attention_convention: 'sum' });

  it.each([[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']])('%s in W_Q is refused at load, naming the tensor and index; allowNonFinite inspects it', (x, shown) => {
    const params = initParams(cfg, 0);
    // W_Q is [n_heads 2, d_model 8, d_head 4]: flat 1·32 + 5·4 + 3 = 55 is [1, 5, 3].
    params['blocks.0.attn.W_Q'][55] = x;
    const dir = tempDir('st');
    const path = join(dir, 'm.safetensors');
    saveCheckpoint(path, cfg, params);
    expect(() => loadCheckpoint(path)).toThrow(`${path}: tensor blocks.0.attn.W_Q holds ${shown} at index [1, 5, 3] (flat 55)`);
    expect(loadCheckpoint(path, { allowNonFinite: true }).params['blocks.0.attn.W_Q'][55]).toBe(x);
  });

  it('F64 tensors are checked too; integer tensors have no non-finite values to check', () => {
    const bytes = Buffer.concat(serializeSafetensors({ metadata: {}, tensors: {
      i: { dtype: 'I32', shape: [1], data: new Int32Array([7]) },
      d: { dtype: 'F64', shape: [2, 2], data: new Float64Array([0, 1, 2, NaN]) },
    } }));
    expect(() => parseSafetensors(bytes, 'f64')).toThrow('f64: tensor d holds NaN at index [1, 1] (flat 3)');
  });
});
