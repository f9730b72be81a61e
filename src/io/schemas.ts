// Every file the project reads back, described once (zod) and validated on read, with errors that name the
// field and the value: the model config (checkpoint metadata, config.json, the command line), the training
// config (config.json, the command line), a metrics line, a checkpoint's metadata and the safetensors header.
// The JSON files the project writes carry a version, so a later layout can be told from this one.
import { z } from 'zod';
import type { ModelConfig } from '../model/config.js';
import type { TrainConfig } from '../train/config.js';

/** Version of config.json's layout (a file without `version` predates it: data_seed then defaults to seed). */
export const TRAIN_CONFIG_VERSION = 1;
/** Version of a project checkpoint's metadata (the `version` key; absent in checkpoints from before it). */
export const CHECKPOINT_VERSION = '1';

// One message per field, for a wrong type and a wrong range alike: "steps = "500" must be an integer ≥ 1".
const int = (min: number) => {
  const error = `must be an integer ≥ ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
};
const real = (lo: number, hi = Infinity, loOpen = false) => {
  const error = hi === Infinity ? `must be a number ${loOpen ? '>' : '≥'} ${lo}` : `must be a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`;
  const n = z.number({ error });
  return (loOpen ? n.gt(lo, { error }) : n.min(lo, { error })).max(hi, { error });
};
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be ${values.map((v) => `'${v}'`).join(values.length === 2 ? ' or ' : ', ')}` });
const bool = z.boolean({ error: 'must be true or false' });

/** The model config's fields and the derived ones' consistency (SPEC §1, §2). Device limits are checked apart (validateConfig). */
export const ModelConfigSchema = z.strictObject({
  p: int(2),
  d_model: int(1),
  n_heads: int(1),
  d_head: int(1),
  d_mlp: int(1),
  n_ctx: int(2),
  d_vocab: int(1),
  d_vocab_out: int(1),
  attention_rate: z.number({ error: 'must lie in [0, 1]' }).min(0, { error: 'must lie in [0, 1]' }).max(1, { error: 'must lie in [0, 1]' }),
  attention_convention: oneOf(['sum', 'mean']),
  act_fn: oneOf(['relu', 'gelu']),
  eq_token: bool,
  diff_vocab: bool,
}, { error: 'must be a model config (an object)' }).superRefine((c, ctx) => {
  const bad = (field: keyof ModelConfig, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
  if (c.n_ctx !== (c.eq_token ? 3 : 2)) bad('n_ctx', `must be ${c.eq_token ? 3 : 2} (eq_token = ${c.eq_token})`);
  const vocab = (c.diff_vocab ? 2 * c.p : c.p) + (c.eq_token ? 1 : 0);
  if (c.d_vocab !== vocab) bad('d_vocab', `must be ${vocab} for p = ${c.p}, diff_vocab = ${c.diff_vocab}, eq_token = ${c.eq_token}`);
  if (c.d_vocab_out < c.p) bad('d_vocab_out', `must be ≥ p = ${c.p}`);
}) satisfies z.ZodType<ModelConfig>;

/** A training config, as the command line builds it and config.json stores it. */
export const TrainConfigSchema = z.strictObject({
  preset: z.string({ error: 'must be a preset name' }).min(1, { error: 'must be a preset name' }),
  model: ModelConfigSchema,
  seed: int(0),
  data_seed: int(0),
  frac: real(0, 1, true),
  lr: real(0),
  beta1: real(0, 1),
  beta2: real(0, 1),
  eps: real(0),
  weight_decay: real(0),
  warmup_steps: int(0),
  steps: int(1),
  eval_every: int(1),
  checkpoint_every: int(1),
  early_stop_loss: real(0),
  backend: oneOf(['gpu', 'cpu']),
  schedule: oneOf(['auto', 'generic', 'constant']),
}, { error: 'must be a training config (an object)' }) satisfies z.ZodType<TrainConfig>;

/** config.json: a TrainConfig and its layout version; files from before data_seed read data_seed = seed. */
export const TrainConfigFileSchema = z.strictObject({
  ...TrainConfigSchema.shape,
  version: z.literal(TRAIN_CONFIG_VERSION, { error: `must be ${TRAIN_CONFIG_VERSION} (a config.json of another version of this project)` }).optional(),
  data_seed: int(0).optional(),
}, { error: 'must be a training config (an object)' }).transform(({ version: _, ...c }): TrainConfig => ({ ...c, data_seed: c.data_seed ?? c.seed }));

/** What config.json holds for a config. */
export const trainConfigFile = (c: TrainConfig) => ({ version: TRAIN_CONFIG_VERSION, ...c });

// A loss of a diverged model is NaN or ±Infinity, which JSON.stringify writes as null.
const loss = z.number({ error: 'must be a number or null' }).nullable().transform((x) => x ?? NaN);
/** One line of metrics.jsonl. */
export const MetricsLineSchema = z.object({
  step: int(1),
  lr: real(0),
  train_loss: loss,
  train_accuracy: real(0, 1),
  test_loss: loss,
  test_accuracy: real(0, 1),
  seconds: real(0),
}, { error: 'must be a metrics line (an object)' });

const intString = (what: string) => z.string({ error: `must be ${what}` }).regex(/^\d+$/, { error: `must be ${what}` }).transform(Number);
/** A project checkpoint's metadata (all strings, as safetensors metadata is); the model config is the JSON in `config`. */
export const CheckpointMetadataSchema = z.looseObject({
  version: z.literal(CHECKPOINT_VERSION, { error: `must be '${CHECKPOINT_VERSION}' (a checkpoint of another version of this project)` }).optional(),
  config: z.string({ error: 'must be the model config as JSON' }),
  step: intString('a step number').optional(),
  done: oneOf(['true', 'false']).transform((d) => d === 'true').optional(),
  preset: z.string().optional(),
  seed: intString('a seed').optional(),
  data_seed: intString('a seed').optional(),
});

/** A safetensors header (https://github.com/huggingface/safetensors: `__metadata__` of strings, then one entry per tensor). */
export const SafetensorsHeaderSchema = z.object({
  __metadata__: z.record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of strings' }).optional(),
}, { error: 'must be a JSON object' }).catchall(z.object({
  dtype: z.string({ error: 'must be a dtype name' }),
  shape: z.array(int(0), { error: 'must be an array of integers ≥ 0' }),
  data_offsets: z.tuple([int(0), int(0)], { error: 'must be [begin, end], integers ≥ 0' }),
}, { error: 'must be a tensor entry {dtype, shape, data_offsets}' }));

/** `a.b[2]["x.y"]`: a path that reads unambiguously when keys hold dots (tensor names do). */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_]\w*$/.test(String(k)) ? `${i ? '.' : ''}${String(k)}` : `[${JSON.stringify(String(k))}]`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** The problems on one line: "field = value must be …" ("field is missing (…)"; "value must be …" for the whole value). */
export function describeIssues(error: z.ZodError, value: unknown): string {
  return error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `${i.path.length ? `${fieldName(i.path)}: ` : ''}unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}`;
    const v = valueAt(value, i.path);
    const shown = JSON.stringify(v) ?? String(v);
    // Schemas here give their own messages; zod's default for a wrong type reads "Invalid input: expected …".
    const message = i.code === 'invalid_type' && i.message.startsWith('Invalid input') ? `must be of type ${i.expected}` : i.message;
    if (!i.path.length) return `${shown} ${message}`;
    return v === undefined ? `${fieldName(i.path)} is missing (${message})` : `${fieldName(i.path)} = ${shown} ${message}`;
  }).join('; ');
}

/** Parse `value` with `schema`, or throw one line naming `where` and each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${where}: ${describeIssues(r.error, value)}`);
  return r.data;
}

/** JSON.parse, or one line naming `where`. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
}
