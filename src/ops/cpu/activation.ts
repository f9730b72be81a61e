import type { ActFn } from '../../model/config.js';
import type { F64 } from './types.js';

/** erf to about 1e-14 in float64: Taylor series below 3, a continued fraction for erfc above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * sum; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let frac = ax;
  for (let n = 60; n >= 1; n--) frac = ax + n / 2 / frac;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** ReLU, or PyTorch's exact GeLU x·Φ(x): shaders/activation.wgsl. */
export function activation(pre: ArrayLike<number>, act: ActFn, n: number): F64 {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = pre[i];
    out[i] = act === 'relu' ? Math.max(x, 0) : 0.5 * x * (1 + erf(x * SQRT1_2));
  }
  return out;
}

/** dpre = act'(pre)·dpost, with ReLU'(0) = 0 as in PyTorch: shaders/activation_backward.wgsl. */
export function activationBackward(pre: ArrayLike<number>, dpost: ArrayLike<number>, act: ActFn, n: number): F64 {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = pre[i];
    const d = act === 'relu' ? (x > 0 ? 1 : 0) : 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    out[i] = d * dpost[i];
  }
  return out;
}
