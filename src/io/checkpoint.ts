// Model checkpoints (SPEC §2): the project's layout (TransformerLens names and shapes, config JSON in the
// safetensors metadata) and Zhong et al.'s layout, converted to ours on load.
import type { z } from 'zod';
import { type ActFn, type ModelConfig, makeConfig } from '../model/config.js';
import { type ParamName, type Params, paramSpecs, size } from '../model/params.js';
import { type ReadOptions, type StFile, type StTensor, parseSafetensors, readSafetensors, serializeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';
import { CHECKPOINT_VERSION, CheckpointMetadataSchema, ModelConfigSchema, parseJson, parseWith } from './schemas.js';

export interface Checkpoint {
  cfg: ModelConfig;
  params: Params;
  source: 'project' | 'zhong';
  /** The safetensors metadata as stored (strings)... */
  metadata: Record<string, string>;
  /** ...and as validated (CheckpointMetadataSchema): the training step, whether the run had finished, its seeds. */
  meta: CheckpointMetadata;
}
export type CheckpointMetadata = z.output<typeof CheckpointMetadataSchema>;

/** Load a checkpoint; NaN or ±Infinity in any tensor is refused unless `allowNonFinite` (to inspect such a file). */
export function loadCheckpoint(path: string, opts: ReadOptions = {}): Checkpoint {
  return fromSafetensors(readSafetensors(path, opts), path);
}

export function parseCheckpoint(buf: Uint8Array, what: string, opts: ReadOptions = {}): Checkpoint {
  return fromSafetensors(parseSafetensors(buf, what, opts), what);
}

function fromSafetensors(f: StFile, what: string): Checkpoint {
  if (f.metadata.config === undefined) throw new Error(`${what}: no model config in the safetensors metadata (key 'config')`);
  const meta = parseWith(CheckpointMetadataSchema, f.metadata, `${what}: metadata`);
  const json = parseJson(meta.config, `${what}: metadata config`);
  const zhong = json !== null && typeof json === 'object' && 'attn_coeff' in json;
  const cfg = zhong ? zhongConfig(json as Record<string, unknown>, f.tensors, what) : parseWith(ModelConfigSchema, json, `${what}: metadata config`);
  const params = (zhong ? zhongParams : projectParams)(cfg, f.tensors, what);
  return { cfg, params, source: zhong ? 'zhong' : 'project', metadata: f.metadata, meta };
}

function tensor(t: Record<string, StTensor>, name: string, shape: readonly number[], what: string): Float32Array {
  const x = t[name];
  if (!x) throw new Error(`${what}: tensor ${name} is missing`);
  if (x.dtype !== 'F32') throw new Error(`${what}: tensor ${name} is ${x.dtype}, expected F32`);
  if (x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: tensor ${name} has shape [${x.shape}], the config implies [${shape}]`);
  }
  return x.data as Float32Array;
}

function projectParams(cfg: ModelConfig, t: Record<string, StTensor>, what: string): Params {
  const out = {} as Params;
  for (const s of paramSpecs(cfg)) out[s.name] = Float32Array.from(tensor(t, s.name, s.shape, what));
  return out;
}

export function saveCheckpoint(path: string, cfg: ModelConfig, params: Params, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, checkpointBytes(cfg, params, metadata));
}

export function checkpointBytes(cfg: ModelConfig, params: Params, metadata: Record<string, string> = {}): Uint8Array[] {
  const tensors: Record<string, StTensor> = {};
  for (const s of paramSpecs(cfg)) tensors[s.name] = { dtype: 'F32', shape: [...s.shape], data: params[s.name] };
  return serializeSafetensors({ tensors, metadata: { ...metadata, version: CHECKPOINT_VERSION, config: JSON.stringify(cfg) } });
}

// ---- Zhong et al.'s layout (fjzzq2002/pizza): see SPEC §2 for their shapes and config keys.

function zhongConfig(json: Record<string, unknown>, t: Record<string, StTensor>, what: string): ModelConfig {
  const num = (k: string) => {
    const v = json[k];
    if (typeof v !== 'number') throw new Error(`${what}: Zhong config field ${k} is ${JSON.stringify(v)}, expected a number`);
    return v;
  };
  if ((json.n_layers ?? 1) !== 1) throw new Error(`${what}: n_layers = ${json.n_layers}; only one-layer models are supported`);
  const act = String(json.act_fn ?? 'ReLU').toLowerCase();
  if (act !== 'relu' && act !== 'gelu') throw new Error(`${what}: act_fn ${json.act_fn} is not ReLU or GeLU`);
  const d_model = num('d_model');
  const n_heads = num('n_heads');
  const W_Q = t['blocks.0.attn.W_Q'];
  if (!W_Q) throw new Error(`${what}: tensor blocks.0.attn.W_Q is missing`);
  const W_U = t['unembed.W_U'];
  if (!W_U) throw new Error(`${what}: tensor unembed.W_U is missing`);
  try {
    return makeConfig({
      p: num('C'),
      d_model,
      n_heads,
      d_head: W_Q.shape[1],
      d_mlp: t['blocks.0.mlp.W_in']?.shape[0] ?? 4 * d_model,
      attention_rate: num('attn_coeff'),
      attention_convention: 'sum',
      act_fn: act as ActFn,
      eq_token: !!json.eqn_sign,
      diff_vocab: !!json.diff_vocab,
      d_vocab_out: W_U.shape[1],
    });
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** Transpose the last two axes of a [..., r, c] array. */
function transposeLast(x: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += r * c) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[base + j * r + i] = x[base + i * c + j];
  }
  return out;
}

function zhongParams(c: ModelConfig, t: Record<string, StTensor>, what: string): Params {
  const { d_model: dm, n_heads: H, d_head: dh, d_mlp, d_vocab, d_vocab_out, n_ctx } = c;
  const T = (name: string, shape: number[]) => tensor(t, name, shape, what);
  const zeros = (name: ParamName) => new Float32Array(size(paramSpecs(c).find((s) => s.name === name)!.shape));
  return {
    'embed.W_E': transposeLast(T('embed.W_E', [dm, d_vocab]), dm, d_vocab),
    'pos_embed.W_pos': Float32Array.from(T('pos_embed.W_pos', [n_ctx, dm])),
    'blocks.0.attn.W_Q': transposeLast(T('blocks.0.attn.W_Q', [H, dh, dm]), dh, dm),
    'blocks.0.attn.W_K': transposeLast(T('blocks.0.attn.W_K', [H, dh, dm]), dh, dm),
    'blocks.0.attn.W_V': transposeLast(T('blocks.0.attn.W_V', [H, dh, dm]), dh, dm),
    // Theirs is [d_model, n_heads·d_head]; ours [n_heads, d_head, d_model] is its transpose.
    'blocks.0.attn.W_O': transposeLast(T('blocks.0.attn.W_O', [dm, H * dh]), dm, H * dh),
    'blocks.0.attn.b_Q': zeros('blocks.0.attn.b_Q'),
    'blocks.0.attn.b_K': zeros('blocks.0.attn.b_K'),
    'blocks.0.attn.b_V': zeros('blocks.0.attn.b_V'),
    'blocks.0.attn.b_O': zeros('blocks.0.attn.b_O'),
    'blocks.0.mlp.W_in': transposeLast(T('blocks.0.mlp.W_in', [d_mlp, dm]), d_mlp, dm),
    'blocks.0.mlp.b_in': Float32Array.from(T('blocks.0.mlp.b_in', [d_mlp])),
    'blocks.0.mlp.W_out': transposeLast(T('blocks.0.mlp.W_out', [dm, d_mlp]), dm, d_mlp),
    'blocks.0.mlp.b_out': Float32Array.from(T('blocks.0.mlp.b_out', [dm])),
    'unembed.W_U': Float32Array.from(T('unembed.W_U', [dm, d_vocab_out])),
    'unembed.b_U': zeros('unembed.b_U'),
  };
}
