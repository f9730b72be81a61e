// Storage arrays of vec4<f32> (allowed by the kernel conventions): reflected as f32 data, four floats an element.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelRegistry, submit } from '../../src/gpu/kernels.js';
import { createTensor, readF32 } from '../../src/gpu/tensor.js';
import { testGpu, tempDir } from '../helpers.js';

const SHADER = `
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { y[gid.x] = 2.0 * x[gid.x]; }
`;

describe('vec4<f32> bindings', () => {
  it('bind f32 tensors, need at least one whole vec4, and compute', async () => {
    const { g } = await testGpu();
    const dir = tempDir('vec4');
    writeFileSync(join(dir, 'double4.wgsl'), SHADER);
    const k = new KernelRegistry(g, dir);
    expect(k.get('double4').bindings.map((b) => [b.name, b.scalar, b.minBytes])).toEqual([['x', 'f32', 16], ['y', 'f32', 16]]);
    const x = createTensor(g, 'f32', [8], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = createTensor(g, 'f32', [8]);
    submit(g, [k.prepare('double4', { tensors: { x, y }, workgroups: [2] })]);
    expect(Array.from(await readF32(g, y))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(() => k.prepare('double4', { tensors: { x: createTensor(g, 'f32', [3]), y }, workgroups: [1] })).toThrow(/'x' needs at least 16 bytes/);
    expect(() => k.prepare('double4', { tensors: { x: createTensor(g, 'u32', [8]), y }, workgroups: [1] })).toThrow(/'x' is array<f32> but the tensor is u32/);
  });
});
