// Acquire the one WebGPU device of the process through Dawn's Node bindings.
// The GPU object and the adapter are kept referenced for the whole process: if garbage collection takes
// them while the device lives, Dawn crashes at random. That reference is the project's only global state.
import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { dropDawnNoise } from './dawn_noise.js';
import { rowSubgroupSize } from './subgroups.js';

export interface Gpu {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** Errors Dawn reported outside an error scope, rethrown at the next sync point. */
  readonly pendingErrors: string[];
  lost: string | undefined;
  /**
   * s when the subgroups of an (s, 8) workgroup are its rows, lanes in x order (lavapipe: 8, its SIMD
   * width), else undefined: the matmul kernel then shares its loads of A across a subgroup. Probed at start.
   */
  subgroupSize: number | undefined;
  /** What the schedules size their grids by: GPU_OCCUPANCY, or CPU_OCCUPANCY on a CPU adapter (isFallbackAdapter). */
  readonly occupancy: Occupancy;
  /** Buffers created through createBuffer and not yet destroyed, and their bytes: what this process holds on the device. */
  readonly live: { buffers: number; bytes: number };
  /** Promises from Dawn that gpuDone awaits, whether its sleeping loop runs, and the slice it sleeps. */
  readonly poll: { pending: number; sleeping: boolean; sliceMs: number };
}

/** The device's figures a schedule sizes its grids by. */
export interface Occupancy {
  /**
   * The most workgroups a grid-stride kernel (src/ops/gpu/util.ts elementwise) launches. 4096 fills any
   * GPU; a CPU adapter (lavapipe) runs each invocation's setup as work of its own, so there fewer
   * workgroups, each looping over more items, go faster. Measured alone, interleaved, on lavapipe: AdamW
   * over 230k parameters (hyperparameters read once an invocation) 2.3–2.7 ms at 3594 workgroups, 1.1–1.3
   * ms at 256; ReLU's backward over 1.4M, 4.0 and 2.8 ms.
   */
  readonly gridWorkgroups: number;
  /**
   * The workgroups a dispatch needs to keep every core busy: a product with fewer output tiles splits its K
   * (src/ops/gpu/matmul.ts splitK). A GPU: 256, two for each of the 100–150 multiprocessors of a current
   * datacentre GPU (132 on an H200), which WebGPU does not report. A CPU adapter runs a dispatch's
   * workgroups on one thread a core (lavapipe): 4, two for each core of the two-core machine this was
   * measured on. A constant rather than the host's core count, because a split changes the float32
   * summation order: a run must give the same checkpoint on any host with the same kind of adapter.
   */
  readonly fillWorkgroups: number;
}

export const GPU_OCCUPANCY: Occupancy = { gridWorkgroups: 4096, fillWorkgroups: 256 };
export const CPU_OCCUPANCY: Occupancy = { gridWorkgroups: 256, fillWorkgroups: 4 };

let held: Promise<Gpu> | undefined;

const SETUP_HINT = 'No WebGPU adapter found. Run `bash scripts/setup.sh` (installs Mesa lavapipe from bookworm-backports on a machine without a GPU).';

export function getGpu(): Promise<Gpu> {
  held ??= acquire();
  return held;
}

async function acquire(): Promise<Gpu> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await withoutDawnNoise(() => gpu.requestAdapter({ powerPreference: 'high-performance' }));
  if (!adapter) throw new Error(SETUP_HINT);
  // The matmul kernel is written with subgroup operations (enabled in its source, so a device without them
  // cannot compile it); Dawn has them on Vulkan, Metal and D3D12 alike.
  if (!adapter.features.has('subgroups')) throw new Error(`the WebGPU adapter (${adapter.info.description || adapter.info.device}) lacks the 'subgroups' feature the kernels need`);
  const a = adapter.limits;
  // Ask for everything the adapter allows on the limits the kernels lean on: big storage buffers for
  // full-batch activations, and as many storage bindings per stage as the backward kernels take.
  const device = await adapter.requestDevice({
    requiredFeatures: ['subgroups'],
    requiredLimits: {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    },
  });
  const occupancy = adapter.info.isFallbackAdapter ? CPU_OCCUPANCY : GPU_OCCUPANCY;
  const g: Gpu = { gpu, adapter, device, subgroupSize: undefined, occupancy, pendingErrors: [], lost: undefined, live: { buffers: 0, bytes: 0 }, poll: { pending: 0, sleeping: false, sliceMs: POLL_SLICE_MS } };
  device.addEventListener('uncapturederror', (e) => {
    g.pendingErrors.push((e as GPUUncapturedErrorEvent).error.message);
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') g.lost = `WebGPU device lost (${info.reason}): ${info.message}`;
  });
  g.subgroupSize = await rowSubgroupSize(g);
  return g;
}

/** Every buffer of the project is made here, so that g.live counts what is held (Dawn reports no such figure). */
export function createBuffer(g: Gpu, desc: GPUBufferDescriptor): GPUBuffer {
  const b = g.device.createBuffer(desc);
  g.live.buffers++;
  g.live.bytes += b.size;
  return b;
}

export function destroyBuffer(g: Gpu, b: GPUBuffer): void {
  b.destroy();
  g.live.buffers--;
  g.live.bytes -= b.size;
}

/**
 * The owner of a group of buffers (a model's tensors, the uniforms of its prepared dispatches), freed
 * together by dispose(). Whatever outlives one model or one call gets an owner; dispose() is idempotent.
 */
export class Owner {
  private readonly buffers = new Set<GPUBuffer>();
  constructor(readonly g: Gpu) {}

  buffer(desc: GPUBufferDescriptor): GPUBuffer {
    const b = createBuffer(this.g, desc);
    this.buffers.add(b);
    return b;
  }

  dispose(): void {
    for (const b of this.buffers) destroyBuffer(this.g, b);
    this.buffers.clear();
  }
}

/** Run body with a fresh Owner, freeing what it owns when body ends (a call that allocates for itself alone). */
export async function withOwner<T>(g: Gpu, body: (o: Owner) => Promise<T>): Promise<T> {
  const o = new Owner(g);
  try {
    return await body(o);
  } finally {
    o.dispose();
  }
}

/** Throw any error the device reported since the last check: a validation error becomes an exception. */
export function throwPendingErrors(g: Gpu): void {
  if (g.lost) throw new Error(g.lost);
  if (g.pendingErrors.length) {
    const msgs = g.pendingErrors.splice(0);
    throw new Error(`WebGPU error: ${msgs.join('\n')}`);
  }
}

/**
 * Wait for all submitted work, sleeping through most of the expected time first (Atomics.wait blocks
 * without spinning), then as gpuDone does, in slices short beside the expected time so that a timed wait
 * ends soon after the work does.
 */
export async function settle(g: Gpu, expectedMs = 0): Promise<void> {
  if (expectedMs > 1) sleepSync(expectedMs * 0.9);
  const sliceMs = expectedMs > 0 ? Math.min(POLL_SLICE_MS, Math.max(0.05, expectedMs / 20)) : POLL_SLICE_MS;
  await gpuDone(g, g.device.queue.onSubmittedWorkDone(), sliceMs);
  throwPendingErrors(g);
}

/** How long gpuDone's loop sleeps between turns of the event loop unless asked for less, ms. */
const POLL_SLICE_MS = 0.5;

/**
 * Await a promise that Dawn resolves (a queue or map callback) without spinning a core. While one is
 * pending, Dawn's Node bindings poll for its callback by re-queueing themselves with setImmediate, so
 * awaiting it alone runs the event loop flat out: measured here, the main thread then used 43-88 % of a
 * core and 24 queued fast steps took 1.1-1.6 s, against 0.74-1.04 s with this loop, which used 4-8 %.
 * While any such promise is pending, one loop per device sleeps a slice each turn (the shortest any waiter
 * asked for), however many reads an evaluation awaits at once; it adds at most a slice once the GPU is done.
 */
export function gpuDone<T>(g: Gpu, pending: Promise<T>, sliceMs = POLL_SLICE_MS): Promise<T> {
  g.poll.pending++;
  g.poll.sliceMs = Math.min(g.poll.sliceMs, sliceMs);
  const done = pending.finally(() => { g.poll.pending--; });
  if (!g.poll.sleeping) void sleepWhilePending(g);
  return done;
}

async function sleepWhilePending(g: Gpu): Promise<void> {
  g.poll.sleeping = true;
  try {
    while (g.poll.pending > 0) {
      sleepSync(g.poll.sliceMs);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    g.poll.sleeping = false;
    g.poll.sliceMs = POLL_SLICE_MS;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * Run `body` with fd 2 pointed at a temporary file, then write what it caught to stderr without Dawn's noise
 * (dawn_noise.ts). Native code writes to fd 2 directly, so only moving fd 2 (close it; the next open takes
 * the lowest free number) can catch it. A terminal, file or pipe can be reopened through /proc; a socket (the
 * stderr of a process Node spawned with stdio 'pipe') cannot, and there nothing is filtered.
 */
export async function withoutDawnNoise<T>(body: () => Promise<T>): Promise<T> {
  const path = join(tmpdir(), `pizza-quadrature-stderr-${process.pid}`);
  const opened: number[] = [];
  try {
    opened.push(openSync('/proc/self/fd/2', 'a'), openSync(path, 'w'));
  } catch {
    opened.forEach((fd) => closeSync(fd));
    return body();
  }
  const [stderr, catcher] = opened;
  // Both files are open before fd 2 is closed, so nothing can fail between the close and the reopen.
  const moveFd2To = (fd: number) => {
    closeSync(2);
    if (openSync(`/proc/self/fd/${fd}`, 'a') !== 2) throw new Error('could not reopen stderr as fd 2 around the WebGPU adapter request');
  };
  moveFd2To(catcher);
  try {
    return await body();
  } finally {
    moveFd2To(stderr);
    opened.forEach((fd) => closeSync(fd));
    const kept = dropDawnNoise(readFileSync(path, 'utf8'));
    unlinkSync(path);
    if (kept) process.stderr.write(kept);
  }
}
