// Training configurations: named presets (SPEC §1), each overridable field by field.
import { type ModelConfig, makeConfig } from '../model/config.js';
import type { ScheduleName } from '../model/schedules.js';
import { TrainConfigSchema, parseWith } from '../io/schemas.js';

export interface TrainConfig {
  preset: string;
  model: ModelConfig;
  /** Seed of the initialisation. */
  seed: number;
  /** Seed of the train/test split, apart from the initialisation's so that models of different seeds (an ensemble, a sweep) share one split. */
  data_seed: number;
  /** Share of the p² pairs in the training split. */
  frac: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  warmup_steps: number;
  steps: number;
  /** Evaluate (and read back the loss) every this many steps. */
  eval_every: number;
  checkpoint_every: number;
  /** Stop once test accuracy is 100 % and test loss is below this (0: never stop early). */
  early_stop_loss: number;
  backend: 'gpu' | 'cpu';
  schedule: ScheduleName | 'auto';
}

const canonicalModel = { p: 59, d_model: 128, n_heads: 4, d_mlp: 512, act_fn: 'relu' as const, eq_token: false };

const base: Omit<TrainConfig, 'preset' | 'model'> = {
  seed: 0, data_seed: 0, frac: 0.8, lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1.0, warmup_steps: 10, steps: 10_000,
  eval_every: 100, checkpoint_every: 1000, early_stop_loss: 0, backend: 'gpu', schedule: 'auto',
};

/** The presets, each stating its attention convention. */
export const PRESETS: Record<string, () => TrainConfig> = {
  pizza: () => ({ ...base, preset: 'pizza', model: makeConfig({ ...canonicalModel, attention_rate: 0, attention_convention: 'mean' }) }),
  'pizza-zhong': () => ({ ...base, preset: 'pizza-zhong', weight_decay: 2.0, steps: 20_000, model: makeConfig({ ...canonicalModel, attention_rate: 0, attention_convention: 'sum' }) }),
  clock: () => ({ ...base, preset: 'clock', model: makeConfig({ ...canonicalModel, attention_rate: 1, attention_convention: 'mean' }) }),
};

export function preset(name: string): TrainConfig {
  const make = PRESETS[name];
  if (!make) throw new Error(`unknown preset '${name}' (known: ${Object.keys(PRESETS).join(', ')})`);
  return make();
}

/** Command-line overrides: flag name, the field it sets (a dotted path, for showing each preset's value), and how to parse and check its value. */
interface Override { flag: string; field: string; help: string; apply(c: TrainConfig, v: string): TrainConfig }

/** A flag's integer value, at least min, or a clear error naming the flag. */
export const int = (flag: string, v: string, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} ${v}: expected an integer ≥ ${min}`);
  return n;
};
const real = (flag: string, v: string, lo: number, hi = Infinity) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi) throw new Error(`--${flag} ${v}: expected a number in [${lo}, ${hi}]`);
  return n;
};
const oneOf = <T extends string>(flag: string, v: string, allowed: readonly T[]): T => {
  if (!allowed.includes(v as T)) throw new Error(`--${flag} ${v}: expected one of ${allowed.join(', ')}`);
  return v as T;
};
/** Change model fields; the derived ones (d_head, n_ctx, vocabularies) follow from the rest. */
const remodel = (c: TrainConfig, patch: Partial<ModelConfig>): TrainConfig => {
  const { p, d_model, n_heads, d_mlp, attention_rate, attention_convention, act_fn, eq_token } = { ...c.model, ...patch };
  return { ...c, model: makeConfig({ p, d_model, n_heads, d_mlp, attention_rate, attention_convention, act_fn, eq_token }) };
};
const bool = (flag: string, v: string) => oneOf(flag, v, ['true', 'false'] as const) === 'true';

export const OVERRIDES: Override[] = [
  { flag: 'seed', field: 'seed', help: 'seed of the initialisation', apply: (c, v) => ({ ...c, seed: int('seed', v, 0) }) },
  { flag: 'data-seed', field: 'data_seed', help: 'seed of the train/test split', apply: (c, v) => ({ ...c, data_seed: int('data-seed', v, 0) }) },
  { flag: 'p', field: 'model.p', help: 'modulus (≥ 2)', apply: (c, v) => remodel(c, { p: int('p', v, 2) }) },
  { flag: 'd-model', field: 'model.d_model', help: 'residual width', apply: (c, v) => remodel(c, { d_model: int('d-model', v, 1) }) },
  { flag: 'n-heads', field: 'model.n_heads', help: 'attention heads (d_head = d_model / n_heads)', apply: (c, v) => remodel(c, { n_heads: int('n-heads', v, 1) }) },
  { flag: 'd-mlp', field: 'model.d_mlp', help: 'MLP width', apply: (c, v) => remodel(c, { d_mlp: int('d-mlp', v, 1) }) },
  { flag: 'attention-rate', field: 'model.attention_rate', help: 'α in [0, 1]', apply: (c, v) => remodel(c, { attention_rate: real('attention-rate', v, 0, 1) }) },
  { flag: 'convention', field: 'model.attention_convention', help: 'sum | mean', apply: (c, v) => remodel(c, { attention_convention: oneOf('convention', v, ['sum', 'mean'] as const) }) },
  { flag: 'act-fn', field: 'model.act_fn', help: 'relu | gelu', apply: (c, v) => remodel(c, { act_fn: oneOf('act-fn', v, ['relu', 'gelu'] as const) }) },
  { flag: 'eq-token', field: 'model.eq_token', help: "true | false: append an '=' token", apply: (c, v) => remodel(c, { eq_token: bool('eq-token', v) }) },
  { flag: 'frac', field: 'frac', help: 'training share of the p² pairs', apply: (c, v) => ({ ...c, frac: real('frac', v, 1e-9, 1) }) },
  { flag: 'lr', field: 'lr', help: 'AdamW learning rate', apply: (c, v) => ({ ...c, lr: real('lr', v, 0) }) },
  { flag: 'weight-decay', field: 'weight_decay', help: 'AdamW decoupled weight decay', apply: (c, v) => ({ ...c, weight_decay: real('weight-decay', v, 0) }) },
  { flag: 'warmup-steps', field: 'warmup_steps', help: 'linear warm-up length', apply: (c, v) => ({ ...c, warmup_steps: int('warmup-steps', v, 0) }) },
  { flag: 'steps', field: 'steps', help: 'training steps', apply: (c, v) => ({ ...c, steps: int('steps', v, 1) }) },
  { flag: 'eval-every', field: 'eval_every', help: 'steps between evaluations (loss read back)', apply: (c, v) => ({ ...c, eval_every: int('eval-every', v, 1) }) },
  { flag: 'checkpoint-every', field: 'checkpoint_every', help: 'steps between checkpoints', apply: (c, v) => ({ ...c, checkpoint_every: int('checkpoint-every', v, 1) }) },
  { flag: 'early-stop-loss', field: 'early_stop_loss', help: 'stop at 100 % test accuracy and test loss below this (0: off)', apply: (c, v) => ({ ...c, early_stop_loss: real('early-stop-loss', v, 0) }) },
  { flag: 'backend', field: 'backend', help: 'gpu | cpu (the float64 reference path, for small models)', apply: (c, v) => ({ ...c, backend: oneOf('backend', v, ['gpu', 'cpu'] as const) }) },
  { flag: 'schedule', field: 'schedule', help: 'auto | generic | constant (the α = 0 fast path)', apply: (c, v) => ({ ...c, schedule: oneOf('schedule', v, ['auto', 'generic', 'constant'] as const) }) },
];

/** An override's value in each preset, as help shows it: the pizza preset's, and where another preset differs, its own. */
export function presetValues(o: Override): string {
  const get = (c: TrainConfig) => String(o.field.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], c));
  const [first, ...rest] = Object.entries(PRESETS).map(([name, make]) => [name, get(make())] as const);
  const differ = rest.filter(([, v]) => v !== first[1]).map(([name, v]) => `${name}: ${v}`);
  return `${first[1]}${differ.length ? `; ${differ.join(', ')}` : ''}`;
}

/** Apply `--flag value` overrides in order, with clear errors for unknown flags and bad values. */
export function applyOverrides(c: TrainConfig, overrides: readonly [string, string][]): TrainConfig {
  for (const [flag, v] of overrides) {
    const o = OVERRIDES.find((x) => x.flag === flag);
    if (!o) throw new Error(`unknown option --${flag}`);
    c = o.apply(c, v);
  }
  // Checked once all flags are in, so `--n-heads 3 --d-model 96` works in either order.
  const { d_model, n_heads } = c.model;
  if (d_model % n_heads) throw new Error(`d_model ${d_model} is not divisible by n_heads ${n_heads} (d_head = d_model / n_heads; see --d-model, --n-heads)`);
  // The schema config.json is read with, so a config the command line accepts is one a resume accepts.
  return parseWith(TrainConfigSchema, c, 'training config');
}

/** The split's seed: data_seed, mixed so that split seed 0 differs from initialisation seed 0's stream. */
export const splitSeed = (c: Pick<TrainConfig, 'data_seed'>) => c.data_seed ^ 0x5eed;

/** Linear warm-up over the first warmup_steps steps (step counts from 1), then constant. */
export const learningRate = (c: TrainConfig, step: number) => (c.warmup_steps > 0 ? c.lr * Math.min(1, step / c.warmup_steps) : c.lr);
