// The real-GPU estimate's arithmetic against hand-worked numbers, and the costs prepare() gives dispatches.
import { describe, expect, it } from 'vitest';
import { estimateProgram } from '../../src/bench/roofline.js';
import { type Dispatch, type Step, copy } from '../../src/gpu/kernels.js';
import { createTensor, view } from '../../src/gpu/tensor.js';
import * as gpu from '../../src/ops/gpu/index.js';
import { testGpu } from '../helpers.js';

/** A dispatch as estimateProgram reads it: label, workgroups and cost. */
const dispatch = (label: string, workgroups: [number, number, number], flops: number, bytes: number) =>
  ({ label, workgroups, cost: { flops, bytes } }) as unknown as Dispatch;

describe('roofline estimate', () => {
  it('prices compute, memory, SM fill, copies and the fixed cost per dispatch as stated', async () => {
    const { g } = await testGpu();
    const gpuSpec = { name: 'test', fp32_tflops: 1, bandwidth_tbs: 1, sms: 10 };
    const a = { compute_efficiency: 0.5, memory_efficiency: 0.5, dispatch_us: [1, 2] as [number, number] };
    const steps: Step[] = [
      dispatch('product', [10, 1, 1], 1e6, 1e3), // compute-bound, all SMs: 1e6 / 0.5e12 s = 2 µs
      dispatch('stream', [5, 1, 1], 0, 1e6), // memory-bound on half the SMs: 1e6 / 0.5e12 / 0.5 s = 4 µs
      dispatch('product', [2, 1, 1], 1e5, 0), // a fifth of the SMs: 1e5 / 0.5e12 / 0.2 s = 1 µs
      copy(createTensor(g, 'f32', [1000]), createTensor(g, 'f32', [1000])), // 8000 bytes / 0.5e12 = 0.016 µs
    ];
    const e = estimateProgram(steps, gpuSpec, a);
    expect(e.dispatches).toBe(4);
    expect(e.work_us).toBeCloseTo(7.016, 9);
    expect(e.total_us[0]).toBeCloseTo(7.016 + 4, 9);
    expect(e.total_us[1]).toBeCloseTo(7.016 + 8, 9);
    expect(e.ops.map((o) => [o.op, o.dispatches])).toEqual([['stream', 1], ['product', 2], ['copy', 1]]);
    expect(e.ops[1].work_us).toBeCloseTo(3, 9);
    expect(e.ops[1].flops).toBe(1.1e6);
  });

  it("a product's cost: 2·M·N·K flops, and the bytes of A, B, C and the bias once (unused bindings' stand-ins not counted)", async () => {
    const { g, k } = await testGpu();
    const [M, N, K] = [5, 8, 3];
    const buf = createTensor(g, 'f32', [1024]);
    // A and B are views of one buffer, apart; C its own.
    const a = view(buf, 0, [M * K]);
    const b = view(buf, 256, [K * N]);
    const [d] = gpu.matmul(k, a, b, createTensor(g, 'f32', [M * N]), { batch: 1, M, N, K, transA: false, transB: false, strideA: 0, strideB: 0 });
    expect(d.cost).toEqual({ flops: 2 * M * N * K, bytes: 4 * (M * K + K * N + M * N) });
    // A bias elsewhere in the buffer adds its own bytes and nothing more.
    const [biased] = gpu.matmul(k, a, b, createTensor(g, 'f32', [M * N]), { batch: 1, M, N, K, transA: false, transB: false, strideA: 0, strideB: 0 }, { bias: view(buf, 512, [N]) });
    expect(biased.cost.bytes).toBe(4 * (M * K + K * N + M * N + N));
    // Two bindings of overlapping ranges of one buffer move their union.
    const [over] = gpu.matmul(k, view(buf, 0, [M * K]), view(buf, 0, [K * N]), createTensor(g, 'f32', [M * N]), { batch: 1, M, N, K, transA: false, transB: false, strideA: 0, strideB: 0 });
    expect(over.cost.bytes).toBe(4 * (Math.max(M * K, K * N) + M * N));
  });
});
