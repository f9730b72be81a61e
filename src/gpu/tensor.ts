// GPU tensors: a storage buffer with a dtype and a shape, and the helpers to fill and read them back.
import { type Gpu, Owner, createBuffer, destroyBuffer, gpuDone, throwPendingErrors } from './device.js';

export type DType = 'f32' | 'u32' | 'i32';
export type HostArray = Float32Array | Uint32Array | Int32Array;

export interface GpuTensor {
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Element offset into the buffer (for views into a flat parameter buffer). */
  readonly offset: number;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const ARRAY = { f32: Float32Array, u32: Uint32Array, i32: Int32Array } as const;

function hostView(dtype: DType, buf: ArrayBuffer, n: number): HostArray {
  return new ARRAY[dtype](buf, 0, n);
}

export function dtypeOf(a: HostArray): DType {
  return a instanceof Float32Array ? 'f32' : a instanceof Uint32Array ? 'u32' : 'i32';
}

// Read lazily: GPUBufferUsage exists only once device.ts has installed Dawn's globals.
const usage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * A new tensor; zero-filled unless data is given. Sizes are padded to 4 elements so no binding is empty.
 * Given an Owner (or a Gpu, for a tensor that lives as long as the process or is freed with freeTensor),
 * the owner's dispose() frees it.
 */
export function createTensor(on: Gpu | Owner, dtype: DType, shape: readonly number[], data?: ArrayLike<number>, label?: string): GpuTensor {
  const n = numel(shape);
  if (data && data.length !== n) throw new Error(`createTensor ${label ?? ''}: ${data.length} values for shape [${shape}]`);
  const desc = { label, size: Math.max(16, align4(n) * 4), usage: usage(), mappedAtCreation: !!data };
  const buffer = on instanceof Owner ? on.buffer(desc) : createBuffer(on, desc);
  if (data) {
    hostView(dtype, buffer.getMappedRange(), n).set(data);
    buffer.unmap();
  }
  return { buffer, dtype, shape: [...shape], offset: 0 };
}

/** Free a tensor made without an owner (never a view, nor an owned one: its owner frees it). */
export function freeTensor(g: Gpu, t: GpuTensor): void {
  destroyBuffer(g, t.buffer);
}

const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** A view of `shape` elements starting at element `offset` of another tensor's buffer. */
export function view(t: GpuTensor, offset: number, shape: readonly number[]): GpuTensor {
  if (offset + numel(shape) > t.buffer.size / 4) throw new Error(`view [${shape}] at ${offset} overruns a buffer of ${t.buffer.size / 4} elements`);
  return { buffer: t.buffer, dtype: t.dtype, shape: [...shape], offset };
}

export function upload(g: Gpu, t: GpuTensor, data: ArrayLike<number>): void {
  if (data.length !== numel(t.shape)) throw new Error(`upload: ${data.length} values for shape [${t.shape}]`);
  const host = new ARRAY[t.dtype](data.length);
  host.set(data);
  g.device.queue.writeBuffer(t.buffer, t.offset * 4, host.buffer, host.byteOffset, host.byteLength);
}

/** Fill with NaN (f32) or 0xFFFFFFFF (ints), so a kernel that leaves an element unwritten is caught. */
export function poison(g: Gpu, t: GpuTensor): void {
  const host = new Uint32Array(numel(t.shape)).fill(t.dtype === 'f32' ? 0x7fc00000 : 0xffffffff);
  g.device.queue.writeBuffer(t.buffer, t.offset * 4, host);
}

/** Read a tensor back to the host (waits for all submitted work). */
export async function readback(g: Gpu, t: GpuTensor): Promise<HostArray> {
  const bytes = numel(t.shape) * 4;
  const staging = createBuffer(g, { size: Math.max(16, align4(numel(t.shape)) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = g.device.createCommandEncoder();
    enc.copyBufferToBuffer(t.buffer, t.offset * 4, staging, 0, bytes);
    g.device.queue.submit([enc.finish()]);
    await gpuDone(g, staging.mapAsync(GPUMapMode.READ));
    const out = hostView(t.dtype, staging.getMappedRange(), numel(t.shape)).slice();
    staging.unmap();
    throwPendingErrors(g);
    return out;
  } finally {
    destroyBuffer(g, staging);
  }
}

export async function readF32(g: Gpu, t: GpuTensor): Promise<Float32Array> {
  if (t.dtype !== 'f32') throw new Error(`readF32 on a ${t.dtype} tensor`);
  return (await readback(g, t)) as Float32Array;
}
