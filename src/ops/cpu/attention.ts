import type { AttentionConvention } from '../../model/config.js';
import type { F64 } from './types.js';

/** q, k, v are [n_heads, batch·n_ctx, d_head]; only the last position's query is used (SPEC §1). */
export interface AttentionShape {
  batch: number;
  n_ctx: number;
  n_heads: number;
  d_head: number;
  attention_rate: number;
  convention: AttentionConvention;
}

/** The constant pattern C: 1 under `sum`, 1/n_ctx under `mean`. */
export const constantPatternValue = (s: { n_ctx: number; convention: AttentionConvention }) => (s.convention === 'sum' ? 1 : 1 / s.n_ctx);

/** softmax_j(q_last·k_j/√d_head) for one (example, head). */
function softmaxScores(q: ArrayLike<number>, k: ArrayLike<number>, s: AttentionShape, b: number, h: number): number[] {
  const { batch, n_ctx: n, d_head: dh } = s;
  const rowQ = (h * batch * n + b * n + n - 1) * dh;
  const scores = Array.from({ length: n }, (_, j) => {
    const rowK = (h * batch * n + b * n + j) * dh;
    let dot = 0;
    for (let e = 0; e < dh; e++) dot += q[rowQ + e] * k[rowK + e];
    return dot / Math.sqrt(dh);
  });
  const max = Math.max(...scores);
  const ex = scores.map((x) => Math.exp(x - max));
  const total = ex.reduce((x, y) => x + y, 0);
  return ex.map((x) => x / total);
}

/** z[b, h·d_head + e] = Σ_j pattern[b, h, j]·v[h, b·n + j, e]: shaders/attention.wgsl. */
export function attention(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, s: AttentionShape): { z: F64; pattern: F64 } {
  const { batch, n_ctx: n, n_heads: H, d_head: dh, attention_rate: alpha } = s;
  const C = constantPatternValue(s);
  const z = new Float64Array(batch * H * dh);
  const pattern = new Float64Array(batch * H * n);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const sm = softmaxScores(q, k, s, b, h);
      for (let j = 0; j < n; j++) {
        const w = alpha * sm[j] + (1 - alpha) * C;
        pattern[(b * H + h) * n + j] = w;
        const rowV = (h * batch * n + b * n + j) * dh;
        for (let e = 0; e < dh; e++) z[b * H * dh + h * dh + e] += w * v[rowV + e];
      }
    }
  }
  return { z, pattern };
}

/** Gradients of z with respect to q, k and v (dq is zero off the last position): shaders/attention_backward.wgsl. */
export function attentionBackward(dz: ArrayLike<number>, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, pattern: ArrayLike<number>, s: AttentionShape): { dq: F64; dk: F64; dv: F64 } {
  const { batch, n_ctx: n, n_heads: H, d_head: dh, attention_rate: alpha } = s;
  const len = H * batch * n * dh;
  const dq = new Float64Array(len);
  const dk = new Float64Array(len);
  const dv = new Float64Array(len);
  const scale = 1 / Math.sqrt(dh);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const dzRow = b * H * dh + h * dh;
      const row = (j: number) => (h * batch * n + b * n + j) * dh;
      // dpattern_j = dz·v_j; the constant part of the pattern has no parameters upstream.
      const dpat = Array.from({ length: n }, (_, j) => {
        let d = 0;
        for (let e = 0; e < dh; e++) {
          d += dz[dzRow + e] * v[row(j) + e];
          dv[row(j) + e] = pattern[(b * H + h) * n + j] * dz[dzRow + e];
        }
        return d;
      });
      // Softmax Jacobian, recomputing softmax (dividing the pattern by α would lose accuracy for small α).
      const sm = softmaxScores(q, k, s, b, h);
      const mean = sm.reduce((acc, p, j) => acc + p * dpat[j], 0);
      const last = row(n - 1);
      for (let j = 0; j < n; j++) {
        const ds = alpha * sm[j] * (dpat[j] - mean) * scale;
        for (let e = 0; e < dh; e++) {
          dq[last + e] += ds * k[row(j) + e];
          dk[row(j) + e] = ds * q[last + e];
        }
      }
    }
  }
  return { dq, dk, dv };
}
