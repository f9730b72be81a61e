// The certified figure's reduction on the GPU (SPEC §4 soundness under floating point): inputs are rounded
// up to float32, the kernel takes sums of three non-negative terms and maxima (exact), and the host rounds the
// result up by the sums' proven allowance, so every returned value is ≥ the real max of the float64 inputs.
import type { Gpu } from '../gpu/device.js';
import { type KernelRegistry, submit } from '../gpu/kernels.js';
import { createTensor, readF32 } from '../gpu/tensor.js';
import { boundReduce } from '../ops/gpu/bound_reduce.js';
import type { F64 } from '../ops/cpu/types.js';
import { quadratureInput, quadratureSumsGpu, shifts } from '../interp/integral.js';
import type { Explanation } from './explanation.js';
import { gamma } from './integrand.js';
import type { PureSums } from './tiers.js';

/** The least float32 ≥ x (x finite, ≥ 0). */
export function f32Up(x: number): number {
  const f = Math.fround(x);
  if (f >= x) return f;
  const b = new Float32Array([f]);
  new Uint32Array(b.buffer)[0] += 1; // f ≥ 0: the next representable float32 upwards
  return b[0];
}

/**
 * Unit roundoff of WGSL f32 arithmetic. WGSL's "correctly rounded" (the accuracy of f32 +, −, ×) allows either
 * representable neighbour of the exact result, not only the nearest, so one operation errs by up to one ulp:
 * 2^-23 relative, twice IEEE round-to-nearest's 2^-24. (Lavapipe rounds to nearest; the bound must not rely on it.)
 */
export const U32_WGSL = 2 ** -23;
/** The least normal f32: WGSL may flush subnormal values to zero, so no term is allowed below it. */
export const F32_MIN_NORMAL = 2 ** -126;

/**
 * An upper bound on max_c (X[a, c] + Y[b, c] + Z[a − b, c]) for every input, computed on the GPU. Proof: with
 * x, y, z ≥ 0 rounded up to f32 and raised to at least the least normal f32 (so no flush to zero can lower them,
 * and their sums are normal), fl(fl(x + y) + z) ≥ (x + y + z)(1 − v)², v = U32_WGSL = 2^-23, and max is exact;
 * so (x + y + z) ≤ out·(1 − v)^-2 = out·(1 + 2^-22 + 3·2^-46 + …) ≤ out·(1 + 2^-21), a float64 product that is
 * exact (24 + 22 significant bits); the factor (1 + 2^-52) is kept as margin.
 */
export async function boundReduceGpu(g: Gpu, k: KernelRegistry, X: ArrayLike<number>, Y: ArrayLike<number>, Z: ArrayLike<number>, p: number): Promise<F64> {
  const up = (a: ArrayLike<number>) => {
    const t = new Float32Array(p * p);
    for (let i = 0; i < p * p; i++) {
      if (!(a[i] >= 0 && a[i] < Infinity)) throw new Error(`boundReduceGpu: term ${i} is ${a[i]}; terms must be finite and ≥ 0`);
      t[i] = f32Up(Math.max(a[i], F32_MIN_NORMAL));
    }
    return t;
  };
  const out = createTensor(g, 'f32', [p * p], undefined, 'bound_reduce_out');
  submit(g, [boundReduce(k,
    createTensor(g, 'f32', [p, p], up(X)), createTensor(g, 'f32', [p, p], up(Y)), createTensor(g, 'f32', [p, p], up(Z)), p, out)]);
  const r = await readF32(g, out);
  return Float64Array.from(r, (x) => x * (1 + 2 ** -21) * (1 + 2 ** -52));
}

/**
 * The per-shift tier's quadrature sums for pure clusters (ρ = κ = 0) by the neuron-integral kernel: each cluster
 * as two weight groups, w cos δ and w sin δ, so Re S = Σ w cos δ·f_c − Σ w sin δ·f_s and Im S = Σ w sin δ·f_c +
 * Σ w cos δ·f_s, all clusters and 2p shifts in one dispatch. Error of each float32 component: the tables and
 * weights are rounded to f32 (≤ u each), the node angle's cos and sin come from 2 products and a sum (≤ 4u
 * absolute), and (c, s) ↦ max(c, 0)(c² − s²) or 2cs·max(c, 0) is 5-Lipschitz near the unit circle, so each
 * term is within ≤ 40u·|w_i|; the f32 sum adds γ_n·Σ|terms| ≤ γ_n·Σ|w_i|. Both components, both groups:
 * |Ŝ − S| ≤ 2·W·(64u + γ_{n+4}), with u = U32_WGSL = 2^-23 (WGSL may round to either neighbour), plus 2^-126 for
 * each of the ≤ 10n + 10 operations per group and component that a flush of a subnormal value could touch
 * (absolute, whatever the scale), returned as err.
 */
export async function pureSumsGpu(g: Gpu, k: KernelRegistry, ex: Explanation): Promise<PureSums> {
  if (ex.clusters.some((c) => c.shape.rho !== 0 || c.shape.kappa !== 0)) throw new Error('pureSumsGpu: the kernel evaluates the pure integrand; this explanation models shape terms');
  const groups = ex.clusters.flatMap((c) => [
    { phases: c.phases, weights: c.weights.map((w, j) => w * Math.cos(c.deltas[j])) },
    { phases: c.phases, weights: c.weights.map((w, j) => w * Math.sin(c.deltas[j])) },
  ]);
  const x = shifts(ex.p);
  const T = groups.length;
  const S = await quadratureSumsGpu(g, k, quadratureInput(groups), x);
  const n = x.length;
  const u32 = U32_WGSL;
  return (t, m) => {
    const fc = (grp: number) => S[grp * n + m];
    const fs = (grp: number) => S[(T + grp) * n + m];
    const c = ex.clusters[t];
    const nc = c.phases.length;
    const err = 2 * c.W * (64 * u32 + gamma(nc + 4, u32)) + 4 * (10 * nc + 10) * F32_MIN_NORMAL;
    return { re: fc(2 * t) - fs(2 * t + 1), im: fc(2 * t + 1) + fs(2 * t), err };
  };
}
