// tfjs-backend-webgpu (TensorFlow.js's WebGPU kernels) on the project's own WebGPU device: the same-runtime
// peer of the matmul benchmark (issue 13). On import the package registers its 'webgpu' backend only where
// it finds navigator.gpu, and that backend would request an adapter and device of its own; instead its
// WebGPUBackend is built here on our device (src/gpu/device.ts), so both run on one Dawn adapter and queue.
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Gpu } from '../gpu/device.js';

/** The package registers its kernels under this backend name, so the backend must carry it. */
const NAME = 'webgpu';

export const TFJS_VERSION = tf.version_core;

/** tfjs's WebGPU backend on g's device, made the active tfjs backend (idempotent). */
export async function tfjsOn(g: Gpu): Promise<WebGPUBackend> {
  const have = tf.findBackend(NAME);
  if (have) {
    if (!(have instanceof WebGPUBackend) || have.device !== g.device) throw new Error('tfjs: a webgpu backend on another device is already registered');
    await tf.setBackend(NAME);
    return have;
  }
  // The constructor refuses to run without navigator.gpu, which Node 20 lacks: ours stands in for it, so
  // anything of tfjs that looks there finds the same Dawn instance.
  const global = globalThis as { navigator?: { gpu?: GPU } };
  global.navigator ??= {};
  global.navigator.gpu ??= g.gpu;
  if (tf.findBackendFactory(NAME)) tf.removeBackend(NAME);
  tf.registerBackend(NAME, () => new WebGPUBackend(g.device, g.adapter.info));
  if (!(await tf.setBackend(NAME))) throw new Error('tfjs: could not start tfjs-backend-webgpu on the project\'s WebGPU device');
  return tf.backend() as WebGPUBackend;
}

/**
 * Submit what tfjs has encoded and not yet submitted (it batches up to 15 dispatches per submit), as its own
 * reads do before copying a result out, so that the queue's onSubmittedWorkDone covers every op run so far.
 */
export function flushTfjs(backend: WebGPUBackend): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}
