import type { ActFn } from '../../model/config.js';
import type { F64 } from './types.js';

// Float64 erf and erfc to a few ulp (relative error below 5e-15 for erf everywhere and for erfc(z), z ≥ 0,
// checked against mpmath in test/ops/activation.test.ts). Below SERIES_MAX a series of positive terms (no
// cancellation); above it erfc's continued fraction, which needs fewer terms the larger z is.
const SERIES_MAX = 1;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** e^{−z²} without the rounding of z² (which costs z²·2^-53 relative, 5e-15 at z = 7): z = h + l, h² exact. */
function expMinusSquare(z: number): number {
  const h = Math.round(z * 1024) / 1024;
  return Math.exp(-h * h) * Math.exp(-(z - h) * (z + h));
}

/** erf(z) for 0 ≤ z < SERIES_MAX: (2/√π)·e^{−z²}·Σ_n (2z²)^n z / (1·3···(2n+1)). */
function erfSeries(z: number): number {
  const r = 2 * z * z;
  let term = z;
  let sum = z;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= r / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * expMinusSquare(z) * sum;
}

/** erfc(z) for z ≥ SERIES_MAX: e^{−z²}/√π / (z + (1/2)/(z + (2/2)/(z + (3/2)/(z + …)))), by Lentz's method. */
function erfcFraction(z: number): number {
  if (z > 27) return 0; // below the smallest double (and Lentz's recurrence would turn z = ∞ into NaN)
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n <= 400; n++) {
    d = 1 / (z + (n / 2) * d);
    c = z + n / 2 / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return expMinusSquare(z) / Math.sqrt(Math.PI) / f;
}

export function erf(x: number): number {
  const z = Math.abs(x);
  return Math.sign(x) * (z < SERIES_MAX ? erfSeries(z) : 1 - erfcFraction(z));
}

/** 1 − erf(x), accurate relative to itself where it is tiny (x ≫ 1). */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return x < SERIES_MAX ? 1 - erfSeries(x) : erfcFraction(x);
}

/** Φ(x) = P(N(0,1) ≤ x) = erfc(−x/√2)/2: no 1 + erf cancellation for x ≪ 0, where GeLU is tiny. */
const normalCdf = (x: number) => 0.5 * erfc(-x * Math.SQRT1_2);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** ReLU, or PyTorch's exact GeLU x·Φ(x): shaders/activation.wgsl. */
export function activation(pre: ArrayLike<number>, act: ActFn, n: number): F64 {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = pre[i];
    out[i] = act === 'relu' ? Math.max(x, 0) : x * normalCdf(x);
  }
  return out;
}

/** dpre = act'(pre)·dpost, with ReLU'(0) = 0 as in PyTorch, GeLU' = Φ(x) + x·φ(x): shaders/activation.wgsl with BACKWARD. */
export function activationBackward(pre: ArrayLike<number>, dpost: ArrayLike<number>, act: ActFn, n: number): F64 {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = pre[i];
    const d = act === 'relu' ? (x > 0 ? 1 : 0) : normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    out[i] = d * dpost[i];
  }
  return out;
}
