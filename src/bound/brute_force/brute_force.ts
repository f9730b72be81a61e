// The brute-force tier (SPEC §4, first bullet): it proves what the model does, from the forward pass on all p²
// inputs with proven radii (forward.ts). Input (a, b) is certified when its correct logit beats every other logit
// c < p in real arithmetic: L̃(a+b) − L̃(c) > r(a+b) + r(c). It is certainly wrong when some logit c ≠ a + b is ≥ the
// correct one in real arithmetic (or the forward pass gives no number), so the true accuracy lies between the two
// shares. The same pass measures the explanation's error ε = max |M − M̂| (M = post·W_L, the MLP's logits), with a
// proven interval around the computed value: the figure the cheaper tiers bound.
import type { F64 } from '../../ops/cpu/types.js';
import { modn } from '../explanation.js';
import { U64, gamma } from '../integrand.js';
import { type Forward, up } from './forward.js';

export interface BruteForce {
  /** Per input: max_c |M̃ − M̂| as computed (a measurement), and a proven upper bound on the real max_c |M − M̂|. */
  eps: F64;
  epsBound: F64;
  /** The computed ε and a proven interval [lo, hi] around the real ε. */
  eps_true: number;
  eps_range: [number, number];
  /** Per input: certified (proven correct), and the float64 forward pass's own answer (argmax is a + b; ties wrong). */
  certified: Uint8Array;
  correct: Uint8Array;
  /** The forward pass's own accuracy (measured) and a proven interval around the real one. */
  accuracy: number;
  accuracy_range: [number, number];
  flops: number;
}

/** a − b > r proven in real arithmetic from floats a, b and r ≥ 0 (the subtraction and both scalings rounded; η for underflow). */
export function provenAbove(a: number, b: number, r: number): boolean {
  return (a - b) * (1 - 4 * U64) > r * (1 + 4 * U64) + Number.MIN_VALUE;
}

/** The brute-force tier from a forward pass with radii and M̂ as the table mTable [p (a − b), p (c − a − b)]. */
export function bruteForce(f: Forward, mTable: F64): BruteForce {
  const { p, d_mlp: n, d_vocab_out: V, post, postRad, W_L, W_LRad, logits, logitRad } = f;
  const B = p * p;
  const eps = new Float64Array(B);
  const epsBound = new Float64Array(B);
  const certified = new Uint8Array(B);
  const correct = new Uint8Array(B);
  let eps_true = 0;
  let lo = 0;
  let hi = 0;
  let nWrong = 0;
  const g = gamma(n);
  for (let r = 0; r < B; r++) {
    const a = Math.floor(r / p);
    const b = r % p;
    const d = modn(a - b, p);
    const cs = (a + b) % p;
    // M = Σ_i post_i·W_L[i, c] (n products from 0): radius Σ r_post(|W_L| + r_W) + post·r_W + γ_n·Σ|post·W_L|.
    let worst = 0;
    let worstUp = 0;
    let worstLo = 0;
    for (let c = 0; c < p; c++) {
      let m = 0;
      let rad = 0;
      for (let i = 0; i < n; i++) {
        const w = W_L[i * V + c];
        const x = post[r * n + i];
        const rw = W_LRad ? W_LRad[i * V + c] : 0;
        m += x * w;
        rad += postRad[r * n + i] * (Math.abs(w) + rw) + x * rw + g * Math.abs(x * w);
      }
      const e = Math.abs(m - mTable[d * p + modn(c - cs, p)]);
      const radUp = up(rad, 5 * n);
      worst = Math.max(worst, e);
      worstUp = Math.max(worstUp, up(e + radUp, 2));
      worstLo = Math.max(worstLo, (e * (1 - 2 * U64) - radUp) * (1 - 4 * U64)); // e(1 − 2u) is below the exact |m − M̂|, and so on
    }
    eps[r] = worst;
    epsBound[r] = worstUp;
    eps_true = Math.max(eps_true, worst);
    hi = Math.max(hi, worstUp);
    lo = Math.max(lo, worstLo);
    // Answers: over c < p, from the same logits.
    const top = logits[r * V + cs];
    const rTop = logitRad[r * V + cs];
    let proven = Number.isFinite(top);
    let wrong = !proven;
    let measured = proven;
    for (let c = 0; c < p; c++) {
      if (c === cs) continue;
      const l = logits[r * V + c];
      const rad = rTop + logitRad[r * V + c];
      if (!(top > l)) measured = false;
      if (!provenAbove(top, l, rad)) proven = false;
      // Logit c ≥ the correct one in real arithmetic: proven above it, or equal with nothing rounded.
      if (!Number.isFinite(l) || provenAbove(l, top, rad) || (rad === 0 && l >= top)) wrong = true;
    }
    certified[r] = proven && !wrong ? 1 : 0;
    correct[r] = measured ? 1 : 0;
    if (wrong) nWrong++;
  }
  const count = (x: Uint8Array) => x.reduce((t, v) => t + v, 0);
  return {
    eps, epsBound, eps_true, eps_range: [lo, hi], certified, correct,
    accuracy: count(correct) / B,
    accuracy_range: [count(certified) / B, (B - nWrong) / B],
    flops: f.flops + B * p * n * 6,
  };
}
