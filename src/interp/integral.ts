// The MLP as numerical integration (SPEC §3): the integrands f_c, f_s, the infinite-width closed form M∞,
// and each cluster's quadrature sums Σ_i w_i f(φ_i + x) at the 2p shifts x = πm/p against the integral.
import { type Gpu, withOwner } from '../gpu/device.js';
import { type KernelRegistry, submit } from '../gpu/kernels.js';
import { createTensor, readF32 } from '../gpu/tensor.js';
import { type NeuronIntegralShape, neuronIntegral, nodeTable } from '../ops/cpu/neuron_integral.js';
import { neuronIntegral as neuronIntegralGpu } from '../ops/gpu/neuron_integral.js';
import type { F64 } from '../ops/cpu/types.js';
import { Rng } from '../util/rng.js';
import type { Cluster, NeuronFourier } from './fourier.js';

/** f_c(u) = ReLU(cos u)·cos 2u. */
export const fc = (u: number) => Math.max(Math.cos(u), 0) * Math.cos(2 * u);
/** f_s(u) = ReLU(cos u)·sin 2u. */
export const fs = (u: number) => Math.max(Math.cos(u), 0) * Math.sin(2 * u);
/** ∫ f_c over one period (= 2/3); ∫ f_s = 0. */
export const INTEGRAL_FC = 2 / 3;
/** The mean of f_c over a period, 1/(3π): what Σ_i w_i f_c(φ_i + x) / W approximates. */
export const MEAN_FC = INTEGRAL_FC / (2 * Math.PI);

/**
 * M∞(a, b, c) = Σ_k (2 W_k/(3π))·|cos(ω_k(a − b)/2)|·cos(ω_k(a + b − c)): the infinite-width MLP logits
 * of clusters with frequencies k and total weights W_k.
 */
export function closedForm(p: number, clusters: readonly { k: number; weight: number }[], a: number, b: number, c: number): number {
  let m = 0;
  for (const { k, weight } of clusters) {
    const w = (2 * Math.PI * k) / p;
    m += ((2 * weight) / (3 * Math.PI)) * Math.abs(Math.cos((w * (a - b)) / 2)) * Math.cos(w * (a + b - c));
  }
  return m;
}

/** The 2p shifts x_m = πm/p, m < 2p, that the nodes φ_i + x take over all inputs. */
export const shifts = (p: number) => Array.from({ length: 2 * p }, (_, m) => (Math.PI * m) / p);

/**
 * Phases and weights of several groups of neurons laid out for neuronIntegral (group t: offsets[t] .. offsets[t+1]−1), and
 * each group's integrand coefficients shape[3t ..] = (a0, a1, a2) of P(u) = ReLU(a0 + a1 cos u + a2 cos 2u).
 */
export interface QuadratureInput {
  phases: F64;
  weights: F64;
  offsets: Uint32Array;
  shape: F64;
}

/** The plain integrand ReLU(cos u) of SPEC §3, whose products with cos 2u and sin 2u are f_c and f_s. */
export const PLAIN_INTEGRAND = [0, 1, 0] as const;

/** The learned nodes of each cluster: phases φ_i and weights w_i = r_i·s_i. */
export function clusterNodes(nf: readonly NeuronFourier[], cl: readonly Cluster[]): QuadratureInput {
  return quadratureInput(learnedGroups(nf, cl));
}

const learnedGroups = (nf: readonly NeuronFourier[], cl: readonly Cluster[]) =>
  cl.map((c) => ({ phases: c.neurons.map((i) => nf[i].phi), weights: c.neurons.map((i) => nf[i].w) }));

export function quadratureInput(groups: readonly { phases: ArrayLike<number>; weights: ArrayLike<number>; shape?: readonly number[] }[]): QuadratureInput {
  const n = groups.reduce((t, g) => t + g.phases.length, 0);
  const phases = new Float64Array(n);
  const weights = new Float64Array(n);
  const offsets = new Uint32Array(groups.length + 1);
  const shape = new Float64Array(3 * groups.length);
  groups.forEach((g, t) => {
    phases.set(Array.from(g.phases), offsets[t]);
    weights.set(Array.from(g.weights), offsets[t]);
    offsets[t + 1] = offsets[t] + g.phases.length;
    shape.set(g.shape ?? PLAIN_INTEGRAND, 3 * t);
  });
  return { phases, weights, offsets, shape };
}

/** Σ_i w_i P(u) cos 2u and Σ_i w_i P(u) sin 2u, u = φ_i + x_m, for every group and shift, in float64: [2, groups, shifts]. */
export function quadratureSums(q: QuadratureInput, x: readonly number[]): F64 {
  const s: NeuronIntegralShape = { groups: q.offsets.length - 1, neurons: q.phases.length, shifts: x.length };
  return neuronIntegral(nodeTable(q.phases), q.weights, q.offsets, nodeTable(x), q.shape, s);
}

/** The same sums by the WGSL kernel (float32; trig from the float64 tables), all groups and shifts in one dispatch. */
export async function quadratureSumsGpu(g: Gpu, k: KernelRegistry, q: QuadratureInput, x: readonly number[]): Promise<Float32Array> {
  const s: NeuronIntegralShape = { groups: q.offsets.length - 1, neurons: q.phases.length, shifts: x.length };
  if (!s.groups || !s.shifts) return new Float32Array(0); // nothing to sum, and a binding cannot be empty
  const n = Math.max(s.neurons, 1);
  return withOwner(g, async (o) => {
    const out = createTensor(o, 'f32', [2, s.groups, s.shifts], undefined, 'quadrature_sums');
    submit(g, [neuronIntegralGpu(k.ownedBy(o),
      createTensor(o, 'f32', [n, 2], s.neurons ? nodeTable(q.phases) : [0, 0]),
      createTensor(o, 'f32', [n], s.neurons ? q.weights : [0]),
      createTensor(o, 'u32', [q.offsets.length], q.offsets),
      createTensor(o, 'f32', [s.shifts, 2], nodeTable(x)), createTensor(o, 'f32', [s.groups, 3], q.shape), s, out)]);
    return readF32(g, out);
  });
}

/**
 * Each cluster's worst relative quadrature error over the shifts: max_m max(|S_c(m) − W·MEAN_FC|, |S_s(m)|)
 * divided by W·MEAN_FC, where S are the sums of quadratureSums ([2, groups, shifts], one group a cluster) and W = Σ w_i.
 */
export function relativeErrors(q: QuadratureInput, sums: ArrayLike<number>, nShifts: number): number[] {
  const T = q.offsets.length - 1;
  return Array.from({ length: T }, (_, t) => {
    let W = 0;
    for (let i = q.offsets[t]; i < q.offsets[t + 1]; i++) W += q.weights[i];
    const target = W * MEAN_FC;
    let worst = 0;
    for (let m = 0; m < nShifts; m++) {
      worst = Math.max(worst, Math.abs(sums[t * nShifts + m] - target), Math.abs(sums[(T + t) * nShifts + m]));
    }
    return worst / Math.abs(target);
  });
}

export interface ClusterQuadrature {
  k: number;
  neurons: number;
  weight: number;
  /** Relative quadrature error of the learned phases, and of the same weights at equispaced and at random phases. */
  relative_error: number;
  equispaced_relative_error: number;
  random_relative_error: number;
}

/**
 * The quadrature view of every cluster: learned phases; the same weights on an equispaced grid (assigned in
 * the order of the learned phases, so the neurons keep their order around the circle); the same weights at
 * uniformly random phases (seeded).
 */
export function clusterQuadrature(p: number, nf: readonly NeuronFourier[], cl: readonly Cluster[], seed = 0): ClusterQuadrature[] {
  const rng = new Rng(seed);
  const x = shifts(p);
  const learned = learnedGroups(nf, cl);
  const equi = learned.map((g) => {
    const order = g.phases.map((_, j) => j).sort((i, j) => g.phases[i] - g.phases[j]);
    const n = order.length;
    return { phases: order.map((_, r) => -Math.PI + (2 * Math.PI * (r + 0.5)) / n), weights: order.map((j) => g.weights[j]) };
  });
  const random = learned.map((g) => ({ phases: g.phases.map(() => (2 * rng.uniform() - 1) * Math.PI), weights: g.weights }));
  const errs = [learned, equi, random].map((groups) => {
    const q = quadratureInput(groups);
    return relativeErrors(q, quadratureSums(q, x), x.length);
  });
  return cl.map((c, t) => ({
    k: c.k, neurons: c.neurons.length, weight: c.weight,
    relative_error: errs[0][t], equispaced_relative_error: errs[1][t], random_relative_error: errs[2][t],
  }));
}
