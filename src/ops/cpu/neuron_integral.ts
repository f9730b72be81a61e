import type { F64 } from './types.js';

/**
 * Sizes of a neuron-integral evaluation: `groups` groups of neurons (group t is neurons offsets[t] .. offsets[t+1]−1 of
 * `neurons`, each with its own weights and integrand: a cluster, or one of its distance classes) at `shifts` shifts.
 */
export interface NeuronIntegralShape { groups: number; neurons: number; shifts: number }

/**
 * out[0, t, m] = Σ_{i in t} w_i·P_t(u)·cos 2u, out[1, t, m] = Σ_{i in t} w_i·P_t(u)·sin 2u at u = φ_i + x_m, with
 * P_t(u) = ReLU(a0 + a1 cos u + a2 cos 2u) and (a0, a1, a2) = shape[3t ..]: (0, 1, 0) gives f_c and f_s of SPEC §3.
 * shaders/neuron_integral.wgsl. nodes is [neurons, 2] = (cos φ_i, sin φ_i), shift is [shifts, 2] = (cos x_m, sin x_m):
 * trig values are inputs, taken from float64 by the caller (nodeTable), so the kernel itself computes no trig.
 */
export function neuronIntegral(
  nodes: ArrayLike<number>, weights: ArrayLike<number>, offsets: ArrayLike<number>, shift: ArrayLike<number>, shape: ArrayLike<number>, s: NeuronIntegralShape,
): F64 {
  const { groups, shifts } = s;
  const out = new Float64Array(2 * groups * shifts);
  for (let t = 0; t < groups; t++) {
    const [a0, a1, a2] = [shape[3 * t], shape[3 * t + 1], shape[3 * t + 2]];
    for (let m = 0; m < shifts; m++) {
      const cx = shift[2 * m];
      const sx = shift[2 * m + 1];
      let sc = 0;
      let ss = 0;
      for (let i = offsets[t]; i < offsets[t + 1]; i++) {
        const cu = nodes[2 * i] * cx - nodes[2 * i + 1] * sx;
        const su = nodes[2 * i + 1] * cx + nodes[2 * i] * sx;
        const c2 = cu * cu - su * su;
        const r = weights[i] * Math.max(a0 + a1 * cu + a2 * c2, 0);
        sc += r * c2;
        ss += r * (2 * su * cu);
      }
      out[t * shifts + m] = sc;
      out[(groups + t) * shifts + m] = ss;
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
