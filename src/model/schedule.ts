// The model's forward and backward pass (SPEC §1) as a schedule of ops on a Backend, written once for the
// GPU and the CPU reference. Only the last position's logits are used, so only its query, residual and MLP
// are computed; keys and values are computed at every position.
import type { Backend } from './backend.js';
import type { ModelConfig } from './config.js';
import type { ParamName } from './params.js';

export interface Activations<T> {
  x0: T; // [B, n_ctx, d_model] embeddings
  q: T; k: T; v: T; // [n_heads, B·n_ctx, d_head]
  z: T; // [B, n_heads·d_head]
  pattern: T; // [B, n_heads, n_ctx], last query only
  x1: T; // [B, d_model] resid_mid at the last position
  hook_pre: T; hook_post: T; // [B, d_mlp]
  x2: T; // [B, d_model] resid_post
  logits: T; // [B, d_vocab_out]
  loss: T; correct: T; // [B]
  dlogits: T; // [B, d_vocab_out], gradient of the mean loss
}

/** The matmul shape of a plain (unbatched) product. */
export const mm = (M: number, N: number, K: number, transA = false, transB = false) =>
  ({ batch: 1, M, N, K, transA, transB, strideA: 0, strideB: 0 });

export function forward<T>(be: Backend<T>, c: ModelConfig, B: number): Activations<T> {
  const { n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab_out: V } = c;
  const P = (name: ParamName) => be.param(name);
  const x0 = be.tensor([B, n, dm], 'x0');
  be.embedGather(P('embed.W_E'), P('pos_embed.W_pos'), x0);

  // q, k, v for every head at once: x0 (broadcast) times W_[h], plus b_[h].
  const proj = (W: ParamName, b: ParamName, label: string) => {
    const out = be.tensor([H, B * n, dh], label);
    be.matmul(x0, P(W), out, { batch: H, M: B * n, N: dh, K: dm, transA: false, transB: false, strideA: 0, strideB: dm * dh }, { bias: P(b), biasStride: dh });
    return out;
  };
  const q = proj('blocks.0.attn.W_Q', 'blocks.0.attn.b_Q', 'q');
  const k = proj('blocks.0.attn.W_K', 'blocks.0.attn.b_K', 'k');
  const v = proj('blocks.0.attn.W_V', 'blocks.0.attn.b_V', 'v');
  const as = attentionShape(c, B);
  const z = be.tensor([B, H * dh], 'z');
  const pattern = be.tensor([B, H, n], 'pattern');
  be.attention(q, k, v, as, z, pattern);

  // x1 = x0[:, last] + z·W_O + b_O. The last position is selected by a one-hot row times each example's
  // [n_ctx, d_model] block: exact, and it keeps strided access out of the kernels.
  const x1 = be.tensor([B, dm], 'x1');
  be.matmul(lastSelector(be, n), x0, x1, { batch: B, M: 1, N: dm, K: n, transA: false, transB: false, strideA: 0, strideB: n * dm });
  be.matmul(z, P('blocks.0.attn.W_O'), x1, mm(B, dm, H * dh), { bias: P('blocks.0.attn.b_O'), accumulate: true });

  const hook_pre = be.tensor([B, d_mlp], 'hook_pre');
  be.matmul(x1, P('blocks.0.mlp.W_in'), hook_pre, mm(B, d_mlp, dm), { bias: P('blocks.0.mlp.b_in') });
  const hook_post = be.tensor([B, d_mlp], 'hook_post');
  be.activation(hook_pre, c.act_fn, hook_post);
  const x2 = be.tensor([B, dm], 'x2');
  be.copy(x1, x2);
  be.matmul(hook_post, P('blocks.0.mlp.W_out'), x2, mm(B, dm, d_mlp), { bias: P('blocks.0.mlp.b_out'), accumulate: true });
  const logits = be.tensor([B, V], 'logits');
  be.matmul(x2, P('unembed.W_U'), logits, mm(B, V, dm), { bias: P('unembed.b_U') });

  const loss = be.tensor([B], 'loss');
  const correct = be.tensor([B], 'correct');
  const dlogits = be.tensor([B, V], 'dlogits');
  be.softmaxCrossEntropy(logits, 1 / B, loss, dlogits, correct);
  return { x0, q, k, v, z, pattern, x1, hook_pre, hook_post, x2, logits, loss, correct, dlogits };
}

/**
 * Gradients of the mean loss into be.grad(name) for every trained parameter. Returns dx0, the gradient
 * with respect to the embedded inputs (what gradient symmetricity, SPEC §5, is measured on).
 */
export function backward<T>(be: Backend<T>, c: ModelConfig, B: number, a: Activations<T>): T {
  const { n_ctx: n, d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab_out: V } = c;
  const P = (name: ParamName) => be.param(name);
  const weightGrad = (name: ParamName, x: T, dy: T, M: number, N: number) => {
    const g = be.grad(name);
    if (g) be.matmul(x, dy, g, mm(M, N, B, true));
  };
  const biasGrad = (name: ParamName, dy: T, cols: number) => {
    const g = be.grad(name);
    if (g) be.columnSum(dy, { batch: 1, rows: B, cols }, g);
  };

  weightGrad('unembed.W_U', a.x2, a.dlogits, dm, V);
  biasGrad('unembed.b_U', a.dlogits, V);
  // dresid is dx2 first; once the MLP's branch is added it becomes dx1 (the residual passes it through).
  const dresid = be.tensor([B, dm], 'dresid');
  be.matmul(a.dlogits, P('unembed.W_U'), dresid, mm(B, dm, V, false, true));

  weightGrad('blocks.0.mlp.W_out', a.hook_post, dresid, d_mlp, dm);
  biasGrad('blocks.0.mlp.b_out', dresid, dm);
  const dpost = be.tensor([B, d_mlp], 'dpost');
  be.matmul(dresid, P('blocks.0.mlp.W_out'), dpost, mm(B, d_mlp, dm, false, true));
  const dpre = be.tensor([B, d_mlp], 'dpre');
  be.activationBackward(a.hook_pre, dpost, c.act_fn, dpre);
  weightGrad('blocks.0.mlp.W_in', a.x1, dpre, dm, d_mlp);
  biasGrad('blocks.0.mlp.b_in', dpre, d_mlp);
  be.matmul(dpre, P('blocks.0.mlp.W_in'), dresid, mm(B, dm, d_mlp, false, true), { accumulate: true });

  weightGrad('blocks.0.attn.W_O', a.z, dresid, H * dh, dm);
  biasGrad('blocks.0.attn.b_O', dresid, dm);
  const dz = be.tensor([B, H * dh], 'dz');
  be.matmul(dresid, P('blocks.0.attn.W_O'), dz, mm(B, H * dh, dm, false, true));
  const dq = be.tensor([H, B * n, dh], 'dq');
  const dk = be.tensor([H, B * n, dh], 'dk');
  const dv = be.tensor([H, B * n, dh], 'dv');
  be.attentionBackward(dz, a.q, a.k, a.v, a.pattern, attentionShape(c, B), dq, dk, dv);

  // Per head: dW[h] = x0ᵀ·d[h], db[h] = Σ_rows d[h]; the heads' input gradients d[h]·W[h]ᵀ are stacked
  // in dx0h and summed over heads afterwards.
  const dx0h = be.tensor([H, B * n, dm], 'dx0_heads');
  const heads: [T, ParamName, ParamName][] = [[dq, 'blocks.0.attn.W_Q', 'blocks.0.attn.b_Q'], [dk, 'blocks.0.attn.W_K', 'blocks.0.attn.b_K'], [dv, 'blocks.0.attn.W_V', 'blocks.0.attn.b_V']];
  heads.forEach(([d, W, b], i) => {
    const gW = be.grad(W);
    if (gW) be.matmul(a.x0, d, gW, { batch: H, M: dm, N: dh, K: B * n, transA: true, transB: false, strideA: 0, strideB: B * n * dh });
    const gb = be.grad(b);
    if (gb) be.columnSum(d, { batch: H, rows: B * n, cols: dh }, gb);
    be.matmul(d, P(W), dx0h, { batch: H, M: B * n, N: dm, K: dh, transA: false, transB: true, strideA: B * n * dh, strideB: dm * dh }, { accumulate: i > 0 });
  });
  const dx0 = be.tensor([B, n, dm], 'dx0');
  be.columnSum(dx0h, { batch: 1, rows: H, cols: B * n * dm }, dx0);
  // The residual's gradient flows back to the last position only: the one-hot selector, transposed.
  be.matmul(lastSelector(be, n), dresid, dx0, { batch: B, M: n, N: dm, K: 1, transA: true, transB: false, strideA: 0, strideB: dm }, { accumulate: true });

  const gE = be.grad('embed.W_E');
  if (gE) be.embedScatterAdd(dx0, gE);
  const gPos = be.grad('pos_embed.W_pos');
  if (gPos) be.columnSum(dx0, { batch: 1, rows: B, cols: n * dm }, gPos);
  return dx0;
}

export const attentionShape = (c: ModelConfig, B: number) => ({
  batch: B, n_ctx: c.n_ctx, n_heads: c.n_heads, d_head: c.d_head, attention_rate: c.attention_rate, convention: c.attention_convention,
});

/** A one-hot row selecting the last position: selection and its adjoint as exact matmuls. */
export function lastSelector<T>(be: Backend<T>, n: number): T {
  const sel = new Float32Array(n);
  sel[n - 1] = 1;
  return be.constant([1, n], sel, 'last_position');
}
