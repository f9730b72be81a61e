// The brute-force tier's forward pass (SPEC §4): the real model on all p² inputs in float64, each value paired
// with a radius proven ≥ |computed − real| (real: exact arithmetic on the same float32 weights). Two sources:
// a checkpoint, whose values come from the CPU forward pass itself (src/model/schedule.ts on the CpuBackend, the
// pass the model's accuracy comes from), and a planted structure, whose own logits D + ReLU(U + V + c)·W_L are the
// model. Every radius follows from Higham's model of float64: fl(x op y) = (x op y)(1 + δ) + ε, |δ| ≤ u = 2^-53,
// |ε| ≤ η/2 (η = 2^-1074, the least subnormal; ε = 0 for + and −), so a sum of K products and m other terms in any
// order errs by ≤ γ_{K+m}·Σ|terms| + K·η; radii of the operands add Σ|weight|·radius. The one value not from
// IEEE-exact operations is Math.exp in the softmax, allowed EXP_REL relative (V8's fdlibm exp is within 1 ulp).
import type { MlpStructure } from '../../interp/structure.js';
import type { ModelConfig } from '../../model/config.js';
import { forwardCpu } from '../../model/cpu_model.js';
import { allPairs } from '../../model/inputs.js';
import type { ParamValues } from '../../model/params.js';
import { mm } from '../../model/schedule.js';
import { constantPatternValue } from '../../ops/cpu/attention.js';
import { matmul } from '../../ops/cpu/matmul.js';
import type { F64 } from '../../ops/cpu/types.js';
import { U64, gamma } from '../integrand.js';

/** The least positive subnormal: a product's underflow loses at most half of it. */
export const ETA = 2 ** -1074;
/** Relative error allowed for Math.exp (a declared assumption: V8's exp, from fdlibm, errs by < 1 ulp = 2^-52). */
export const EXP_REL = 2 ** -44;

/**
 * A computed sum t of n non-negative terms, each at most 4 roundings deep before the n − 1 additions (underflows
 * included), raised to a proven upper bound of the exact sum; the raise's own rounding is covered by the factor 2.
 */
export const up = (t: number, n: number) => (t + 5 * n * ETA) * (1 + 2 * gamma(n + 5));

/** Floating-point operations of one forward pass over all p² inputs (matmuls; the model as SPEC §1 runs it). */
export function forwardFlops(c: ModelConfig): number {
  const perInput = 2 * c.n_ctx * c.d_model * 3 * c.n_heads * c.d_head // q, k, v at every position
    + 4 * c.n_heads * c.n_ctx * c.d_head // last query's scores and weighted values
    + 2 * c.n_heads * c.d_head * c.d_model // W_O
    + 4 * c.d_model * c.d_mlp // W_in and W_out
    + 2 * c.d_model * c.d_vocab_out; // W_U
  return c.p * c.p * perInput;
}

/** The forward pass on all p² inputs (row a·p + b), with proven radii. */
export interface Forward {
  p: number;
  d_mlp: number;
  d_vocab_out: number;
  /** ReLU(hook_pre) [p², d_mlp] and its radius. */
  post: F64;
  postRad: F64;
  /** W_L = W_out·W_U [d_mlp, d_vocab_out] as computed, and its entrywise radius (null: exact). */
  W_L: F64;
  W_LRad: F64 | null;
  /** logits [p², d_vocab_out] and their radius. */
  logits: F64;
  logitRad: F64;
  /** Flops of the values and of the radii. */
  flops: number;
}

/** max(0, h) of a value h with radius r: the radius is r, or 0 when h + r ≤ 0 (then the real value is 0 too). */
const reluRad = (h: number, r: number) => (h + r > 0 ? r : 0);

/**
 * The model's forward pass (forwardCpu: the values the accuracy comes from) and a radius for each value, stage by stage
 * as schedule.ts computes them: embeddings (one addition), q/k/v (dm products and a bias), the last query's scores
 * (d_head products, a division by fl(√d_head) ≥ 1), softmax, the pattern α·σ + (1 − α)·C, z (n_ctx products), x1 =
 * x0[last] + z·W_O + b_O, hook_pre = x1·W_in + b_in, ReLU, x2 = x1 + post·W_out + b_out, logits = x2·W_U + b_U. The softmax:
 * with score radii r_j, t_j = fl(s_j − max s) is within τ = max_j (r_j + 2u|t_j|) of the real shifted score, exp adds
 * EXP_REL and the normalisation γ_{n+1}, so σ_j/σ̃_j lies within e^{±Λ}, Λ = 2τ + 4·EXP_REL + 2γ_{n+1}, and |σ_j − σ̃_j| ≤
 * σ̃_j·Λ(1 + Λ) for Λ ≤ 1 (never more than 1); an underflowed exp adds 2η. At α = 0 the softmax contributes α·σ̃ = 0 exactly,
 * unless σ̃ is not finite: then, as in real arithmetic on a NaN weight, the pattern and everything after it is NaN.
 */
export function modelForward(cfg: ModelConfig, params: ParamValues): Forward {
  const { p, n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp: N, d_vocab_out: V, attention_rate: alpha } = cfg;
  const act = forwardCpu(cfg, params, allPairs(cfg));
  const B = p * p;
  const P = (name: keyof ParamValues) => params[name];
  const abs = (name: keyof ParamValues) => Float64Array.from(P(name), Math.abs);
  const [aWQ, aWK, aWV, aWO, aWin, aWout, aWU] = (['blocks.0.attn.W_Q', 'blocks.0.attn.W_K', 'blocks.0.attn.W_V', 'blocks.0.attn.W_O', 'blocks.0.mlp.W_in', 'blocks.0.mlp.W_out', 'unembed.W_U'] as const).map(abs);
  const bQ = P('blocks.0.attn.b_Q'), bK = P('blocks.0.attn.b_K'), bV = P('blocks.0.attn.b_V'), bO = P('blocks.0.attn.b_O');
  const bIn = P('blocks.0.mlp.b_in'), bOut = P('blocks.0.mlp.b_out'), bU = P('unembed.b_U');
  const C = constantPatternValue({ n_ctx: n, convention: cfg.attention_convention });
  const oneMinus = 1 - alpha;
  const u = U64;

  const postRad = new Float64Array(B * N);
  const logitRad = new Float64Array(B * V);
  const r0 = new Float64Array(n * dm);
  const rq = new Float64Array(H * dh);
  const rk = new Float64Array(H * n * dh);
  const rv = new Float64Array(H * n * dh);
  const rz = new Float64Array(H * dh);
  const rP = new Float64Array(n);
  const r1 = new Float64Array(dm);
  const r2 = new Float64Array(dm);
  const rPre = new Float64Array(N);
  // A row's radius: out[j] = up(Σ_k |W[k, j]|·(r[k] + γ|x[k]|) + γ·Σ|extra terms| + Σ their radii) for a product x·W (K rows).
  const rowRad = (x: ArrayLike<number>, xo: number, r: ArrayLike<number>, ro: number, W: F64, wo: number, K: number, cols: number, extra: (j: number) => number, m: number, out: F64, oo: number) => {
    const g = gamma(K + m);
    for (let j = 0; j < cols; j++) out[oo + j] = 0;
    for (let k = 0; k < K; k++) {
      const t = r[ro + k] + g * Math.abs(x[xo + k]);
      for (let j = 0; j < cols; j++) out[oo + j] += W[wo + k * cols + j] * t;
    }
    for (let j = 0; j < cols; j++) out[oo + j] = up(out[oo + j] + extra(j), K + m + 1);
  };
  for (let row = 0; row < B; row++) {
    // x0 = W_E[token] + W_pos[j]: one rounding.
    for (let t = 0; t < n * dm; t++) r0[t] = up(u * Math.abs(act.x0[row * n * dm + t]), 1);
    for (let h = 0; h < H; h++) {
      const rowOf = (j: number) => (h * B * n + row * n + j) * dh;
      for (let j = 0; j < n; j++) {
        rowRad(act.x0, (row * n + j) * dm, r0, j * dm, aWK, h * dm * dh, dm, dh, (e) => gamma(dm + 1) * Math.abs(bK[h * dh + e]), 1, rk, (h * n + j) * dh);
        rowRad(act.x0, (row * n + j) * dm, r0, j * dm, aWV, h * dm * dh, dm, dh, (e) => gamma(dm + 1) * Math.abs(bV[h * dh + e]), 1, rv, (h * n + j) * dh);
      }
      rowRad(act.x0, (row * n + n - 1) * dm, r0, (n - 1) * dm, aWQ, h * dm * dh, dm, dh, (e) => gamma(dm + 1) * Math.abs(bQ[h * dh + e]), 1, rq, h * dh);
      // Scores s_j = q·k_j / fl(√dh) with radius ≤ Σ(|q|r_k + |k|r_q + r_q r_k) + γ_dh·Σ|q k| (dividing by √dh ≥ 1 only shrinks it)
      // + 3u|s̃| (the square root and the division); then the shifted scores and the softmax as in the doc.
      const q = act.q;
      const scores = new Float64Array(n);
      let tau = 0;
      for (let j = 0; j < n; j++) {
        let dot = 0, e1 = 0, e2 = 0;
        for (let e = 0; e < dh; e++) {
          const qe = q[rowOf(n - 1) + e], ke = act.k[rowOf(j) + e];
          const rqe = rq[h * dh + e], rke = rk[(h * n + j) * dh + e];
          dot += qe * ke;
          e1 += Math.abs(qe) * rke + Math.abs(ke) * rqe + rqe * rke;
          e2 += Math.abs(qe * ke);
        }
        scores[j] = dot / Math.sqrt(dh);
        const rs = up(e1 + gamma(dh) * e2, 3 * dh + 2) + 3 * u * Math.abs(scores[j]) + ETA;
        tau = Math.max(tau, rs);
      }
      const smax = Math.max(...scores);
      let tShift = 0;
      for (let j = 0; j < n; j++) tShift = Math.max(tShift, 2 * u * Math.abs(scores[j] - smax));
      const Lam = up(2 * (tau + tShift) + 4 * EXP_REL + 2 * gamma(n + 1), 4);
      const rel = Lam <= 1 ? up(Lam * (1 + Lam), 2) : Infinity;
      for (let j = 0; j < n; j++) {
        // σ̃ ≤ 1 (fl(e/total) with e ≤ total), so |σ − σ̃| ≤ rel + 6η (an underflowed exp, total ≥ 1), and never more than 1.
        const rSigma = Math.min(1, up(rel, 2) + 6 * ETA);
        // P = α·σ + (1 − α)·C: α·r_σ, then the rounding of α·σ̃ (≤ uα), of fl(1 − α)·fl(C) (C = 1/n_ctx may round) and of the sum.
        const pat = act.pattern[(row * H + h) * n + j];
        rP[j] = up(alpha * (rSigma + u) + 5 * u * Math.abs(oneMinus) * C + 2 * u * Math.abs(pat), 6);
      }
      // z_e = Σ_j P_j v_j (n products from 0).
      for (let e = 0; e < dh; e++) {
        let t = 0;
        for (let j = 0; j < n; j++) {
          const P_ = act.pattern[(row * H + h) * n + j];
          const v = act.v[rowOf(j) + e];
          const rve = rv[(h * n + j) * dh + e];
          t += Math.abs(P_) * rve + rP[j] * (Math.abs(v) + rve) + gamma(n) * Math.abs(P_ * v);
        }
        rz[h * dh + e] = up(t, 3 * n);
      }
    }
    // x1 = x0[last] (exact: a one-hot product) + z·W_O + b_O.
    const x1prev = (row * n + n - 1) * dm;
    rowRad(act.z, row * H * dh, rz, 0, aWO, 0, H * dh, dm, (j) => r0[(n - 1) * dm + j] + gamma(H * dh + 2) * (Math.abs(act.x0[x1prev + j]) + Math.abs(bO[j])), 2, r1, 0);
    rowRad(act.x1, row * dm, r1, 0, aWin, 0, dm, N, (i) => gamma(dm + 1) * Math.abs(bIn[i]), 1, rPre, 0);
    for (let i = 0; i < N; i++) postRad[row * N + i] = reluRad(act.hook_pre[row * N + i], rPre[i]);
    rowRad(act.hook_post, row * N, postRad, row * N, aWout, 0, N, dm, (j) => r1[j] + gamma(N + 2) * (Math.abs(act.x1[row * dm + j]) + Math.abs(bOut[j])), 2, r2, 0);
    rowRad(act.x2, row * dm, r2, 0, aWU, 0, dm, V, (c) => gamma(dm + 1) * Math.abs(bU[c]), 1, logitRad, row * V);
  }
  // W_L = W_out·W_U: dm products from 0, so within γ_dm·(|W_out|·|W_U|) + dm·η.
  const W_L = matmul(P('blocks.0.mlp.W_out'), P('unembed.W_U'), mm(N, V, dm));
  const absWL = matmul(aWout, aWU, mm(N, V, dm));
  const W_LRad = absWL.map((x) => up(gamma(dm) * x, dm + 1));
  // The values and their radii (a product per product, about), and W_L with its radius.
  return { p, d_mlp: N, d_vocab_out: V, post: act.hook_post, postRad, W_L, W_LRad, logits: act.logits, logitRad, flops: 2 * forwardFlops(cfg) + 4 * N * dm * V };
}

/**
 * A structure's own forward pass, for planted structures (the structure is the model): hook_pre = (U_a + V_b) + c
 * (two roundings), post = ReLU, logits = D_a + D_b + D_const + Σ_i post_i·W_L[i, c] (d_mlp products and 3 terms).
 */
export function structureForward(s: MlpStructure): Forward {
  const { p, d_mlp: N, d_vocab_out: V } = s;
  const B = p * p;
  const post = new Float64Array(B * N);
  const postRad = new Float64Array(B * N);
  const logits = new Float64Array(B * V);
  const logitRad = new Float64Array(B * V);
  const g = gamma(N + 3);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = a * p + b;
      for (let i = 0; i < N; i++) {
        const [x, y, z] = [s.U[a * N + i], s.V[b * N + i], s.c[i]];
        const h = x + y + z;
        post[row * N + i] = Math.max(0, h);
        postRad[row * N + i] = reluRad(h, up(gamma(2) * (Math.abs(x) + Math.abs(y) + Math.abs(z)), 3));
      }
      for (let c = 0; c < V; c++) {
        const [x, y, z] = [s.Da[a * V + c], s.Db[b * V + c], s.Dconst[c]];
        let m = x + y + z;
        let r = g * (Math.abs(x) + Math.abs(y) + Math.abs(z));
        for (let i = 0; i < N; i++) {
          const w = s.W_L[i * V + c];
          const v = post[row * N + i];
          m += v * w;
          r += Math.abs(w) * (postRad[row * N + i] + g * v);
        }
        logits[row * V + c] = m;
        logitRad[row * V + c] = up(r, N + 4);
      }
    }
  }
  return { p, d_mlp: N, d_vocab_out: V, post, postRad, W_L: s.W_L, W_LRad: null, logits, logitRad, flops: B * (3 * N + V * (4 * N + 6)) };
}
