import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPU_OCCUPANCY, GPU_OCCUPANCY, gpuDone, settle } from '../src/gpu/device.js';
import { submit } from '../src/gpu/kernels.js';
import { createTensor, readF32 } from '../src/gpu/tensor.js';
import * as gpu from '../src/ops/gpu/index.js';
import { elementwise } from '../src/ops/gpu/util.js';
import { testGpu } from './helpers.js';

describe('kernel registry', () => {
  it('reflects bindings, workgroup size and overrides', async () => {
    const { k } = await testGpu();
    const kern = k.get('column_sum');
    expect(kern.bindings.map((b) => [b.name, b.kind])).toEqual([
      ['params', 'uniform'], ['x', 'read-only-storage'], ['out', 'storage'], ['x4', 'read-only-storage'], ['out4', 'storage'],
    ]);
    expect(kern.workgroupSize).toEqual([64, 1, 1]);
    expect(kern.overrides).toEqual(['ACCUMULATE', 'VEC4']);
  });

  // The device asks for the adapter's maxima, but a kernel past WebGPU's defaults would fail on an adapter
  // that offers only those: 8 storage buffers a stage is what the vec4 views are budgeted against.
  it('every kernel fits WebGPU\'s default of 8 storage buffers a stage', async () => {
    const { k } = await testGpu();
    const names = readdirSync(new URL('../shaders/', import.meta.url)).filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5));
    const over = names.map((n) => [n, k.get(n).bindings.filter((b) => b.kind !== 'uniform').length] as const).filter(([, count]) => count > 8);
    expect(names.length).toBeGreaterThan(10);
    expect(over).toEqual([]);
  });

  it('rejects a missing, extra, mistyped or undersized binding at prepare time', async () => {
    const { g, k } = await testGpu();
    const x = createTensor(g, 'f32', [4, 4]);
    const out = createTensor(g, 'f32', [4]);
    // The vec4 views, bound as the scalar path binds them.
    const views = { x4: createTensor(g, 'f32', [4]), out4: createTensor(g, 'f32', [4]) };
    const uniforms = { batch: 1, rows: 4, cols: 4, strideX: 16, strideOut: 4, splits: 1, chunk: 4 };
    expect(() => k.prepare('column_sum', { tensors: { x, ...views }, uniforms, workgroups: [1] })).toThrow(/'out' is not bound/);
    expect(() => k.prepare('column_sum', { tensors: { x, out, ...views, y: out }, uniforms, workgroups: [1] })).toThrow(/no binding named y/);
    expect(() => k.prepare('column_sum', { tensors: { x, out: createTensor(g, 'u32', [4]), ...views }, uniforms, workgroups: [1] })).toThrow(/array<f32> but the tensor is u32/);
    expect(() => k.prepare('column_sum', { tensors: { x, out, ...views }, uniforms: { batch: 1, rows: 4, strideX: 16, strideOut: 4, splits: 1, chunk: 4 }, workgroups: [1] })).toThrow(/'params.cols' not given/);
    expect(() => k.prepare('column_sum', { tensors: { x, out, ...views }, uniforms: { ...uniforms, depth: 1 }, workgroups: [1] })).toThrow(/no member depth/);
    expect(() => k.prepare('column_sum', { tensors: { x, out, ...views }, uniforms, constants: { TILE: 2 }, workgroups: [1] })).toThrow(/no override constant 'TILE'/);
    expect(() => k.prepare('column_sum', { tensors: { x, out, ...views }, uniforms, workgroups: [1e9] })).toThrow(/maxComputeWorkgroupsPerDimension/);
  });
});

describe('grid-stride launches', () => {
  it('cap an elementwise kernel at the device\'s workgroup budget, and every item is still computed once', async () => {
    const { g, k } = await testGpu();
    const [cpu, gpuCap] = [CPU_OCCUPANCY, GPU_OCCUPANCY];
    expect(elementwise(cpu, 1)).toEqual([1]);
    expect(elementwise(cpu, 64 * 256)).toEqual([256]);
    expect(elementwise(cpu, 64 * 256 + 1)).toEqual([256]);
    expect(elementwise(gpuCap, 64 * 256 + 1)).toEqual([257]);
    // Lavapipe is a fallback (CPU) adapter: there the cap is the small one, and each invocation loops.
    if (/llvmpipe/i.test(g.adapter.info.device + g.adapter.info.description)) expect(g.occupancy).toEqual(CPU_OCCUPANCY);
    const n = 64 * k.gridWorkgroups * 3 + 7;
    const pre = Float32Array.from({ length: n }, (_, i) => (i % 5) - 2 + i / n);
    const out = createTensor(g, 'f32', [n]);
    const d = gpu.activation(k, createTensor(g, 'f32', [n], pre), 'relu', n, out);
    expect(d.workgroups).toEqual([k.gridWorkgroups, 1, 1]);
    submit(g, [d]);
    expect(Array.from(await readF32(g, out))).toEqual(Array.from(pre, (x) => Math.max(x, 0)));
  });
});

describe('waiting on the GPU', () => {
  const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('gpuDone settles as its promise does, and one sleeping loop serves every pending wait', async () => {
    const { g } = await testGpu();
    const late = new Promise<number>((resolve) => setTimeout(() => resolve(2), 20));
    const waits = [gpuDone(g, Promise.resolve(1)), gpuDone(g, late)];
    expect(g.poll).toMatchObject({ pending: 2, sleeping: true });
    expect(await Promise.all(waits)).toEqual([1, 2]);
    await expect(gpuDone(g, Promise.reject(new Error('device lost')))).rejects.toThrow('device lost');
    await turn();
    expect(g.poll).toEqual({ pending: 0, sleeping: false, sliceMs: 0.5 });
  });

  it('a short expected wait sleeps short slices, and the loop goes back to its own after', async () => {
    const { g, k } = await testGpu();
    const x = createTensor(g, 'f32', [4096], Float32Array.from({ length: 4096 }, (_, i) => i - 2048));
    const out = createTensor(g, 'f32', [4096]);
    submit(g, [gpu.activation(k, x, 'relu', 4096, out)]);
    const waiting = settle(g, 1);
    expect(g.poll.sliceMs).toBe(0.05);
    await waiting;
    expect(Array.from(await readF32(g, out))).toEqual(Array.from({ length: 4096 }, (_, i) => Math.max(i - 2048, 0)));
    await turn();
    expect(g.poll).toEqual({ pending: 0, sleeping: false, sliceMs: 0.5 });
  });
});
