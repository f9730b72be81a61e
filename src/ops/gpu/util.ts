import type { KernelRegistry } from '../../gpu/kernels.js';
import { type GpuTensor, numel, view } from '../../gpu/tensor.js';
import { stackedExtent } from '../cpu/types.js';

/**
 * Throw unless tensor `name` of `op` holds at least n elements. Kernels index by the shape they are given,
 * and WebGPU's robust access would turn an undersized binding into silent garbage rather than an error.
 */
export function requireElements(op: string, name: string, t: GpuTensor, n: number): void {
  if (numel(t.shape) < n) throw new Error(`${op}: ${name} [${t.shape}] holds ${numel(t.shape)} elements, the shape needs ${n}`);
}

/**
 * An ensemble's copies of tensor `name` (src/model/stacked_backend.ts): `models` copies of n elements, model
 * t's at element t·stride. Throw unless the stride is a non-negative integer, an output's copies are apart
 * (a stride of 0 shares an input; shared or overlapping outputs would have the models overwrite each other),
 * and t holds them all.
 */
export function requireStacked(op: string, name: string, t: GpuTensor, models: number, stride: number, n: number, output: boolean): void {
  if (!Number.isInteger(models) || models < 1) throw new Error(`${op}: models ${models} is not a positive integer`);
  if (!Number.isInteger(stride) || stride < 0) throw new Error(`${op}: ${name}'s stride ${stride} is not a non-negative integer`);
  if (output && models > 1 && stride < n) throw new Error(`${op}: ${name}'s ${models} copies overlap (stride ${stride}, ${n} elements each)`);
  requireElements(op, name, t, stackedExtent(models, stride, n));
}

/** Workgroups needed to cover n items at `per` items a workgroup. */
export const groups = (n: number, per: number) => Math.ceil(n / per);

/** Cover `rows` with the y and z workgroup dimensions (y at most 65535, the WebGPU default limit). */
export const rowGroups = (rows: number): [number, number] => [Math.min(rows, 65535), Math.ceil(rows / 65535)];

/**
 * Elementwise kernels loop `for (i = gid.x; i < n; i += num_workgroups.x·64)`: 64 items a workgroup, at
 * most the device's Occupancy.gridWorkgroups (4096, whose 262144 threads fill any GPU, or fewer on a CPU
 * adapter, which pays per workgroup and per invocation).
 */
export const elementwise = (k: Pick<KernelRegistry, 'gridWorkgroups'>, n: number): [number] => [Math.min(groups(n, 64), k.gridWorkgroups)];

/**
 * What a kernel's vec4 view of t (a second, read-only binding of the same buffer, which WebGPU allows)
 * is bound to: t itself when the kernel reads it as vec4, else a never-read stand-in, the buffer's first
 * four elements (always allocated, and offset 0 is always aligned).
 */
export const vec4Alias = (t: GpuTensor, used: boolean): GpuTensor => (used ? t : view(t, 0, [4]));
