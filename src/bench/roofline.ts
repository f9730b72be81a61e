// A real-GPU estimate on paper (issue 13): what the training step would take on a datacentre GPU, from the
// program's own op costs (each dispatch's flops and bytes, src/gpu/kernels.ts Cost), a roofline per
// dispatch and a fixed cost per dispatch. An estimate with its assumptions stated, not a measurement.
import type { Step } from '../gpu/kernels.js';
import { numel } from '../gpu/tensor.js';

export interface GpuSpec {
  name: string;
  /** Float32 peak without tensor cores (the kernels use none), TFLOP/s. */
  fp32_tflops: number;
  /** Memory bandwidth, TB/s. */
  bandwidth_tbs: number;
  /** Streaming multiprocessors: a dispatch of fewer workgroups leaves the rest idle. */
  sms: number;
}

/** The datasheet figures (NVIDIA H200 SXM: 67 TFLOP/s float32, HBM3e at 4.8 TB/s, 132 SMs). */
export const H200: GpuSpec = { name: 'NVIDIA H200 SXM', fp32_tflops: 67, bandwidth_tbs: 4.8, sms: 132 };

export interface Assumptions {
  /** Share of the float32 peak a full-occupancy product reaches (skinny N = 59 products waste tile lanes). */
  compute_efficiency: number;
  /** Share of the bandwidth a streaming kernel reaches. */
  memory_efficiency: number;
  /** Fixed cost of each dependent dispatch or copy (launch, the barrier after it, the ramp down and up), µs: low and high. */
  dispatch_us: [number, number];
}

export const ASSUMPTIONS: Assumptions = { compute_efficiency: 0.5, memory_efficiency: 0.7, dispatch_us: [3, 10] };

export interface OpEstimate { op: string; dispatches: number; flops: number; bytes: number; work_us: number }

export interface ProgramEstimate {
  ops: OpEstimate[];
  /** Dispatches and copies. */
  dispatches: number;
  /** Σ over dispatches of max(compute, memory) time, µs. */
  work_us: number;
  /** work + dispatches × dispatch_us, low and high, µs. */
  total_us: [number, number];
}

/**
 * Each dispatch: max(flops / (peak · efficiency), bytes / (bandwidth · efficiency)) / fill, fill being the
 * share of SMs its workgroups can occupy (too few workgroups reach neither the peak nor the bandwidth); each
 * copy: its bytes read and written at the bandwidth. Then the fixed cost per dispatch. Optimistic where a
 * dispatch has enough workgroups but too few threads per SM to hide latency; pessimistic where its data
 * sits in L2 (50 MB on an H200: a single model's step, about 17 MB of activations, does) rather than HBM.
 */
export function estimateProgram(steps: readonly Step[], gpu: GpuSpec, a: Assumptions = ASSUMPTIONS): ProgramEstimate {
  const byOp = new Map<string, OpEstimate>();
  const bw = gpu.bandwidth_tbs * 1e12 * a.memory_efficiency;
  let dispatches = 0;
  for (const s of steps) {
    let flops = 0;
    let bytes: number;
    let us: number;
    if ('src' in s) {
      bytes = 2 * 4 * numel(s.src.shape);
      us = (bytes / bw) * 1e6;
    } else {
      ({ flops, bytes } = s.cost);
      const fill = Math.min(1, (s.workgroups[0] * s.workgroups[1] * s.workgroups[2]) / gpu.sms);
      us = (Math.max(flops / (gpu.fp32_tflops * 1e12 * a.compute_efficiency), bytes / bw) / fill) * 1e6;
    }
    dispatches++; // a copy ends the compute pass: a barrier like a dispatch's
    const op = byOp.get(s.label) ?? { op: s.label, dispatches: 0, flops: 0, bytes: 0, work_us: 0 };
    op.dispatches++;
    op.flops += flops;
    op.bytes += bytes;
    op.work_us += us;
    byOp.set(s.label, op);
  }
  const ops = [...byOp.values()].sort((x, y) => y.work_us - x.work_us);
  const work = ops.reduce((t, o) => t + o.work_us, 0);
  return { ops, dispatches, work_us: work, total_us: [work + dispatches * a.dispatch_us[0], work + dispatches * a.dispatch_us[1]] };
}
