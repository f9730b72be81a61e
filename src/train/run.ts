// A training run in an output directory: config.json, metrics.jsonl, model.safetensors (the latest
// checkpoint, TransformerLens layout) and optimizer-<step>.safetensors (AdamW state for that step).
// Every file is written atomically; the optimiser file of a step is written before the model file that
// names it, so a run killed at any moment resumes from a consistent pair.
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { getGpu } from '../gpu/device.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { CpuBackend } from '../model/cpu_backend.js';
import { allPairs, batchOf } from '../model/inputs.js';
import { type ParamValues, flatten, initParams, paramLayout, unflatten } from '../model/params.js';
import { build, chooseSchedule } from '../model/schedules.js';
import { mean } from '../util/stats.js';
import { Progress } from '../util/progress.js';
import { MetricsLineSchema, TrainConfigFileSchema, parseJson, parseWith, trainConfigFile } from '../io/schemas.js';
import { checkMemory } from '../util/memory.js';
import { CpuTrainBackend, GpuTrainBackend, type Metrics, type TrainBackend, type TrainState, initialState, trainMemoryBytes } from './backends.js';
import { type TrainConfig, learningRate, splitSeed } from './config.js';
import { split } from './data.js';
import { curvesFigure } from './curves.js';
import { writeFigures } from '../plot/figure.js';
import { provenance } from './provenance.js';

/** One line of metrics.jsonl: one evaluation (the schema, MetricsLineSchema, is in src/io/schemas.ts). */
export type MetricsLine = z.output<typeof MetricsLineSchema>;

export const runFiles = (dir: string) => ({
  config: join(dir, 'config.json'),
  metrics: join(dir, 'metrics.jsonl'),
  model: join(dir, 'model.safetensors'),
  optimizer: (step: number) => join(dir, `optimizer-${step}.safetensors`),
  /** A model kept along the way (--save-every). */
  snapshot: (step: number) => join(dir, `model-${step}.safetensors`),
});

/** A run ready to go: its config, the state to continue from (none: a fresh start), and whether it had finished. */
export interface PreparedRun { cfg: TrainConfig; state: TrainState | undefined; done: boolean }

/** Start a new run in `dir` (refusing a directory that holds another run) or resume the one there, trained on to `extendTo` steps when given. */
export function prepareRun(dir: string, cfg: TrainConfig | undefined, extendTo?: number): PreparedRun {
  const f = runFiles(dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const stored = existsSync(f.config) ? readConfig(f.config) : undefined;
  if (!cfg) {
    if (!stored) throw new Error(`--resume ${dir}: no run there (no config.json)`);
    if (extendTo !== undefined && extendTo <= stored.steps) throw new Error(`--steps ${extendTo}: the run in ${dir} already trains to ${stored.steps} steps; --steps with --resume extends it`);
    const resumed = loadState(dir, stored);
    // A run killed mid-write leaves its temp file (never the real one); clear them.
    for (const name of readdirSync(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) unlinkSync(join(dir, name));
    if (extendTo === undefined) return { cfg: stored, state: resumed?.state, done: resumed?.done ?? false };
    if (resumed?.done && !existsSync(f.optimizer(resumed.state.step))) throw new Error(`--steps: ${dir} was kept without its optimiser state (${f.optimizer(resumed.state.step)}), so it cannot continue exactly`);
    const extended = { ...stored, steps: extendTo };
    writeFileAtomic(f.config, JSON.stringify({ ...JSON.parse(readFileSync(f.config, 'utf8')), steps: extendTo }, null, 2) + '\n');
    return { cfg: extended, state: resumed?.state, done: false };
  }
  if (stored) {
    const diff = differences(stored, cfg);
    throw new Error(diff.length
      ? `${dir} holds a different run (${diff.join('; ')}); choose another --out`
      : `${dir} already holds this run; continue it with --resume ${dir}`);
  }
  if (existsSync(dir) && readdirSync(dir).length) throw new Error(`${dir} is not empty and holds no run; choose another --out`);
  // config.json is written once the backend is built (runTraining), so a model too big for the host or the
  // device leaves nothing behind.
  checkMemory(trainMemoryBytes(cfg), `training p = ${cfg.model.p}, d_model ${cfg.model.d_model}, d_mlp ${cfg.model.d_mlp} on the ${cfg.backend}`);
  return { cfg, state: undefined, done: false };
}

/** config.json, validated by the same schema as the command line's config (TrainConfigFileSchema); the report reads it too. */
export function readConfig(path: string): TrainConfig {
  return parseWith(TrainConfigFileSchema, parseJson(readFileSync(path, 'utf8'), path), path);
}

/** The fields (dotted paths) where two configs differ, with the stored value and the asked-for one. */
export function differences(stored: TrainConfig, asked: TrainConfig): string[] {
  const flat = (o: object, pre = ''): Record<string, unknown> => Object.fromEntries(Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? Object.entries(flat(v, `${pre}${k}.`)) : [[`${pre}${k}`, v]]));
  const a = flat(stored);
  const b = flat(asked);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${JSON.stringify(a[k])} there, ${JSON.stringify(b[k])} asked`);
}

function loadState(dir: string, cfg: TrainConfig): { state: TrainState; done: boolean } | undefined {
  const f = runFiles(dir);
  if (!existsSync(f.model)) return undefined;
  // NaN or ±Infinity in the weights or the optimiser state is refused as it loads.
  const ck = loadCheckpoint(f.model);
  if (JSON.stringify(ck.cfg) !== JSON.stringify(cfg.model)) throw new Error(`${f.model}: its model config differs from ${f.config}`);
  const { step } = ck.meta;
  if (step === undefined) throw new Error(`${f.model}: metadata step is missing; not a checkpoint of a training run`);
  const layout = paramLayout(cfg.model);
  const done = ck.meta.done ?? false;
  // A finished run is never stepped again, so it needs no optimiser state (results keep only the model).
  if (done && !existsSync(f.optimizer(step))) {
    return { state: { step, params: flatten(layout, ck.params), m: new Float32Array(layout.length), v: new Float32Array(layout.length) }, done };
  }
  const opt = readSafetensors(f.optimizer(step));
  const get = (name: string) => {
    const t = opt.tensors[name];
    if (!t || t.dtype !== 'F32' || t.data.length !== layout.length) throw new Error(`${f.optimizer(step)}: tensor ${name} missing or of the wrong size`);
    return t.data as Float32Array;
  };
  return { state: { step, params: flatten(layout, ck.params), m: get('m'), v: get('v') }, done };
}

function saveState(dir: string, cfg: TrainConfig, s: TrainState, done: boolean): void {
  const f = runFiles(dir);
  const layout = paramLayout(cfg.model);
  const flat = (data: Float32Array) => ({ dtype: 'F32' as const, shape: [data.length], data });
  writeSafetensors(f.optimizer(s.step), { tensors: { m: flat(s.m), v: flat(s.v) }, metadata: { step: String(s.step) } });
  saveCheckpoint(f.model, cfg.model, unflatten(layout, s.params), { step: String(s.step), done: String(done), preset: cfg.preset, seed: String(cfg.seed), data_seed: String(cfg.data_seed) });
  for (const name of readdirSync(dir)) {
    const m = /^optimizer-(\d+)\.safetensors$/.exec(name);
    if (m && Number(m[1]) !== s.step) unlinkSync(join(dir, name));
  }
}

/**
 * The metrics lines of a run, each validated (MetricsLineSchema). A torn last line (a kill during the append:
 * no newline after it) is dropped, and the next resume rewrites the file without it; any other bad line is an
 * error naming its line number.
 */
export function readMetrics(path: string): MetricsLine[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const tail = lines.pop()!; // after the last newline: empty unless the last append was torn
  const parse = (line: string, i: number) => parseWith(MetricsLineSchema, parseJson(line, `${path}:${i + 1}`), `${path}:${i + 1}`);
  const out = lines.map(parse);
  try {
    if (tail.trim()) out.push(parse(tail, lines.length));
  } catch {
    // The torn line of a killed append.
  }
  return out;
}

/** Keep the metrics of steps up to `step` (a resumed run re-emits the rest). */
function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  writeFileAtomic(path, readMetrics(path).filter((m) => m.step <= step).map((m) => JSON.stringify(m) + '\n').join(''));
}

/** Train from the prepared state to cfg.steps (or the early stop), checkpointing on the way; a finished run is left as it is. */
export async function runTraining(dir: string, run: PreparedRun, opts: { quiet?: boolean; saveEvery?: number } = {}): Promise<{ state: TrainState; last: MetricsLine | undefined }> {
  const { cfg, state: resumed } = run;
  const f = runFiles(dir);
  // curves.svg and curves.vl.json beside the run, redrawn at each checkpoint so a long run can be watched.
  const plotCurves = () => writeFigures(dir, { curves: curvesFigure(readMetrics(f.metrics), runTitle(cfg)) });
  if (run.done && resumed) {
    await plotCurves();
    return { state: resumed, last: readMetrics(f.metrics).at(-1) };
  }
  const c = cfg.model;
  const layout = paramLayout(c);
  const { train, test } = split(c.p, cfg.frac, splitSeed(cfg));
  const trainBatch = batchOf(c, train);
  const testBatch = test.length ? batchOf(c, test) : undefined;
  const backend: TrainBackend = cfg.backend === 'gpu'
    ? new GpuTrainBackend(await getGpu(), c, layout, trainBatch, testBatch, cfg.schedule)
    : new CpuTrainBackend(c, layout, trainBatch, testBatch, cfg.schedule);
  if (!resumed) writeFileAtomic(f.config, JSON.stringify({ ...trainConfigFile(cfg), provenance: provenance(cfg.backend === 'gpu' ? (await getGpu()).adapter : undefined) }, null, 2) + '\n');
  let state = resumed ?? initialState(layout, initParams(c, cfg.seed));
  backend.load(state);
  truncateMetrics(f.metrics, state.step);
  // `seconds` counts training time across resumptions: it continues from the last kept line, and so does the bar's clock.
  const before = readMetrics(f.metrics).at(-1)?.seconds ?? 0;
  const progress = new Progress(`train ${cfg.preset}`, cfg.steps, state.step, before);
  const t0 = performance.now() - 1000 * before;
  let last: MetricsLine | undefined;
  const record = (step: number, lr: number, e: { train: Metrics; test: Metrics }) => {
    last = { step, lr, train_loss: e.train.loss, train_accuracy: e.train.accuracy, test_loss: e.test.loss, test_accuracy: e.test.accuracy, seconds: (performance.now() - t0) / 1000 };
    appendFileSync(f.metrics, JSON.stringify(last) + '\n');
    if (!opts.quiet) progress.update(step, `loss ${fmt(last.train_loss)}/${fmt(last.test_loss)} acc ${pct(last.train_accuracy)}/${pct(last.test_accuracy)} (train/test)`);
  };
  // The curves start from the initialisation: step 0 is evaluated once, before any step.
  if (state.step === 0 && !readMetrics(f.metrics).length) record(0, 0, initialMetrics(cfg, unflatten(layout, state.params), train, test));
  let step = state.step;
  while (step < cfg.steps) {
    step++;
    const lr = learningRate(cfg, step);
    backend.step({ lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weight_decay: cfg.weight_decay, step });
    if (backend instanceof GpuTrainBackend) await backend.throttle();
    const finalStep = step === cfg.steps;
    if (step % cfg.eval_every === 0 || finalStep) record(step, lr, await backend.evaluate());
    if (opts.saveEvery && step % opts.saveEvery === 0) {
      saveCheckpoint(f.snapshot(step), c, unflatten(layout, (await backend.state(step)).params), { step: String(step), preset: cfg.preset, seed: String(cfg.seed), data_seed: String(cfg.data_seed) });
    }
    const stop = cfg.early_stop_loss > 0 && last?.step === step && last.test_accuracy === 1 && last.test_loss < cfg.early_stop_loss;
    if (step % cfg.checkpoint_every === 0 || finalStep || stop) {
      state = await backend.state(step);
      saveState(dir, cfg, state, finalStep || stop);
      await plotCurves();
    }
    if (stop) break;
  }
  if (!opts.quiet) progress.done();
  return { state, last };
}

/** A run's one-line name: preset, seed and the sizes that vary. */
export const runTitle = (cfg: TrainConfig) => `${cfg.preset}, seed ${cfg.seed}: p ${cfg.model.p}, d_mlp ${cfg.model.d_mlp}, α ${cfg.model.attention_rate}`;
/**
 * The initialisation's train and test metrics. The backends read a step's train metrics from that step's own
 * forward pass, so before any step there are none: the float64 forward pass over all p² pairs gives both.
 */
function initialMetrics(cfg: TrainConfig, params: ParamValues, train: number[], test: number[]): { train: Metrics; test: Metrics } {
  const batch = allPairs(cfg.model);
  const o = build(new CpuBackend(cfg.model, params, batch), cfg.model, batch.size, chooseSchedule(cfg.model, cfg.schedule)).outputs;
  const over = (pairs: number[]) => (pairs.length ? { loss: mean(pairs.map((i) => o.loss[i])), accuracy: mean(pairs.map((i) => o.correct[i])) } : { loss: NaN, accuracy: NaN });
  return { train: over(train), test: over(test) };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
