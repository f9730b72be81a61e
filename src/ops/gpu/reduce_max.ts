import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { requireElements } from './util.js';

/** Elements each first-pass thread reads at least, and the most first-pass workgroups (partial maxima). */
const PER_THREAD = 16;
const MAX_GROUPS = 256;

/**
 * Partial maxima the first pass writes for n elements: 0 when one workgroup does it all in one pass
 * (n ≤ 1024), else the size the `partials` scratch tensor needs (at most 256).
 */
export function reduceMaxPartials(n: number): number {
  const g = Math.min(Math.ceil(n / (64 * PER_THREAD)), MAX_GROUPS);
  return g > 1 ? g : 0;
}

function passes(k: KernelRegistry, x: GpuTensor, n: number, out: GpuTensor, partials: GpuTensor | undefined, abs: boolean): Dispatch[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`reduceMax: n ${n} is not a positive integer`);
  requireElements('reduceMax', 'x', x, n);
  const constants = { ABS: +abs };
  const g = reduceMaxPartials(n);
  if (g === 0) return [k.prepare('reduce_max', { tensors: { x, out }, uniforms: { n, groups: 1 }, constants, workgroups: [1] })];
  if (!partials) throw new Error(`reduceMax: n ${n} needs a partials tensor of ${g} elements (reduceMaxPartials)`);
  requireElements('reduceMax', 'partials', partials, g);
  if (partials.buffer === out.buffer || partials.buffer === x.buffer) throw new Error('reduceMax: partials must be a buffer of its own (a dispatch may not read and write one buffer)');
  return [
    k.prepare('reduce_max', { tensors: { x, out: partials }, uniforms: { n, groups: g }, constants, workgroups: [g] }),
    // The partials are already absolute values: the second pass only takes their max.
    k.prepare('reduce_max', { tensors: { x: partials, out }, uniforms: { n: g, groups: 1 }, workgroups: [1] }),
  ];
}

/** out[0] = max_{i<n} x[i], as one or two dispatches (run them in order): shaders/reduce_max.wgsl. */
export function reduceMax(k: KernelRegistry, x: GpuTensor, n: number, out: GpuTensor, partials?: GpuTensor): Dispatch[] {
  return passes(k, x, n, out, partials, false);
}

/** out[0] = max_{i<n} |x[i]|, as one or two dispatches: shaders/reduce_max.wgsl with ABS. */
export function reduceMaxAbs(k: KernelRegistry, x: GpuTensor, n: number, out: GpuTensor, partials?: GpuTensor): Dispatch[] {
  return passes(k, x, n, out, partials, true);
}
