import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import type { BruteRows } from '../cpu/brute_force_bound.js';
import { requireElements } from './util.js';

/** The brute force of SPEC §4 on every input (see the CPU twin): shaders/brute_force_bound.wgsl, one workgroup an input. */
export function bruteForceBound(k: KernelRegistry, A: GpuTensor, B: GpuTensor, cv: GpuTensor, WT: GpuTensor, Mhat: GpuTensor, p: number, n: number, ldw: number, rows: BruteRows, out: GpuTensor): Dispatch {
  for (const [name, v] of [['p', p], ['n', n], ['ldw', ldw]] as const) if (!Number.isInteger(v) || v < 1) throw new Error(`bruteForceBound: ${name} ${v} is not a positive integer`);
  if (ldw < n || ldw % 4) throw new Error(`bruteForceBound: ldw ${ldw} must be ≥ n ${n} and a multiple of 4 (WT is read as vec4)`);
  const rowsOf = (sa: number, sb: number) => (p - 1) * (sa + sb) + 1;
  requireElements('bruteForceBound', 'A', A, rowsOf(rows.a_sa, rows.a_sb) * n);
  requireElements('bruteForceBound', 'B', B, rowsOf(rows.b_sa, rows.b_sb) * n);
  requireElements('bruteForceBound', 'cv', cv, n);
  requireElements('bruteForceBound', 'WT', WT, p * ldw);
  requireElements('bruteForceBound', 'Mhat', Mhat, p * p);
  requireElements('bruteForceBound', 'out', out, 2 * p * p);
  // Grid-stride over inputs: at most 4096 workgroups (lavapipe pays per workgroup).
  return k.prepare('brute_force_bound', { tensors: { A, B, cv, WT, Mhat, out }, uniforms: { p, n, ldw, ...rows }, workgroups: [Math.min(p * p, 4096)] });
}
