// Planted pizza-like MLP structures (SPEC §3) that are their own model (the brute-force tier runs
// structureForward on them), for the soundness property test and the scaling benchmark: U, V, c, W_L and D are drawn directly.
import type { MlpStructure } from '../interp/structure.js';
import type { Rng } from '../util/rng.js';

/**
 * d neurons on 1–3 random frequencies at p, each U_i(a) = r(cos(ωa + φ) − ρ cos 2(ωa + φ)) + noise, V likewise,
 * c_i = rκ + noise (now and then −10: a dead neuron), W_L[i, c] = s cos(ωc + 2φ + δ) + noise, D noise. Half the
 * models spread their phases evenly with near-equal weights, half at random.
 */
export function plantedStructure(rng: Rng, p: number, d: number, noise: number): { s: MlpStructure } {
  const K = Math.floor((p - 1) / 2);
  const freqs = Array.from({ length: 1 + rng.int(Math.min(3, K)) }, () => 1 + rng.int(K));
  const rho = 0.15 * rng.uniform();
  const kappa = 0.4 * (rng.uniform() - 0.5);
  const U = new Float64Array(p * d);
  const V = new Float64Array(p * d);
  const c = new Float64Array(d);
  const W_L = new Float64Array(d * p);
  const even = rng.uniform() < 0.5;
  for (let i = 0; i < d; i++) {
    const w = (2 * Math.PI * freqs[i % freqs.length]) / p;
    const phi = even ? -Math.PI + (2 * Math.PI * (i + 0.5 * rng.uniform())) / d : (2 * rng.uniform() - 1) * Math.PI;
    const r = even ? 1 + 0.05 * rng.normal() : 0.5 + rng.uniform();
    const sOut = even ? 1 + 0.05 * rng.normal() : 0.5 + rng.uniform();
    const delta = 0.1 * rng.normal();
    for (let x = 0; x < p; x++) {
      const ang = w * x + phi;
      U[x * d + i] = r * (Math.cos(ang) - rho * Math.cos(2 * ang)) + noise * rng.normal();
      V[x * d + i] = r * (Math.cos(ang) - rho * Math.cos(2 * ang)) + noise * rng.normal();
      W_L[i * p + x] = sOut * Math.cos(w * x + 2 * phi + delta) + noise * rng.normal();
    }
    c[i] = r * kappa + noise * rng.normal();
    if (rng.uniform() < 0.05) c[i] = -10;
  }
  const Da = Float64Array.from({ length: p * p }, () => noise * rng.normal());
  const Db = Float64Array.from({ length: p * p }, () => noise * rng.normal());
  const Dconst = Float64Array.from({ length: p }, () => noise * rng.normal());
  const s: MlpStructure = { p, d_mlp: d, d_vocab_out: p, exact: true, U, V, c, W_L, Da, Db, Dconst };
  return { s };
}
