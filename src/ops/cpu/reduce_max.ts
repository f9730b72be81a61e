import type { F64 } from './types.js';

function checkN(n: number, len: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`reduceMax: n ${n} is not a positive integer`);
  if (n > len) throw new Error(`reduceMax: n ${n} exceeds the ${len} elements given`);
}

/** [max_{i<n} x[i]]: shaders/reduce_max.wgsl. */
export function reduceMax(x: ArrayLike<number>, n: number): F64 {
  checkN(n, x.length);
  let m = x[0];
  for (let i = 1; i < n; i++) m = Math.max(m, x[i]);
  return Float64Array.of(m);
}

/** [max_{i<n} |x[i]|]: shaders/reduce_max.wgsl with ABS. */
export function reduceMaxAbs(x: ArrayLike<number>, n: number): F64 {
  checkN(n, x.length);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i]));
  return Float64Array.of(m);
}
