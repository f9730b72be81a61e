// The fast path for constant attention (α = 0), SPEC §3: the last position's residual is linear in the
// embeddings, so the whole network up to the MLP folds into per-(position, token) tables.
//   x1(b) = Σ_j G_j[t_bj] + κ,   with G_j = δ_{j,last}·W_E + C·W_E·W_OV,  W_OV = Σ_h W_V[h]·W_O[h],
//   κ = n·C·b_V·W_O + b_O + W_pos[last] + C·(Σ_j W_pos[j])·W_OV,
// so hook_pre = Σ_j P_j[t_bj] + (κ·W_in + b_in) with P = G·W_in (h_i = U_i(a) + V_i(b) + c_i), and
// logits = hook_post·W_L + Σ_j Q_j[t_bj] + ((κ + b_out)·W_U + b_U) with W_L = W_out·W_U, Q = G·W_U.
// Per step the only batch-sized products are hook_post·W_L and its two gradients: about six times fewer
// operations than the generic schedule, which tests hold this one to.
import { constantPatternValue } from '../ops/cpu/attention.js';
import type { Backend } from './backend.js';
import type { ModelConfig } from './config.js';
import type { ParamName } from './params.js';
import { lastSelector, mm } from './schedule.js';

export interface ConstantActivations<T> {
  G: T; // [n_ctx·d_vocab, d_model] residual tables
  W_OV: T; // [d_model, d_model]
  kappa: T; // [1, d_model]
  posSum: T; // [1, d_model] Σ_j W_pos[j]
  hook_pre: T; hook_post: T; // [B, d_mlp]
  W_L: T; // [d_mlp, d_vocab_out]
  logits: T; loss: T; correct: T; dlogits: T;
}

const constantPattern = (c: ModelConfig) => constantPatternValue({ n_ctx: c.n_ctx, convention: c.attention_convention });

export function forwardConstant<T>(be: Backend<T>, c: ModelConfig, B: number): ConstantActivations<T> {
  if (c.attention_rate !== 0) throw new Error(`the constant-attention schedule needs attention_rate 0, got ${c.attention_rate}`);
  const { n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab: dv, d_vocab_out: V } = c;
  const C = constantPattern(c);
  const P = (name: ParamName) => be.param(name);

  const W_OVh = be.tensor([H, dm, dm], 'W_OV_heads');
  be.matmul(P('blocks.0.attn.W_V'), P('blocks.0.attn.W_O'), W_OVh, { batch: H, M: dm, N: dm, K: dh, transA: false, transB: false, strideA: dm * dh, strideB: dh * dm });
  const W_OV = be.tensor([dm, dm], 'W_OV');
  be.columnSum(W_OVh, { batch: 1, rows: H, cols: dm * dm }, W_OV);

  const G = be.tensor([n * dv, dm], 'G');
  be.matmul(P('embed.W_E'), W_OV, G, { batch: n, M: dv, N: dm, K: dm, transA: false, transB: false, strideA: 0, strideB: 0 }, { alpha: C });
  const sel = lastSelector(be, n);
  be.matmul(sel, P('embed.W_E'), G, { batch: 1, M: n, N: dv * dm, K: 1, transA: true, transB: false, strideA: 0, strideB: 0 }, { accumulate: true });

  const kappa = be.tensor([1, dm], 'kappa');
  be.matmul(P('blocks.0.attn.b_V'), P('blocks.0.attn.W_O'), kappa, mm(1, dm, H * dh), { alpha: n * C, bias: P('blocks.0.attn.b_O') });
  be.matmul(sel, P('pos_embed.W_pos'), kappa, mm(1, dm, n), { accumulate: true });
  const posSum = be.tensor([1, dm], 'pos_sum');
  be.columnSum(P('pos_embed.W_pos'), { batch: 1, rows: n, cols: dm }, posSum);
  be.matmul(posSum, W_OV, kappa, mm(1, dm, dm), { alpha: C, accumulate: true });

  const preTable = be.tensor([n * dv, d_mlp], 'pre_table');
  be.matmul(G, P('blocks.0.mlp.W_in'), preTable, mm(n * dv, d_mlp, dm));
  const preConst = be.tensor([1, d_mlp], 'pre_const');
  be.matmul(kappa, P('blocks.0.mlp.W_in'), preConst, mm(1, d_mlp, dm), { bias: P('blocks.0.mlp.b_in') });
  const hook_pre = be.tensor([B, d_mlp], 'hook_pre');
  const hook_post = be.tensor([B, d_mlp], 'hook_post');
  // ReLU is applied in the gather's own pass; other activations take one more.
  const relu = c.act_fn === 'relu';
  be.gatherSum(preTable, preConst, hook_pre, relu ? hook_post : undefined);
  if (!relu) be.activation(hook_pre, c.act_fn, hook_post);

  const W_L = be.tensor([d_mlp, V], 'W_L');
  be.matmul(P('blocks.0.mlp.W_out'), P('unembed.W_U'), W_L, mm(d_mlp, V, dm));
  const logitTable = be.tensor([n * dv, V], 'logit_table');
  be.matmul(G, P('unembed.W_U'), logitTable, mm(n * dv, V, dm));
  const logitConst = be.tensor([1, V], 'logit_const');
  be.matmul(kappa, P('unembed.W_U'), logitConst, mm(1, V, dm), { bias: P('unembed.b_U') });
  be.matmul(P('blocks.0.mlp.b_out'), P('unembed.W_U'), logitConst, mm(1, V, dm), { accumulate: true });
  const logits = be.tensor([B, V], 'logits');
  be.gatherSum(logitTable, logitConst, logits);
  be.matmul(hook_post, W_L, logits, mm(B, V, d_mlp), { accumulate: true });

  const loss = be.tensor([B], 'loss');
  const correct = be.tensor([B], 'correct');
  const dlogits = be.tensor([B, V], 'dlogits');
  be.softmaxCrossEntropy(logits, 1 / B, loss, dlogits, correct);
  return { G, W_OV, kappa, posSum, hook_pre, hook_post, W_L, logits, loss, correct, dlogits };
}

/** Gradients of the mean loss into be.grad(name), through the tables above by the chain rule. */
export function backwardConstant<T>(be: Backend<T>, c: ModelConfig, B: number, a: ConstantActivations<T>): void {
  const { n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab: dv, d_vocab_out: V } = c;
  const C = constantPattern(c);
  const P = (name: ParamName) => be.param(name);
  const into = (name: ParamName, write: (g: T) => void) => {
    const g = be.grad(name);
    if (g) write(g);
  };

  const dW_L = be.tensor([d_mlp, V], 'dW_L');
  be.matmul(a.hook_post, a.dlogits, dW_L, mm(d_mlp, V, B, true));
  // W_Lᵀ (a small product), so dlogits·W_Lᵀ reads a plain operand (vec4 loads) rather than a transposed one.
  const W_LT = be.tensor([V, d_mlp], 'W_LT');
  be.matmul(P('unembed.W_U'), P('blocks.0.mlp.W_out'), W_LT, mm(V, d_mlp, dm, true, true));
  const dpre = be.tensor([B, d_mlp], 'dpre');
  if (c.act_fn === 'relu') {
    be.matmul(a.dlogits, W_LT, dpre, mm(B, d_mlp, V), { reluGate: a.hook_pre });
  } else {
    const dpost = be.tensor([B, d_mlp], 'dpost');
    be.matmul(a.dlogits, W_LT, dpost, mm(B, d_mlp, V));
    be.activationBackward(a.hook_pre, dpost, c.act_fn, dpre);
  }

  // Every example has exactly one token at position 0, so the batch sum of a gradient is the sum of its
  // table's first d_vocab rows: d_vocab rows summed instead of B.
  const dLogitTable = be.tensor([n * dv, V], 'd_logit_table');
  be.scatterTags(a.dlogits, dLogitTable);
  const dLogitConst = be.tensor([1, V], 'd_logit_const');
  be.columnSum(dLogitTable, { batch: 1, rows: dv, cols: V }, dLogitConst);
  const dPreTable = be.tensor([n * dv, d_mlp], 'd_pre_table');
  be.scatterTags(dpre, dPreTable);
  const dPreConst = be.tensor([1, d_mlp], 'd_pre_const');
  be.columnSum(dPreTable, { batch: 1, rows: dv, cols: d_mlp }, dPreConst);

  into('unembed.b_U', (g) => be.copy(dLogitConst, g));
  into('unembed.W_U', (g) => {
    be.matmul(P('blocks.0.mlp.W_out'), dW_L, g, mm(dm, V, d_mlp, true));
    be.matmul(a.G, dLogitTable, g, mm(dm, V, n * dv, true), { accumulate: true });
    be.matmul(a.kappa, dLogitConst, g, mm(dm, V, 1, true), { accumulate: true });
    be.matmul(P('blocks.0.mlp.b_out'), dLogitConst, g, mm(dm, V, 1, true), { accumulate: true });
  });
  into('blocks.0.mlp.W_out', (g) => be.matmul(dW_L, P('unembed.W_U'), g, mm(d_mlp, dm, V, false, true)));
  into('blocks.0.mlp.b_out', (g) => be.matmul(dLogitConst, P('unembed.W_U'), g, mm(1, dm, V, false, true)));
  into('blocks.0.mlp.W_in', (g) => {
    be.matmul(a.G, dPreTable, g, mm(dm, d_mlp, n * dv, true));
    be.matmul(a.kappa, dPreConst, g, mm(dm, d_mlp, 1, true), { accumulate: true });
  });
  into('blocks.0.mlp.b_in', (g) => be.copy(dPreConst, g));

  const dG = be.tensor([n * dv, dm], 'dG');
  be.matmul(dPreTable, P('blocks.0.mlp.W_in'), dG, mm(n * dv, dm, d_mlp, false, true));
  be.matmul(dLogitTable, P('unembed.W_U'), dG, mm(n * dv, dm, V, false, true), { accumulate: true });
  const dKappa = be.tensor([1, dm], 'd_kappa');
  be.matmul(dPreConst, P('blocks.0.mlp.W_in'), dKappa, mm(1, dm, d_mlp, false, true));
  be.matmul(dLogitConst, P('unembed.W_U'), dKappa, mm(1, dm, V, false, true), { accumulate: true });

  // G_j = C·W_E·W_OV for every j, plus W_E at the last position.
  const dGsum = be.tensor([dv, dm], 'dG_sum');
  be.columnSum(dG, { batch: 1, rows: n, cols: dv * dm }, dGsum);
  const sel = lastSelector(be, n);
  into('embed.W_E', (g) => {
    be.matmul(dGsum, a.W_OV, g, mm(dv, dm, dm, false, true), { alpha: C });
    be.matmul(sel, dG, g, mm(1, dv * dm, n), { accumulate: true });
  });
  const dW_OV = be.tensor([dm, dm], 'dW_OV');
  be.matmul(P('embed.W_E'), dGsum, dW_OV, mm(dm, dm, dv, true), { alpha: C });
  be.matmul(a.posSum, dKappa, dW_OV, mm(dm, dm, 1, true), { alpha: C, accumulate: true });

  // κ = n·C·b_V·W_O + b_O + W_pos[last] + C·posSum·W_OV.
  into('blocks.0.attn.b_O', (g) => be.copy(dKappa, g));
  into('blocks.0.attn.b_V', (g) => be.matmul(dKappa, P('blocks.0.attn.W_O'), g, mm(1, H * dh, dm, false, true), { alpha: n * C }));
  into('pos_embed.W_pos', (g) => {
    const dPosSum = be.tensor([1, dm], 'd_pos_sum');
    be.matmul(dKappa, a.W_OV, dPosSum, mm(1, dm, dm, false, true), { alpha: C });
    be.matmul(be.constant([n, 1], new Float32Array(n).fill(1), 'ones'), dPosSum, g, mm(n, dm, 1));
    be.matmul(sel, dKappa, g, mm(n, dm, 1, true), { accumulate: true });
  });
  // W_OV = Σ_h W_V[h]·W_O[h].
  into('blocks.0.attn.W_V', (g) => be.matmul(dW_OV, P('blocks.0.attn.W_O'), g, { batch: H, M: dm, N: dh, K: dm, transA: false, transB: true, strideA: 0, strideB: dh * dm }));
  into('blocks.0.attn.W_O', (g) => {
    be.matmul(P('blocks.0.attn.W_V'), dW_OV, g, { batch: H, M: dh, N: dm, K: dm, transA: true, transB: false, strideA: dm * dh, strideB: 0 });
    be.matmul(P('blocks.0.attn.b_V'), dKappa, g, mm(H * dh, dm, 1, true), { alpha: n * C, accumulate: true });
  });
  // Queries and keys do not reach the output when the pattern is constant.
  for (const name of ['blocks.0.attn.W_Q', 'blocks.0.attn.W_K', 'blocks.0.attn.b_Q', 'blocks.0.attn.b_K'] as const) {
    into(name, (g) => be.fill(g, 0));
  }
}
