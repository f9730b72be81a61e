import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import type { GpuTensor } from '../../gpu/tensor.js';
import { type MatmulOptions, type MatmulShape, checkEpilogue, matmulExtents, strideC } from '../cpu/matmul.js';
import { stackedExtent } from '../cpu/types.js';
import { sumOfPieces } from './column_sum.js';
import { type Split, forcedSplit, groups, outputViews, requireElements, splitReduction, vec4Alias } from './util.js';

/**
 * Register tile of shaders/matmul.wgsl: each invocation computes tm×tn outputs, a workgroup is wgx×wgy
 * invocations, so it covers (wgy·tm)×(wgx·tn) of C. tm, tn ≤ 16 (the shader's MAX_T).
 */
export interface MatmulTile { tm: number; tn: number; wgx: number; wgy: number }

/**
 * 8×16 per invocation in 8×8 workgroups measured best on lavapipe for the plain loop (npm run bench, 1024³
 * before vec4 loads: ~17 GFLOP/s median, 23 best, against 8×8 ~16/20 and 4×4 ~10/11; 12×16 and 16×16 spill
 * and fall to 2–12; workgroup shapes 4×16 and 16×4 within noise). With A shared through the subgroup
 * (`shuffleA`) A costs WGX times fewer loads, so taller tiles pay: 16×8 measured best on every model shape
 * (1.2–1.5× the plain 8×16). Narrow outputs (N = p = 59, N = 1) and short ones take smaller tiles so fewer
 * clamped rows and columns are computed.
 */
export function matmulTile(s: MatmulShape, shuffleA = false): MatmulTile {
  // Narrow outputs (the p logits) go faster with taller tiles, measured on lavapipe: 2785×59×512 takes
  // 26 ms with 8×4 tiles and 15 ms with 16×8; the weight gradient 512×59×2785, 27 ms and 14 ms.
  const tn = s.N >= 128 && !shuffleA ? 16 : s.N >= 48 ? 8 : 4;
  // A few rows (bias-like row vectors): one row of invocations, each with exactly those rows. An 8×8
  // workgroup would have 63 of its 64 invocations recompute row 0 (0.9 ms against 0.1 ms for 1×128×512).
  if (s.M <= 4) return { tm: s.M, tn, wgx: 8, wgy: 1 };
  const tm = s.M < 64 ? 4 : tn === 8 && s.M >= 128 ? 16 : 8;
  return { tm, tn, wgx: 8, wgy: 8 };
}

/** Whether the kernel shares A through the subgroup: the device's subgroups are workgroup rows of `wgx` lanes. */
export const sharesA = (k: KernelRegistry, wgx = 8) => k.subgroupSize === wgx;

/**
 * How to split K (splitReduction) so that a product with few output tiles (the weight gradients: a few
 * hundred rows and p = 59 columns, K the whole batch) still fills the device, in pieces of the subgroup's k
 * block (wgx). `models`: the batch is that many models' products (an ensemble), split as one model's would.
 */
export function splitK(s: MatmulShape, tile: MatmulTile, fillWorkgroups: number, models = 1): Split {
  const [x, y] = tileGrid(s, tile);
  return splitReduction(s.K, x * y, s.batch / models, fillWorkgroups, tile.wgx);
}

/** Workgroups across one batch item's output: [columns, rows] of tiles. */
const tileGrid = (s: MatmulShape, tile: MatmulTile): [number, number] => [groups(s.N, tile.tn * tile.wgx), groups(s.M, tile.tm * tile.wgy)];

function checkShape(s: MatmulShape): void {
  for (const f of ['batch', 'M', 'N', 'K'] as const) {
    if (!Number.isInteger(s[f]) || s[f] < 1) throw new Error(`matmul: ${f} must be a positive integer, got ${s[f]}`);
  }
  for (const f of ['strideA', 'strideB', 'strideC'] as const) {
    if (s[f] !== undefined && (!Number.isInteger(s[f]) || s[f]! < 0)) throw new Error(`matmul: ${f} must be a non-negative integer, got ${s[f]}`);
  }
}

/**
 * C = alpha·op(A)·op(B) + bias (+ C when accumulating): shaders/matmul.wgsl, one dispatch; or, K split
 * (splitK), the pieces' partial products into a buffer of their own, then their sum by column_sum, in
 * piece order (deterministic).
 */
export function matmul(
  k: KernelRegistry, a: GpuTensor, b: GpuTensor, c: GpuTensor, s: MatmulShape,
  // models: the batch is that many models' products (splitK). tile, shuffleA and splits override the
  // automatic choices (benchmarks; tests: the wrong lane layout's NaN, split-K on a device that would not split).
  opts: MatmulOptions<GpuTensor> & { accumulate?: boolean; models?: number; tile?: MatmulTile; shuffleA?: boolean; splits?: number } = {},
): Dispatch[] {
  checkShape(s);
  checkEpilogue(opts);
  const need = matmulExtents(s);
  requireElements('matmul', 'A', a, need.a);
  requireElements('matmul', 'B', b, need.b);
  requireElements('matmul', 'C', c, need.c);
  if (opts.bias) requireElements('matmul', 'bias', opts.bias, stackedExtent(s.batch, opts.biasStride ?? 0, s.N));
  if (opts.reluGate) requireElements('matmul', 'reluGate', opts.reluGate, need.c);
  // A is shared through the subgroup when subgroups are exactly one workgroup row (the shader checks the
  // lane layout too, and falls back to the plain loop if it differs).
  const shuffleA = opts.shuffleA ?? sharesA(k, opts.tile?.wgx);
  const tile = opts.tile ?? matmulTile(s, shuffleA);
  if (tile.tm > 16 || tile.tn > 16) throw new Error(`matmul: tile ${tile.tm}×${tile.tn} exceeds the shader's 16×16`);
  // Aᵀ or B read as vec4 needs whole vec4s in every row and batch (the binding offset is 256-byte aligned already).
  const vecA = !shuffleA && s.transA && s.M % 4 === 0 && s.strideA % 4 === 0 && tile.tm % 4 === 0;
  const vecB = !s.transB && s.N % 4 === 0 && s.strideB % 4 === 0 && tile.tn % 4 === 0;
  const split = chooseSplit(k, s, tile, opts);
  const pieces = split.splits > 1 ? sumOfPieces(k, s.batch, split.splits, s.M * s.N, c, strideC(s), opts.accumulate) : undefined;
  const stride = pieces ? s.M * s.N : strideC(s);
  // C stored four columns at a time: VEC_B's columns come in groups of four, and every batch item's C starts on one.
  const vecC = vecB && stride % 4 === 0;
  const [c1, c4] = outputViews(k, pieces?.partials ?? c, vecC);
  // The bias and the gate share the `side` binding (src/ops/cpu/matmul.ts checkEpilogue).
  const side = opts.bias ?? opts.reluGate ?? k.unreadInput();
  const product = k.prepare('matmul', {
    tensors: { a, b, side, side4: vec4Alias(k, side, vecC && !!opts.reluGate), a4: vec4Alias(k, a, vecA), b4: vec4Alias(k, b, vecB), c: c1, c4 },
    uniforms: {
      M: s.M, N: s.N, K: s.K, strideA: s.strideA, strideB: s.strideB, strideC: stride, biasStride: opts.biasStride ?? 0,
      alpha: opts.alpha ?? 1, splits: split.splits, chunk: split.chunk,
    },
    constants: {
      TRANS_A: +s.transA, TRANS_B: +s.transB, HAS_BIAS: +!!opts.bias, ACCUMULATE: +(!!opts.accumulate && !pieces), RELU_GATE: +!!opts.reluGate,
      VEC_A: +vecA, VEC_B: +vecB, VEC_C: +vecC, SHUFFLE_A: +shuffleA, TM: tile.tm, TN: tile.tn, WGX: tile.wgx, WGY: tile.wgy,
    },
    workgroups: [...tileGrid(s, tile), s.batch * split.splits],
    flops: 2 * s.batch * s.M * s.N * s.K,
  });
  return pieces ? [product, pieces.sum] : [product];
}

/** opts.splits pieces when given, else splitK's choice; the bias and the gate belong to the whole sum, so a product with either keeps K whole. */
function chooseSplit(k: KernelRegistry, s: MatmulShape, tile: MatmulTile, opts: MatmulOptions<GpuTensor> & { models?: number; splits?: number }): Split {
  const fused = !!(opts.bias || opts.reluGate);
  if (opts.splits === undefined) return fused ? { splits: 1, chunk: s.K } : splitK(s, tile, k.fillWorkgroups, opts.models);
  if (opts.splits > 1 && fused) throw new Error('matmul: a bias or a ReLU gate applies to the whole sum, so K cannot be split');
  return forcedSplit(s.K, opts.splits, 'matmul');
}
