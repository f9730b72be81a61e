// An exact judge for tiny models: the forward pass at α = 0 (pattern ≡ 1, or 1/2 under 'mean' with two positions) in exact dyadic
// arithmetic (BigInt mantissa times a power of two), so a certificate is checked against real arithmetic, not float64.
import { type ModelConfig, tokensOf } from '../../src/model/config.js';
import type { ParamValues } from '../../src/model/params.js';

/** m·2^e exactly. */
interface Dy { m: bigint; e: number }

const ZERO: Dy = { m: 0n, e: 0 };

function dy(x: number): Dy {
  if (!Number.isFinite(x)) throw new Error(`exact: ${x} is not a real number`);
  let e = 0;
  while (!Number.isInteger(x)) { x *= 2; e--; } // exact: doubling a float below 2^53 never rounds
  return { m: BigInt(x), e };
}
const add = (a: Dy, b: Dy): Dy => (a.e <= b.e ? { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e } : add(b, a));
const mul = (a: Dy, b: Dy): Dy => ({ m: a.m * b.m, e: a.e + b.e });
const sign = (a: Dy) => (a.m > 0n ? 1 : a.m < 0n ? -1 : 0);
const sub = (a: Dy, b: Dy): Dy => add(a, { m: -b.m, e: b.e });

/** x·W + b for a row x and W [K, N] (row-major, from offset wo), exactly. */
function affine(x: Dy[], W: ArrayLike<number>, wo: number, N: number, b?: ArrayLike<number>, bo = 0): Dy[] {
  return Array.from({ length: N }, (_, j) => {
    let s = b ? dy(b[bo + j]) : ZERO;
    x.forEach((xk, k) => { s = add(s, mul(xk, dy(W[wo + k * N + j]))); });
    return s;
  });
}

/**
 * Per input (a·p + b): whether the exact argmax over the first p logits is a + b (ties wrong). Only the inputs listed in `only`
 * are judged (the others read 0), for wide models where exact arithmetic on all p² inputs is slow.
 */
export function exactCorrect(c: ModelConfig, P: ParamValues, only?: number[]): Uint8Array {
  // The pattern at α = 0 is C: 1 (sum) or 1/n_ctx (mean), exact in binary for n_ctx = 2.
  const C = c.attention_convention === 'sum' ? 1 : 1 / c.n_ctx;
  if (c.attention_rate !== 0 || (c.attention_convention === 'mean' && c.n_ctx !== 2)) throw new Error('exact judge: α = 0, and the sum convention or n_ctx = 2');
  const { p, n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp: N, d_vocab_out: V } = c;
  const out = new Uint8Array(p * p);
  for (const id of only ?? Array.from({ length: p * p }, (_, j) => j)) {
    const a = Math.floor(id / p);
    const b = id % p;
    const tok = tokensOf(c, a, b);
    const x0 = tok.map((t, j) => Array.from({ length: dm }, (_, k) => add(dy(P['embed.W_E'][t * dm + k]), dy(P['pos_embed.W_pos'][j * dm + k]))));
    let x1 = x0[n - 1];
    for (let h = 0; h < H; h++) {
      // z_h = Σ_j C·v_j, then x1 += z_h·W_O[h].
      let z: Dy[] = Array.from({ length: dh }, () => ZERO);
      for (let j = 0; j < n; j++) z = affine(x0[j], P['blocks.0.attn.W_V'], h * dm * dh, dh, P['blocks.0.attn.b_V'], h * dh).map((v, e) => add(z[e], mul(dy(C), v)));
      x1 = affine(z, P['blocks.0.attn.W_O'], h * dh * dm, dm).map((v, k) => add(x1[k], v));
    }
    x1 = x1.map((v, k) => add(v, dy(P['blocks.0.attn.b_O'][k])));
    const post = affine(x1, P['blocks.0.mlp.W_in'], 0, N, P['blocks.0.mlp.b_in']).map((h) => (sign(h) > 0 ? h : ZERO));
    const x2 = affine(post, P['blocks.0.mlp.W_out'], 0, dm, P['blocks.0.mlp.b_out']).map((v, k) => add(v, x1[k]));
    const logits = affine(x2, P['unembed.W_U'], 0, V, P['unembed.b_U']);
    const cs = (a + b) % p;
    let ok = true;
    for (let o = 0; o < p; o++) if (o !== cs && sign(sub(logits[cs], logits[o])) <= 0) ok = false;
    out[a * p + b] = ok ? 1 : 0;
  }
  return out;
}
