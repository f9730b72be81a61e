// The model's inputs: (a, b) pairs as token rows with label (a + b) mod p.
import { type ModelConfig, tokensOf } from './config.js';

export interface Batch {
  /** Number of examples. */
  readonly size: number;
  /** [size, n_ctx] token ids (u32, as the GPU reads them). */
  readonly tokens: Uint32Array;
  /** [size] answers (a + b) mod p. */
  readonly labels: Uint32Array;
  /** The pairs, row by row. */
  readonly a: Uint32Array;
  readonly b: Uint32Array;
}

/** A batch of the given pairs; `indices` are flat pair ids a·p + b. */
export function batchOf(c: ModelConfig, indices: ArrayLike<number>): Batch {
  const n = indices.length;
  const tokens = new Uint32Array(n * c.n_ctx);
  const labels = new Uint32Array(n);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    const id = indices[r];
    a[r] = Math.floor(id / c.p);
    b[r] = id % c.p;
    tokens.set(tokensOf(c, a[r], b[r]), r * c.n_ctx);
    labels[r] = (a[r] + b[r]) % c.p;
  }
  return { size: n, tokens, labels, a, b };
}

/** All p² pairs, row a·p + b. */
export function allPairs(c: ModelConfig): Batch {
  return batchOf(c, Array.from({ length: c.p * c.p }, (_, i) => i));
}
