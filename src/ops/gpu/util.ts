import type { KernelRegistry } from '../../gpu/kernels.js';
import { type GpuTensor, numel } from '../../gpu/tensor.js';
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

/** A reduction's `length` terms in `splits` pieces of `chunk` (the last may be shorter); splits = 1 is all of them. */
export interface Split { splits: number; chunk: number }

/**
 * Only a long reduction splits (the batch; a width from 1024 up): the sum of the pieces is one more dependent
 * dispatch (about 3–10 µs on a GPU, 0.05–0.1 ms on lavapipe), which a shorter one does not win back.
 * Measured alone on lavapipe (2 cores, so 4 pieces), the product 128×59×K transA: K = 512, 0.51 ms whole and
 * 0.58 split; K = 1024, 0.98 and 0.84; K = 2785, 2.67 and 1.88.
 */
const MIN_SPLIT = 1024;

/**
 * The fewest terms a piece keeps: its partial sums (written, then read once by column_sum) cost about what
 * 2–8 of its terms do (on lavapipe a load or store costs 4–8 multiply-adds: npm run bench --only ceiling),
 * so 64 keeps that overhead near 10 % at worst.
 */
const MIN_CHUNK = 64;

/**
 * How to split a reduction over `length` terms (a product's K, a column sum's rows), run by `perItem`
 * workgroups for each of `items` batch items, so that the device's fillWorkgroups (Occupancy) are busy: as
 * many pieces as fill it, each at least MIN_CHUNK terms, a multiple of `align`; items·splits within WebGPU's
 * 65535 workgroups in a dimension. An ensemble's stacked op passes one model's items, so that it splits as
 * each model would alone and each result stays bit for bit what it is alone (an ensemble too big for the
 * grid then fails when prepared, rather than splitting otherwise).
 */
export function splitReduction(length: number, perItem: number, items: number, fillWorkgroups: number, align: number): Split {
  const whole = { splits: 1, chunk: length };
  if (length < MIN_SPLIT) return whole;
  const wanted = Math.min(Math.ceil(fillWorkgroups / (perItem * items)), Math.floor(65535 / items));
  const chunk = Math.ceil(Math.max(MIN_CHUNK, Math.ceil(length / wanted)) / align) * align;
  return chunk < length ? { splits: Math.ceil(length / chunk), chunk } : whole;
}

/** `n` pieces asked for by a test or a benchmark, any chunk length. */
export function forcedSplit(length: number, n: number, op: string): Split {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: splits must be a positive integer, got ${n}`);
  const chunk = Math.ceil(length / n);
  return { splits: Math.ceil(length / chunk), chunk };
}

/** Workgroups needed to cover n items at `per` items a workgroup. */
export const groups = (n: number, per: number) => Math.ceil(n / per);

/**
 * Elementwise kernels loop `for (i = gid.x; i < n; i += num_workgroups.x·64)`: 64 items a workgroup, at
 * most the device's Occupancy.gridWorkgroups (4096, whose 262144 threads fill any GPU, or fewer on a CPU
 * adapter, which pays per workgroup and per invocation).
 */
export const elementwise = (k: Pick<KernelRegistry, 'gridWorkgroups'>, n: number): [number] => [Math.min(groups(n, 64), k.gridWorkgroups)];

/**
 * Kernels that walk rows `for (r = workgroup_id.y; r < rows; r += num_workgroups.y)` over `x` workgroups of
 * columns: as many rows of workgroups as keep the grid within Occupancy.gridWorkgroups.
 */
export const rowGrid = (k: Pick<KernelRegistry, 'gridWorkgroups'>, x: number, rows: number): [number, number] => [x, Math.min(rows, Math.ceil(k.gridWorkgroups / x))];

/**
 * What a kernel's vec4 view of t (a second, read-only binding of the same buffer, which WebGPU allows) is
 * bound to: t itself when the kernel reads it as vec4, else the registry's unread stand-in.
 */
export const vec4Alias = (k: KernelRegistry, t: GpuTensor, used: boolean): GpuTensor => (used ? t : k.unreadInput());

/**
 * An output's two bindings, [scalar, vec4]: t through the one the kernel writes, and an unused buffer of
 * the registry's through the other (WebGPU forbids two writable bindings of one buffer in a dispatch).
 * `slot` tells a dispatch's unused outputs apart.
 */
export const outputViews = (k: KernelRegistry, t: GpuTensor, vec4: boolean, slot = 0): [GpuTensor, GpuTensor] =>
  (vec4 ? [k.unusedOutput(slot), t] : [t, k.unusedOutput(slot)]);
