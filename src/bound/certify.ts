// Certification shared by the cheaper tiers (SPEC §4): each gives, for every input (a, b), a bound ε̄(a, b) ≥ max_{c<p}
// |M(a, b, c) − M̂(a, b, c)| proven in real arithmetic (float64 with rounding allowances), and certifies (a, b) when
// min_{c≠a+b} [M̂(a,b,a+b) − M̂(a,b,c) + D(a,b,a+b) − D(a,b,c)] > 2ε̄(a, b): then the true logit of a + b beats every other,
// since each of M(·, c*) and M(·, c) is within ε̄(a, b) of M̂. (SPEC §4 states the rule with one ε̄; the input's own bound is
// never larger, so the rule is the same, applied input by input.) A tier's ε̄ is the max over inputs.
import type { F64 } from '../ops/cpu/types.js';
import { modn } from './explanation.js';
import { U64 } from './integrand.js';

export interface TierResult {
  eps_bound: number;
  certified_accuracy: number;
  uncertified: [number, number][];
  /** How it certifies an input: from the forward pass, per input against ε̄(a, b), or per logit. */
  certificate: string;
  flops: number;
  seconds: number;
}

export interface Certification {
  certified: Uint8Array;
  accuracy: number;
  uncertified: [number, number][];
}

/**
 * Certify every input: mTable is M̂ by [d, j] (explanationTable), D(a, b, c) the rest of the logits, eps the
 * per-input bounds [p²]; slack covers the margin's own float64 rounding and the structure's.
 */
export function certify(p: number, mTable: F64, D: (a: number, b: number, c: number) => number, eps: F64, slack: number): Certification {
  const margin = margins(p, mTable, D);
  const certified = new Uint8Array(p * p);
  const uncertified: [number, number][] = [];
  for (let j = 0; j < p * p; j++) {
    if (margin[j] > 2 * eps[j] * (1 + 4 * U64) + slack) certified[j] = 1;
    else uncertified.push([Math.floor(j / p), j % p]);
  }
  return { certified, accuracy: (p * p - uncertified.length) / (p * p), uncertified };
}

/** Per input [p²]: the explanation's margin min_{c≠a+b} [M̂(a,b,a+b) − M̂(a,b,c) + D(a,b,a+b) − D(a,b,c)], as computed. */
export function margins(p: number, mTable: F64, D: (a: number, b: number, c: number) => number): F64 {
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const d = modn(a - b, p);
      const cs = (a + b) % p;
      const top = mTable[d * p] + D(a, b, cs);
      let margin = Infinity;
      for (let c = 0; c < p; c++) {
        if (c === cs) continue;
        margin = Math.min(margin, top - mTable[d * p + modn(c - cs, p)] - D(a, b, c));
      }
      out[a * p + b] = margin;
    }
  }
  return out;
}

