import { type F64, stackedExtent } from './types.js';

/**
 * Batched matrix product C[t] = op(A[t])·op(B[t]) for t < batch, op = transpose when trans is set.
 * A[t] starts at element t·strideA (0 broadcasts one A to every batch), likewise B; C[t] at t·strideC
 * (default M·N: C is [batch, M, N]; larger strides interleave, e.g. one model's gradient among others').
 * Stored shapes: A is [M, K] ([K, M] when transA), B is [K, N] ([N, K] when transB).
 */
export interface MatmulShape {
  batch: number;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  strideA: number;
  strideB: number;
  strideC?: number;
}

export const strideC = (s: MatmulShape) => s.strideC ?? s.M * s.N;

export interface MatmulOptions<T> {
  /** Scale of the product (default 1). */
  alpha?: number;
  /** Added to every row; batch t uses bias[t·biasStride ..]. */
  bias?: T;
  biasStride?: number;
  /** Multiply each result by 1[gate > 0] (ReLU's derivative at gate, 0 at 0); gate is shaped like C. Not with a bias. */
  reluGate?: T;
}

/**
 * A bias or a ReLU gate, not both: the kernel reads them through one binding, which keeps it within
 * WebGPU's default of 8 storage buffers a stage (no schedule needs both in one product).
 */
export function checkEpilogue(opts: MatmulOptions<unknown>): void {
  if (opts.bias && opts.reluGate) throw new Error('matmul: a bias and a ReLU gate in one product are not supported (they share a binding); add the bias first');
}

/** Elements each operand must hold for the shape (used to reject bad shapes before dispatch). */
export function matmulExtents(s: MatmulShape): { a: number; b: number; c: number } {
  return { a: stackedExtent(s.batch, s.strideA, s.M * s.K), b: stackedExtent(s.batch, s.strideB, s.K * s.N), c: stackedExtent(s.batch, strideC(s), s.M * s.N) };
}

/** C = alpha·op(A)·op(B) + bias (+ C when accumulating into an existing array): shaders/matmul.wgsl. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, s: MatmulShape, opts: MatmulOptions<ArrayLike<number>> & { accumulate?: F64 } = {}): F64 {
  checkEpilogue(opts);
  const { batch, M, N, K, transA, transB, strideA, strideB } = s;
  const alpha = opts.alpha ?? 1;
  const out = opts.accumulate ?? new Float64Array(matmulExtents(s).c);
  const row = new Float64Array(N);
  for (let t = 0; t < batch; t++) {
    const oa = t * strideA;
    const ob = t * strideB;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let kk = 0; kk < K; kk++) {
        const av = transA ? a[oa + kk * M + i] : a[oa + i * K + kk];
        if (transB) for (let j = 0; j < N; j++) row[j] += av * b[ob + j * K + kk];
        else for (let j = 0; j < N; j++) row[j] += av * b[ob + kk * N + j];
      }
      const o = t * strideC(s) + i * N;
      const ob2 = t * (opts.biasStride ?? 0);
      for (let j = 0; j < N; j++) {
        const v = out[o + j] + alpha * row[j] + (opts.bias ? opts.bias[ob2 + j] : 0);
        out[o + j] = opts.reluGate && !(opts.reluGate[o + j] > 0) ? 0 : v;
      }
    }
  }
  return out;
}
