// The per-shift tier's GPU parts, each with a proven float32 allowance (SPEC §4 soundness under floating point): the
// Lipschitz bound's max over logits (bound-reduction kernel, rounded up) and the quadrature sums (neuron-integral kernel,
// with an error bound per sum).
import { type Gpu, withOwner } from '../../gpu/device.js';
import { type KernelRegistry, submit } from '../../gpu/kernels.js';
import { createTensor, readF32 } from '../../gpu/tensor.js';
import { boundReduce } from '../../ops/gpu/bound_reduce.js';
import type { F64 } from '../../ops/cpu/types.js';
import { PLAIN_INTEGRAND, quadratureInput, quadratureSumsGpu, shifts } from '../../interp/integral.js';
import { MAX_GROUPS } from '../../ops/gpu/neuron_integral.js';
import type { Explanation } from '../explanation.js';
import { gamma } from '../integrand.js';
import { type ShapeIntegrand, coefAbsSum } from '../shape.js';
import type { ShiftSums } from './quadrature.js';

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
  const r = await withOwner(g, async (o) => {
    const out = createTensor(o, 'f32', [p * p], undefined, 'bound_reduce_out');
    submit(g, [boundReduce(k.ownedBy(o),
      createTensor(o, 'f32', [p, p], up(X)), createTensor(o, 'f32', [p, p], up(Y)), createTensor(o, 'f32', [p, p], up(Z)), p, out)]);
    return readF32(g, out);
  });
  return Float64Array.from(r, (x) => x * (1 + 2 ** -21) * (1 + 2 ** -52));
}

/** Magnitudes kept far below float32's largest value (2^128), so that no sum or product of them overflows. */
const F32_SAFE_MAX = 2 ** 60;

/**
 * The per-shift tier's quadrature sums S_k(d, m) = Σ_{i∈k} z_i P_{k,d}(u_i)e^{2iu_i} (u_i = φ_i + x_m) by the neuron-integral
 * kernel, for every cluster, every distinct integrand of its distance classes and all 2p shifts in one dispatch. Each
 * (cluster, integrand) is two weight groups, w cos δ and w sin δ, so Re S = Σ w cos δ·P cos 2u − Σ w sin δ·P sin 2u and
 * Im S = Σ w sin δ·P cos 2u + Σ w cos δ·P sin 2u. Returns undefined when a magnitude leaves F32_SAFE_MAX or the groups
 * exceed one dispatch (the caller computes in float64 then).
 * err bounds the complex error |computed S − real S| (so re and im each). With v = U32_WGSL = 2^-23 (either neighbour),
 * Σ|a| = |a0| + |a1| + |a2| and the tables rounded to f32: cos u and sin u from two products and a sum of values within v
 * of cos/sin of φ and x are within 5v absolute; cos 2u = cos²u − sin²u and sin 2u = 2 sin u cos u within 22v;
 * T = a0 + a1 cos u + a2 cos 2u with each a within v|a| of the float64 value (itself within 4u64 relative of the real
 * one, far below v) within (1 + 7.1 + 24.2 + 2.1)v·Σ|a| ≤ 35v·Σ|a|, and P = max(T, 0) as well (1-Lipschitz); r = w·P
 * within 37.1v·|w|Σ|a|; r·cos 2u and r·sin 2u within 61v·|w|Σ|a|; the f32 sum of n terms adds γ_n·Σ|terms| ≤
 * γ_{n+1}·Σ|w|·Σ|a|. So a group's component is within Σ|w|·Σ|a|·E, E = 64v + γ_{n+4}; re and im each combine the two
 * groups, Σ|w cos δ| + Σ|w sin δ| ≤ √2·W (w ≥ 0: explain() keeps r, s > 0), and the modulus adds another √2:
 * |ΔS| ≤ 2·W·Σ|a|·E. E's slack over the 61v (≥ 3v·2W·Σ|a|) covers the host's float64 steps: w·cos δ, W, re = fc − fs.
 * Subnormals: an operation whose result is subnormal errs by ≤ 2^-126 absolute (WGSL may flush it; a tiny a or w rounds
 * to an f32 subnormal likewise), at ≤ 22 places per term and 2 per sum, amplified at most by |w| (through T), Σ|a|
 * (through w) and 25|w|Σ|a| (through the tables): ≤ (22n + 22)·2^-126·(1 + W)(1 + 25Σ|a|) per group and component,
 * 3 times that for |ΔS| (2√2 rounded up). The guard keeps max(1, W)·max(1, Σ|a|) below 2^60, so no value overflows
 * (review 2026-11-30).
 */
export async function shiftSumsGpu(g: Gpu, k: KernelRegistry, ex: Explanation, ints: ShapeIntegrand[][]): Promise<{ sums: ShiftSums; flops: number } | undefined> {
  // What the kernel evaluates per cluster: a cluster without shape terms has P = 2|C|·ReLU(cos u) at every distance, so one
  // plain integrand scaled by a1 = 2|C| (exact in real arithmetic; the float64 product's rounding is far inside err's slack);
  // otherwise each distinct integrand of its distance classes.
  const plain = ex.clusters.map((c) => c.shape.rho === 0 && c.shape.kappa === 0);
  const distinct = ints.map((byD, t) => (plain[t] ? [] : [...new Set(byD)]));
  const coefs = distinct.map((list, t) => (plain[t] ? [[...PLAIN_INTEGRAND]] : list.map((si) => [si.a0, si.a1, si.a2])));
  const big = ex.clusters.some((c, t) => !(Math.max(1, c.W) * Math.max(1, ...coefs[t].map((a) => coefAbsSum(a[0], a[1], a[2]))) < F32_SAFE_MAX));
  const groupCount = 2 * coefs.reduce((n, list) => n + list.length, 0);
  if (big || groupCount > MAX_GROUPS) return undefined;
  const groups = ex.clusters.flatMap((c, t) => coefs[t].flatMap((shape) => [
    { phases: c.phases, weights: c.weights.map((w, j) => w * Math.cos(c.deltas[j])), shape },
    { phases: c.phases, weights: c.weights.map((w, j) => w * Math.sin(c.deltas[j])), shape },
  ]));
  // Per cluster, the first group of each integrand (its w cos δ group; the w sin δ group follows).
  const first: number[] = [];
  const byIntegrand: Map<ShapeIntegrand, number>[] = [];
  let at = 0;
  coefs.forEach((list, t) => {
    first[t] = at;
    byIntegrand[t] = new Map(distinct[t].map((si, j) => [si, at + 2 * j]));
    at += 2 * list.length;
  });
  const x = shifts(ex.p);
  const S = await quadratureSumsGpu(g, k, quadratureInput(groups), x);
  const n = x.length;
  const v = U32_WGSL;
  // 21 operations a term (shaders/neuron_integral.wgsl), every group at every shift.
  const flops = 21 * n * groups.reduce((t, grp) => t + grp.phases.length, 0);
  const sums: ShiftSums = (t, si, m) => {
    if (plain[t] && (si.a0 !== 0 || si.a2 !== 0)) throw new Error(`shiftSumsGpu: cluster ${t} has no shape terms, its integrand does`);
    const grp = plain[t] ? first[t] : byIntegrand[t].get(si);
    if (grp === undefined) throw new Error(`shiftSumsGpu: integrand not among cluster ${t}'s`);
    const scale = plain[t] ? si.a1 : 1;
    const a = plain[t] ? 1 : coefAbsSum(si.a0, si.a1, si.a2);
    const fc = (j: number) => S[j * n + m];
    const fs = (j: number) => S[(groups.length + j) * n + m];
    const c = ex.clusters[t];
    const nc = c.phases.length;
    const err = 2 * c.W * a * (64 * v + gamma(nc + 4, v)) + 3 * (22 * nc + 22) * F32_MIN_NORMAL * (1 + c.W) * (1 + 25 * a);
    return { re: scale * (fc(grp) - fs(grp + 1)), im: scale * (fc(grp + 1) + fs(grp)), err: scale * err };
  };
  return { sums, flops };
}
