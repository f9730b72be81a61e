// The model's configuration (SPEC §1, §2): one layer, no LayerNorm, attention rate α in two conventions.

export type AttentionConvention = 'sum' | 'mean';
export type ActFn = 'relu' | 'gelu';

export interface ModelConfig {
  p: number;
  d_model: number;
  n_heads: number;
  d_head: number;
  d_mlp: number;
  /** 2, or 3 when an '=' token is appended. */
  n_ctx: number;
  /** Input vocabulary: p, 2p when token b is fed as b + p (diff_vocab), plus one for '='. */
  d_vocab: number;
  /** Number of logits; the answer is the argmax over the first p. */
  d_vocab_out: number;
  /** α: pattern = α·softmax + (1 − α)·C. */
  attention_rate: number;
  /** `sum`: C = all ones (Zhong et al.); `mean`: C = 1/n_ctx. */
  attention_convention: AttentionConvention;
  act_fn: ActFn;
  eq_token: boolean;
  diff_vocab: boolean;
}

/** A config with the derived fields (n_ctx, d_vocab, d_vocab_out, d_head) filled in from the rest. */
export function makeConfig(c: {
  p: number; d_model: number; n_heads: number; d_mlp: number;
  d_head?: number; attention_rate: number; attention_convention: AttentionConvention;
  act_fn?: ActFn; eq_token?: boolean; diff_vocab?: boolean; d_vocab_out?: number;
}): ModelConfig {
  const eq_token = c.eq_token ?? false;
  const diff_vocab = c.diff_vocab ?? false;
  const cfg: ModelConfig = {
    p: c.p,
    d_model: c.d_model,
    n_heads: c.n_heads,
    d_head: c.d_head ?? Math.floor(c.d_model / c.n_heads),
    d_mlp: c.d_mlp,
    n_ctx: eq_token ? 3 : 2,
    d_vocab: (diff_vocab ? 2 * c.p : c.p) + (eq_token ? 1 : 0),
    d_vocab_out: c.d_vocab_out ?? c.p,
    attention_rate: c.attention_rate,
    attention_convention: c.attention_convention,
    act_fn: c.act_fn ?? 'relu',
    eq_token,
    diff_vocab,
  };
  validateConfig(cfg);
  return cfg;
}

/** Upper limits a device imposes; sizes beyond them are rejected before anything is dispatched. */
export interface SizeLimits {
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Throws an error naming the field and the limit when the config is not a valid model. */
export function validateConfig(c: ModelConfig, limits?: SizeLimits): void {
  const bad = (field: string, why: string): never => {
    throw new Error(`invalid model config: ${field} = ${JSON.stringify((c as unknown as Record<string, unknown>)[field])} ${why}`);
  };
  if (!posInt(c.p) || c.p < 2) bad('p', 'must be an integer ≥ 2');
  for (const f of ['d_model', 'n_heads', 'd_head', 'd_mlp', 'd_vocab', 'd_vocab_out'] as const) {
    if (!posInt(c[f])) bad(f, 'must be an integer ≥ 1');
  }
  if (c.n_ctx !== (c.eq_token ? 3 : 2)) bad('n_ctx', `must be ${c.eq_token ? 3 : 2} (eq_token = ${c.eq_token})`);
  const vocab = (c.diff_vocab ? 2 * c.p : c.p) + (c.eq_token ? 1 : 0);
  if (c.d_vocab !== vocab) bad('d_vocab', `must be ${vocab} for p = ${c.p}, diff_vocab = ${c.diff_vocab}, eq_token = ${c.eq_token}`);
  if (c.d_vocab_out < c.p) bad('d_vocab_out', `must be ≥ p = ${c.p}`);
  if (!(c.attention_rate >= 0 && c.attention_rate <= 1)) bad('attention_rate', 'must lie in [0, 1]');
  if (c.attention_convention !== 'sum' && c.attention_convention !== 'mean') bad('attention_convention', "must be 'sum' or 'mean'");
  if (c.act_fn !== 'relu' && c.act_fn !== 'gelu') bad('act_fn', "must be 'relu' or 'gelu'");
  if (limits) {
    // The largest activation any kernel binds is the full batch of p² rows by the widest dimension.
    const rows = c.p * c.p * c.n_ctx;
    const widest = Math.max(c.d_model, c.d_mlp, c.d_vocab_out, c.n_heads * c.d_head);
    const bytes = rows * widest * 4;
    if (bytes > limits.maxStorageBufferBindingSize) {
      bad(c.d_mlp >= c.d_model ? 'd_mlp' : 'd_model', `needs a ${bytes}-byte activation buffer for the full batch of p² = ${c.p * c.p} inputs, beyond the device's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize}`);
    }
  }
}

/** The input tokens for (a, b): b is offset by p under diff_vocab; '=' is the last vocabulary id. */
export function tokensOf(c: ModelConfig, a: number, b: number): number[] {
  const t = [a, c.diff_vocab ? b + c.p : b];
  if (c.eq_token) t.push(c.d_vocab - 1);
  return t;
}
