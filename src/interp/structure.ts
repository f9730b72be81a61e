// The exact additive structure of the MLP's input and the neuron-to-logit map (SPEC §3), in float64 from
// the weights. With constant attention the last position's residual is linear in the embeddings:
//   x1(a, b) = Σ_j E[t_j]·R_j + κ,   R_j = δ_{j,last}·I + w_j·W_OV,   W_OV = Σ_h W_V[h]·W_O[h],
//   κ = W_pos[last] + Σ_j w_j·(W_pos[j]·W_OV + Σ_h b_V[h]·W_O[h]) + b_O  (+ the '=' token's row),
// where w_j is the attention weight on position j (α = 0: the constant pattern C). Hence
//   h_i(a, b) = U_i(a) + V_i(b) + c_i  and  logits = ReLU(h)·W_L + D_a[a] + D_b[b] + D_const,
// with W_L = W_out·W_U. For α > 0 the pattern depends on (a, b); the same formulas are used with the
// softmax part replaced by uniform attention 1/n_ctx (its value when all scores tie), which is only an
// approximation: measure it with splitError against the real hook_pre.
import { constantPatternValue } from '../ops/cpu/attention.js';
import { matmul } from '../ops/cpu/matmul.js';
import type { F64 } from '../ops/cpu/types.js';
import { type ModelConfig, tokensOf } from '../model/config.js';
import type { ParamValues } from '../model/params.js';
import { mm } from '../model/schedule.js';

export interface MlpStructure {
  readonly p: number;
  readonly d_mlp: number;
  readonly d_vocab_out: number;
  /** True when the split is exact up to rounding (α = 0). */
  readonly exact: boolean;
  /** [p, d_mlp]: U[a·d_mlp + i], the first token's contribution to neuron i. */
  readonly U: F64;
  /** [p, d_mlp]: V[b·d_mlp + i], the second token's (b, or b + p under diff_vocab). */
  readonly V: F64;
  /** [d_mlp]: positions, '=' token and biases. */
  readonly c: F64;
  /** [d_mlp, d_vocab_out]: W_out·W_U. */
  readonly W_L: F64;
  /** [p, d_vocab_out]: the non-MLP logits (direct and attention paths) from the first token. */
  readonly Da: F64;
  /** [p, d_vocab_out]: the same from the second token. */
  readonly Db: F64;
  /** [d_vocab_out]: the non-MLP logits' constant part (positions, '=', b_O, b_out·W_U, b_U). */
  readonly Dconst: F64;
}

/** U, V, c, W_L and the non-MLP logits D = D_a + D_b + D_const, in float64 from the weights. */
export function mlpStructure(c: ModelConfig, params: ParamValues): MlpStructure {
  const { p, n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab_out: V } = c;
  const last = n - 1;
  const C = constantPatternValue({ n_ctx: n, convention: c.attention_convention });
  const w = (1 - c.attention_rate) * C + c.attention_rate / n;

  const W_OV = new Float64Array(dm * dm);
  for (let h = 0; h < H; h++) {
    const Wv = sliceOf(params['blocks.0.attn.W_V'], h * dm * dh, dm * dh);
    const Wo = sliceOf(params['blocks.0.attn.W_O'], h * dh * dm, dh * dm);
    matmul(Wv, Wo, mm(dm, dm, dh), { accumulate: W_OV });
  }
  // R_j = δ_{j,last}·I + w·W_OV: the residual map of position j.
  const R = (j: number) => {
    const r = W_OV.map((x) => w * x);
    if (j === last) for (let d = 0; d < dm; d++) r[d * dm + d] += 1;
    return r;
  };
  const W_E = params['embed.W_E'];
  const rowsOf = (j: number, tokens: number[]) => {
    const e = new Float64Array(tokens.length * dm);
    tokens.forEach((t, r) => { for (let d = 0; d < dm; d++) e[r * dm + d] = W_E[t * dm + d]; });
    return matmul(e, R(j), mm(tokens.length, dm, dm));
  };
  const range = Array.from({ length: p }, (_, x) => x);
  const resA = rowsOf(0, range.map((a) => tokensOf(c, a, 0)[0]));
  const resB = rowsOf(1, range.map((b) => tokensOf(c, 0, b)[1]));

  // κ: positions, value and output biases, and the '=' token (position 2) when present.
  const kappa = new Float64Array(dm);
  const W_pos = params['pos_embed.W_pos'];
  const posSum = new Float64Array(dm);
  for (let j = 0; j < n; j++) for (let d = 0; d < dm; d++) posSum[d] += W_pos[j * dm + d];
  matmul(posSum, W_OV, mm(1, dm, dm), { alpha: w, accumulate: kappa });
  matmul(params['blocks.0.attn.b_V'], params['blocks.0.attn.W_O'], mm(1, dm, H * dh), { alpha: n * w, accumulate: kappa });
  for (let d = 0; d < dm; d++) kappa[d] += W_pos[last * dm + d] + params['blocks.0.attn.b_O'][d];
  if (c.eq_token) rowsOf(2, [tokensOf(c, 0, 0)[2]]).forEach((x, d) => (kappa[d] += x));

  const W_in = params['blocks.0.mlp.W_in'];
  const W_U = params['unembed.W_U'];
  const U = matmul(resA, W_in, mm(p, d_mlp, dm));
  const Vb = matmul(resB, W_in, mm(p, d_mlp, dm));
  const cc = matmul(kappa, W_in, mm(1, d_mlp, dm), { bias: params['blocks.0.mlp.b_in'] });
  const W_L = matmul(params['blocks.0.mlp.W_out'], W_U, mm(d_mlp, V, dm));
  const Da = matmul(resA, W_U, mm(p, V, dm));
  const Db = matmul(resB, W_U, mm(p, V, dm));
  const kOut = kappa.map((x, d) => x + params['blocks.0.mlp.b_out'][d]);
  const Dconst = matmul(kOut, W_U, mm(1, V, dm), { bias: params['unembed.b_U'] });
  return { p, d_mlp, d_vocab_out: V, exact: c.attention_rate === 0, U, V: Vb, c: cc, W_L, Da, Db, Dconst };
}

function sliceOf(a: ArrayLike<number>, start: number, len: number): F64 {
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = a[start + i];
  return out;
}

/** h_i(a, b) = U_i(a) + V_i(b) + c_i. */
export function splitPre(s: MlpStructure, a: number, b: number, i: number): number {
  return s.U[a * s.d_mlp + i] + s.V[b * s.d_mlp + i] + s.c[i];
}

/** D(a, b, c) = D_a[a, c] + D_b[b, c] + D_const[c]: the logits that do not pass through the MLP. */
export function restLogit(s: MlpStructure, a: number, b: number, c: number): number {
  const V = s.d_vocab_out;
  return s.Da[a * V + c] + s.Db[b * V + c] + s.Dconst[c];
}

/** max |hook_pre − (U + V + c)| over all p² inputs; hookPre is [p², d_mlp] in allPairs order (a·p + b). */
export function splitError(s: MlpStructure, hookPre: ArrayLike<number>): number {
  const { p, d_mlp } = s;
  if (hookPre.length !== p * p * d_mlp) throw new Error(`splitError: hook_pre has ${hookPre.length} values, expected p²·d_mlp = ${p * p * d_mlp}`);
  let worst = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = (a * p + b) * d_mlp;
      for (let i = 0; i < d_mlp; i++) worst = Math.max(worst, Math.abs(hookPre[row + i] - splitPre(s, a, b, i)));
    }
  }
  return worst;
}

/**
 * The least-squares additive split of measured pre-activations (hookPre [p², d_mlp], allPairs order):
 * U_i(a) = mean_b h_i(a, b) − m_i, V_i(b) = mean_a h_i(a, b) − m_i, c_i = m_i (the grand mean) — for
 * α > 0, where the split from the weights is only an approximation. W_L and D are kept from s.
 */
export function fitSplit(s: MlpStructure, hookPre: ArrayLike<number>): MlpStructure {
  const { p, d_mlp } = s;
  if (hookPre.length !== p * p * d_mlp) throw new Error(`fitSplit: hook_pre has ${hookPre.length} values, expected p²·d_mlp = ${p * p * d_mlp}`);
  const U = new Float64Array(p * d_mlp);
  const V = new Float64Array(p * d_mlp);
  const c = new Float64Array(d_mlp);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = (a * p + b) * d_mlp;
      for (let i = 0; i < d_mlp; i++) {
        const h = hookPre[row + i] / p;
        U[a * d_mlp + i] += h;
        V[b * d_mlp + i] += h;
        c[i] += h / p;
      }
    }
  }
  for (let x = 0; x < p; x++) {
    for (let i = 0; i < d_mlp; i++) {
      U[x * d_mlp + i] -= c[i];
      V[x * d_mlp + i] -= c[i];
    }
  }
  return { ...s, exact: false, U, V, c };
}
