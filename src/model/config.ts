// The model's configuration (SPEC §1, §2): one layer, no LayerNorm, attention rate α in two conventions.
// Its schema (field types, ranges, derived fields' consistency) is ModelConfigSchema in src/io/schemas.ts.
import { ModelConfigSchema, parseWith } from '../io/schemas.js';

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

/** Throws an error naming the field and the limit when the config is not a valid model. */
export function validateConfig(c: ModelConfig, limits?: SizeLimits): void {
  parseWith(ModelConfigSchema, c, 'invalid model config');
  if (limits) {
    // The largest activation any kernel binds is the full batch of p² rows by the widest dimension.
    const rows = c.p * c.p * c.n_ctx;
    const widest = Math.max(c.d_model, c.d_mlp, c.d_vocab_out, c.n_heads * c.d_head);
    const bytes = rows * widest * 4;
    if (bytes > limits.maxStorageBufferBindingSize) {
      const field = c.d_mlp >= c.d_model ? 'd_mlp' : 'd_model';
      throw new Error(`invalid model config: ${field} = ${c[field]} needs a ${bytes}-byte activation buffer for the full batch of p² = ${c.p * c.p} inputs, beyond the device's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize}`);
    }
  }
}

/** The input tokens for (a, b): b is offset by p under diff_vocab; '=' is the last vocabulary id. */
export function tokensOf(c: ModelConfig, a: number, b: number): number[] {
  const t = [a, c.diff_vocab ? b + c.p : b];
  if (c.eq_token) t.push(c.d_vocab - 1);
  return t;
}
