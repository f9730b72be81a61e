// Parameters under TransformerLens names and shapes (SPEC §2), and their flat layout on the device.
import { Rng } from '../util/rng.js';
import type { ModelConfig } from './config.js';

export type ParamName =
  | 'embed.W_E' | 'pos_embed.W_pos'
  | 'blocks.0.attn.W_Q' | 'blocks.0.attn.W_K' | 'blocks.0.attn.W_V' | 'blocks.0.attn.W_O'
  | 'blocks.0.attn.b_Q' | 'blocks.0.attn.b_K' | 'blocks.0.attn.b_V' | 'blocks.0.attn.b_O'
  | 'blocks.0.mlp.W_in' | 'blocks.0.mlp.b_in' | 'blocks.0.mlp.W_out' | 'blocks.0.mlp.b_out'
  | 'unembed.W_U' | 'unembed.b_U';

export interface ParamSpec {
  readonly name: ParamName;
  readonly shape: readonly number[];
  /** Standard deviation of the normal initialisation (0: zeros), as in Zhong et al.'s code. */
  readonly initStd: number;
}

export type Params = Record<ParamName, Float32Array>;
/** Parameters in any precision: the CPU reference path also runs on float64 values (finite differences). */
export type ParamValues = Record<ParamName, ArrayLike<number>>;

export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const { d_model: dm, n_heads: h, d_head: dh, d_mlp, d_vocab, d_vocab_out, n_ctx } = c;
  const s = 1 / Math.sqrt(dm);
  return [
    { name: 'embed.W_E', shape: [d_vocab, dm], initStd: s },
    { name: 'pos_embed.W_pos', shape: [n_ctx, dm], initStd: s },
    { name: 'blocks.0.attn.W_Q', shape: [h, dm, dh], initStd: s },
    { name: 'blocks.0.attn.W_K', shape: [h, dm, dh], initStd: s },
    { name: 'blocks.0.attn.W_V', shape: [h, dm, dh], initStd: s },
    { name: 'blocks.0.attn.W_O', shape: [h, dh, dm], initStd: s },
    { name: 'blocks.0.attn.b_Q', shape: [h, dh], initStd: 0 },
    { name: 'blocks.0.attn.b_K', shape: [h, dh], initStd: 0 },
    { name: 'blocks.0.attn.b_V', shape: [h, dh], initStd: 0 },
    { name: 'blocks.0.attn.b_O', shape: [dm], initStd: 0 },
    { name: 'blocks.0.mlp.W_in', shape: [dm, d_mlp], initStd: s },
    { name: 'blocks.0.mlp.b_in', shape: [d_mlp], initStd: 0 },
    { name: 'blocks.0.mlp.W_out', shape: [d_mlp, dm], initStd: s },
    { name: 'blocks.0.mlp.b_out', shape: [dm], initStd: 0 },
    { name: 'unembed.W_U', shape: [dm, d_vocab_out], initStd: 1 / Math.sqrt(d_vocab_out) },
    { name: 'unembed.b_U', shape: [d_vocab_out], initStd: 0 },
  ];
}

/** Biases frozen at zero in the training recipe (SPEC §1): attention and unembed; MLP biases train. */
export const FROZEN_BY_DEFAULT: readonly ParamName[] = [
  'blocks.0.attn.b_Q', 'blocks.0.attn.b_K', 'blocks.0.attn.b_V', 'blocks.0.attn.b_O', 'unembed.b_U',
];

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function initParams(c: ModelConfig, seed: number): Params {
  const rng = new Rng(seed);
  const out = {} as Params;
  for (const s of paramSpecs(c)) {
    const a = new Float32Array(size(s.shape));
    if (s.initStd) for (let i = 0; i < a.length; i++) a[i] = rng.normal() * s.initStd;
    out[s.name] = a;
  }
  return out;
}

/**
 * All parameters in one flat buffer, trainable ones first, so AdamW is one dispatch over a prefix.
 * Each tensor starts on a 64-element (256-byte) boundary: WebGPU's storage-binding offset alignment.
 */
export interface ParamLayout {
  readonly entries: readonly { spec: ParamSpec; offset: number; trainable: boolean }[];
  /** Elements covered by the trainable tensors (a prefix of the buffer). */
  readonly trainableLength: number;
  readonly length: number;
}

export const PARAM_ALIGN = 64;

export function paramLayout(c: ModelConfig, frozen: readonly ParamName[] = FROZEN_BY_DEFAULT): ParamLayout {
  const specs = paramSpecs(c);
  const ordered = [...specs.filter((s) => !frozen.includes(s.name)), ...specs.filter((s) => frozen.includes(s.name))];
  let offset = 0;
  let trainableLength = 0;
  const entries = ordered.map((spec) => {
    const e = { spec, offset, trainable: !frozen.includes(spec.name) };
    offset += Math.ceil(size(spec.shape) / PARAM_ALIGN) * PARAM_ALIGN;
    if (e.trainable) trainableLength = offset;
    return e;
  });
  return { entries, trainableLength, length: offset };
}

export function flatten(layout: ParamLayout, params: Params): Float32Array {
  const flat = new Float32Array(layout.length);
  for (const e of layout.entries) flat.set(params[e.spec.name], e.offset);
  return flat;
}

export function unflatten(layout: ParamLayout, flat: Float32Array): Params {
  const out = {} as Params;
  for (const e of layout.entries) out[e.spec.name] = flat.slice(e.offset, e.offset + size(e.spec.shape));
  return out;
}
