import type { Dispatch, KernelRegistry } from '../../gpu/kernels.js';
import { type GpuTensor, createTensor } from '../../gpu/tensor.js';
import { type ColumnSumShape, columnSumStrides } from '../cpu/column_sum.js';
import { stackedExtent } from '../cpu/types.js';
import { type Split, forcedSplit, groups, outputViews, requireElements, splitReduction, vec4Alias } from './util.js';

/**
 * out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when accumulating): shaders/column_sum.wgsl, one dispatch; or, the
 * rows split (splitReduction: many rows, too few columns to fill the device), the pieces' partial sums into
 * a buffer of their own, then their sum, in piece order (deterministic). `models`: the batch is that many
 * models' sums (an ensemble), split as one model's would; `splits` forces the pieces (tests).
 */
export function columnSum(
  k: KernelRegistry, x: GpuTensor, s: ColumnSumShape, out: GpuTensor, accumulate = false, opts: { models?: number; splits?: number } = {},
): Dispatch[] {
  const stride = columnSumStrides(s);
  requireElements('columnSum', 'x', x, stackedExtent(s.batch, stride.x, s.rows * s.cols));
  requireElements('columnSum', 'out', out, stackedExtent(s.batch, stride.out, s.cols));
  // The vec4 views read item t from element t·strideX and write it from t·strideOut (or t·cols into the
  // pieces' buffer), which must then be multiples of 4.
  const fourWide = s.cols % 4 === 0;
  const vec4 = fourWide && stride.x % 4 === 0 && stride.out % 4 === 0;
  // The split is sized from the columns alone, as if read four-wide whenever they could be, so that the
  // same sum splits the same way whatever its strides (an ensemble's padded models as each alone).
  const split: Split = opts.splits !== undefined
    ? forcedSplit(s.rows, opts.splits, 'columnSum')
    : splitReduction(s.rows, groups(fourWide ? s.cols / 4 : s.cols, 64), s.batch / (opts.models ?? 1), k.fillWorkgroups, 1);
  const pieces = split.splits > 1 ? sumOfPieces(k, s.batch, split.splits, s.cols, out, stride.out, accumulate) : undefined;
  const [out1, out4] = outputViews(k, pieces?.partials ?? out, vec4);
  const first = k.prepare('column_sum', {
    tensors: { x, x4: vec4Alias(k, x, vec4), out: out1, out4 },
    uniforms: { batch: s.batch, rows: s.rows, cols: s.cols, strideX: stride.x, strideOut: pieces ? s.cols : stride.out, ...split },
    constants: { ACCUMULATE: +(accumulate && !pieces), VEC4: +vec4 },
    workgroups: [groups(vec4 ? s.cols / 4 : s.cols, 64), s.batch * split.splits],
  });
  return pieces ? [first, pieces.sum] : [first];
}

/**
 * The second half of a split reduction (a product's K, a column sum's rows): a buffer for the pieces'
 * partial sums, [batch, splits, cols], and the dispatch that adds them in piece order (deterministic) into
 * out, batch item t at t·strideOut (+ out when accumulating).
 */
export function sumOfPieces(
  k: KernelRegistry, batch: number, splits: number, cols: number, out: GpuTensor, strideOut: number, accumulate = false,
): { partials: GpuTensor; sum: Dispatch } {
  const partials = createTensor(k.owner, 'f32', [batch * splits * cols], undefined, 'split_partials');
  const [sum] = columnSum(k, partials, { batch, rows: splits, cols, strideOut }, out, accumulate, { splits: 1 });
  return { partials, sum };
}
