// The matmul benchmark's same-runtime peer (src/bench/tfjs.ts): tfjs-backend-webgpu runs on the project's own
// WebGPU device and computes the product the CPU reference does.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/device.js';
import { matmul } from '../../src/ops/cpu/matmul.js';
import { flushTfjs, tfjsOn } from '../../src/bench/tfjs.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn } from '../helpers.js';

describe('tfjs-backend-webgpu on our device', () => {
  it('runs tf.matMul on our GPU device and matches the CPU reference on an awkward shape, with and without Aᵀ', async () => {
    const g = await getGpu();
    const backend = await tfjsOn(g);
    expect(backend.device).toBe(g.device);
    expect(tf.getBackend()).toBe('webgpu');
    expect(await tfjsOn(g)).toBe(backend);

    const [M, N, K] = [37, 59, 13];
    const rng = new Rng(37);
    const a = randn(rng, M * K);
    const b = randn(rng, K * N);
    for (const transA of [false, true]) {
      const s = { batch: 1, M, N, K, transA, transB: false, strideA: 0, strideB: 0 };
      const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, transA ? [K, M] : [M, K]), tf.tensor2d(b, [K, N]), transA));
      // Computed by a WebGPU program (some tfjs ops hand small inputs to its CPU backend; matMul never does).
      expect(backend.tensorMap.get(c.dataId).resource).toBeInstanceOf(GPUBuffer);
      expectClose(await c.data(), matmul(a, b, s), 2e-6 * Math.sqrt(K));
      c.dispose();
    }
    expect(tf.memory().numTensors).toBe(0);
    flushTfjs(backend); // nothing pending: an empty submit
    await g.device.queue.onSubmittedWorkDone();
  });
});
