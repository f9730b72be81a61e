import type { F64 } from './types.js';

/**
 * Sizes of a neuron-integral evaluation: `clusters` groups of neurons (cluster t is neurons
 * offsets[t] .. offsets[t+1]−1 of `neurons`) evaluated at `shifts` shifts.
 */
export interface NeuronIntegralShape { clusters: number; neurons: number; shifts: number }

/**
 * out[0, t, m] = Σ_{i in t} w_i·f_c(φ_i + x_m), out[1, t, m] = Σ_{i in t} w_i·f_s(φ_i + x_m), with
 * f_c(u) = ReLU(cos u)·cos 2u, f_s(u) = ReLU(cos u)·sin 2u (SPEC §3): shaders/neuron_integral.wgsl.
 * nodes is [neurons, 2] = (cos φ_i, sin φ_i), shift is [shifts, 2] = (cos x_m, sin x_m): trig values are
 * inputs, taken from float64 by the caller (nodeTable), so the kernel itself computes no trig.
 */
export function neuronIntegral(
  nodes: ArrayLike<number>, weights: ArrayLike<number>, offsets: ArrayLike<number>, shift: ArrayLike<number>, s: NeuronIntegralShape,
): F64 {
  const { clusters, shifts } = s;
  const out = new Float64Array(2 * clusters * shifts);
  for (let t = 0; t < clusters; t++) {
    for (let m = 0; m < shifts; m++) {
      const cx = shift[2 * m];
      const sx = shift[2 * m + 1];
      let sc = 0;
      let ss = 0;
      for (let i = offsets[t]; i < offsets[t + 1]; i++) {
        const cu = nodes[2 * i] * cx - nodes[2 * i + 1] * sx;
        const su = nodes[2 * i + 1] * cx + nodes[2 * i] * sx;
        const r = weights[i] * Math.max(cu, 0);
        sc += r * (cu * cu - su * su);
        ss += r * (2 * su * cu);
      }
      out[t * shifts + m] = sc;
      out[(clusters + t) * shifts + m] = ss;
    }
  }
  return out;
}

/** [angles.length, 2] = (cos θ, sin θ) in float64: the node or shift table neuronIntegral takes. */
export function nodeTable(angles: ArrayLike<number>): F64 {
  const t = new Float64Array(2 * angles.length);
  for (let i = 0; i < angles.length; i++) {
    t[2 * i] = Math.cos(angles[i]);
    t[2 * i + 1] = Math.sin(angles[i]);
  }
  return t;
}
