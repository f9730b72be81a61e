// A training run in an output directory: config.json, metrics.jsonl, model.safetensors (the latest
// checkpoint, TransformerLens layout) and optimizer-<step>.safetensors (AdamW state for that step).
// Every file is written atomically; the optimiser file of a step is written before the model file that
// names it, so a run killed at any moment resumes from a consistent pair.
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync, appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { type Gpu, getGpu } from '../gpu/device.js';
import { KernelRegistry } from '../gpu/kernels.js';
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
import { CpuTrainBackend, GpuEnsembleTrainBackend, GpuTrainBackend, type Metrics, Throttle, type TrainBackend, type TrainState, initialState, stepTogether, trainMemoryBytes } from './backends.js';
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

/** The run directory of one seed of an ensemble trained with `npm run train -- --seeds`. */
export const seedDir = (out: string, seed: number) => join(out, `seed=${seed}`);

/** The runs under `dir`: the run there, or else the runs in its subdirectories (an ensemble's seeds), in name order. */
export function runDirs(dir: string): string[] {
  if (existsSync(runFiles(dir).config) || !existsSync(dir) || !statSync(dir).isDirectory()) return [dir];
  const subs = readdirSync(dir).sort().map((n) => join(dir, n)).filter((d) => existsSync(runFiles(d).config));
  return subs.length ? subs : [dir];
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

/** What training left in a run directory: the state of its last checkpoint and its last metrics line. */
export interface TrainedRun { dir: string; state: TrainState; last: MetricsLine | undefined }

export interface TrainOptions {
  /** No progress line on stderr. */
  quiet?: boolean;
  /** Called with each metrics line as it is written (a sweep's own progress). */
  onMetrics?: (dir: string, line: MetricsLine) => void;
  /** Keep model-<step>.safetensors every this many steps (--save-every), for studying grokking. */
  saveEvery?: number;
}

/** Train from the prepared state to cfg.steps (or the early stop), checkpointing on the way; a finished run is left as it is. */
export async function runTraining(dir: string, run: PreparedRun, opts: TrainOptions = {}): Promise<TrainedRun> {
  return (await trainTogether([{ dir, run }], opts))[0];
}

/** One run of trainTogether as it goes. */
interface Member {
  dir: string;
  cfg: TrainConfig;
  backend: TrainBackend;
  state: TrainState;
  step: number;
  last: MetricsLine | undefined;
  stopped: boolean;
  /** Start of its training time: `seconds` continues from the run's last kept line across resumptions. */
  t0: number;
}

/**
 * Train several runs of one model shape together (seeds, learning rates, weight decays, splits may
 * differ), each written exactly as it would be trained alone: the same files, checkpoints and metrics bit
 * for bit, `seconds` aside (the group's wall time). On the GPU one command encoder per step carries every
 * model's step; runs at one step on one split (data_seed, frac) are one program with a leading model
 * dimension (src/model/stacked_backend.ts), whose arithmetic per model is that of the model alone. Finished runs are left as they are; runs resumed at different steps are stepped from the one
 * furthest behind, each joining the group's submits once the others' step reaches its own.
 */
export async function trainTogether(runs: readonly { dir: string; run: PreparedRun }[], opts: TrainOptions = {}): Promise<TrainedRun[]> {
  if (!runs.length) return [];
  const dirs = new Set(runs.map((r) => r.dir));
  if (dirs.size !== runs.length) throw new Error('trainTogether: a run directory is given twice');
  const shape = JSON.stringify(runs[0].run.cfg.model);
  for (const { dir, run } of runs) {
    if (JSON.stringify(run.cfg.model) !== shape) throw new Error(`trainTogether: ${dir} has another model shape than ${runs[0].dir}`);
    if (run.cfg.backend !== runs[0].run.cfg.backend) throw new Error(`trainTogether: ${dir} trains on the ${run.cfg.backend}, ${runs[0].dir} on the ${runs[0].run.cfg.backend}`);
  }
  const finished = new Map<string, TrainedRun>();
  for (const { dir, run } of runs) {
    if (run.done && run.state) {
      await plotCurves(dir, run.cfg);
      finished.set(dir, { dir, state: run.state, last: readMetrics(runFiles(dir).metrics).at(-1) });
    }
  }
  const todo = runs.filter((r) => !finished.has(r.dir));
  const gpu = runs[0].run.cfg.backend === 'gpu' && todo.length ? await getGpu() : undefined;
  // One set of compiled kernels for the group; each model owns the dispatches it prepares.
  const k = gpu && new KernelRegistry(gpu);
  const throttle = gpu && new Throttle(gpu);
  const members: Member[] = [];
  const backends: TrainBackend[] = [];
  try {
    trainBackends(todo.map((r) => r.run), gpu, k, backends);
    for (const [i, { dir, run }] of todo.entries()) members.push(startMember(dir, run, backends[i], gpu));
    // The bar's clock continues across resumptions, as `seconds` does.
    const before = Math.max(0, ...members.map((m) => readMetrics(runFiles(m.dir).metrics).at(-1)?.seconds ?? 0));
    const progress = new Progress(runs.length > 1 ? `train ${runs.length} runs` : `train ${runs[0].run.cfg.preset}`,
      Math.max(...runs.map((r) => r.run.cfg.steps)), Math.min(...members.map((m) => m.step)), before);
    let active = members.filter((m) => m.step < m.cfg.steps);
    while (active.length) {
      // The runs furthest behind step together; one resumed further on waits until they reach it.
      const at = Math.min(...active.map((m) => m.step));
      const now = active.filter((m) => m.step === at);
      for (const m of now) m.step++;
      await stepTogether(gpu, throttle, now.map((m) => ({ backend: m.backend, h: hyper(m.cfg, m.step) })));
      for (const m of now) {
        if (await afterStep(m, opts)) throttle?.reset(); // read back: the queue is empty
        if (!opts.quiet && m.last?.step === m.step) {
          progress.update(m.step, `${runs.length > 1 ? `${basename(m.dir)} ` : ''}loss ${fmt(m.last.train_loss)}/${fmt(m.last.test_loss)} acc ${pct(m.last.train_accuracy)}/${pct(m.last.test_accuracy)} (train/test)`);
        }
      }
      active = active.filter((m) => !m.stopped && m.step < m.cfg.steps);
    }
    if (!opts.quiet) progress.done();
  } finally {
    for (const b of backends) b?.dispose();
    k?.owner.dispose();
  }
  const trained = new Map(members.map((m) => [m.dir, { dir: m.dir, state: m.state, last: m.last }]));
  return runs.map((r) => finished.get(r.dir) ?? trained.get(r.dir)!);
}

/**
 * A backend for each run (of one model shape), into out in the runs' order (as they are made, so that a
 * failure leaves the ones made to be disposed). On the GPU, runs at the same step on the same split
 * share one program with a leading model dimension (an ensemble); a run alone gets the single-model program.
 */
function trainBackends(runs: readonly PreparedRun[], g: Gpu | undefined, k: KernelRegistry | undefined, out: TrainBackend[]): void {
  if (!runs.length) return;
  const c = runs[0].cfg.model;
  const layout = paramLayout(c);
  const batches = (cfg: TrainConfig) => {
    const { train, test } = split(c.p, cfg.frac, splitSeed(cfg));
    return { train: batchOf(c, train), test: test.length ? batchOf(c, test) : undefined };
  };
  if (!g) {
    runs.forEach(({ cfg }, i) => (out[i] = new CpuTrainBackend(c, layout, batches(cfg).train, batches(cfg).test, cfg.schedule)));
    return;
  }
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = JSON.stringify([r.state?.step ?? 0, r.cfg.data_seed, r.cfg.frac, r.cfg.schedule]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const group of groups.values()) {
    const { cfg } = runs[group[0]];
    const b = batches(cfg);
    if (group.length === 1) {
      out[group[0]] = new GpuTrainBackend(g, c, layout, b.train, b.test, cfg.schedule, k);
      continue;
    }
    const ensemble = new GpuEnsembleTrainBackend(g, c, layout, b.train, b.test, cfg.schedule, group.length, k);
    group.forEach((run, i) => (out[run] = ensemble.member(i)));
  }
}

function startMember(dir: string, run: PreparedRun, backend: TrainBackend, gpu: Gpu | undefined): Member {
  const { cfg } = run;
  const f = runFiles(dir);
  // Written once the backend is built, so a model too big for the host or the device leaves nothing behind.
  if (!run.state) writeFileAtomic(f.config, JSON.stringify({ ...trainConfigFile(cfg), provenance: provenance(gpu?.adapter) }, null, 2) + '\n');
  const layout = paramLayout(cfg.model);
  const state = run.state ?? initialState(layout, initParams(cfg.model, cfg.seed));
  backend.load(state);
  truncateMetrics(f.metrics, state.step);
  const t0 = performance.now() - 1000 * (readMetrics(f.metrics).at(-1)?.seconds ?? 0);
  const m: Member = { dir, cfg, backend, state, step: state.step, last: undefined, stopped: false, t0 };
  // The curves start from the initialisation: step 0 is evaluated once, before any step.
  if (state.step === 0 && !readMetrics(f.metrics).length) {
    const { train, test } = split(cfg.model.p, cfg.frac, splitSeed(cfg));
    record(m, 0, 0, initialMetrics(cfg, unflatten(layout, state.params), train, test));
  }
  return m;
}

/** Append a metrics line for member m. */
function record(m: Member, step: number, lr: number, e: { train: Metrics; test: Metrics }, opts: TrainOptions = {}): void {
  m.last = { step, lr, train_loss: e.train.loss, train_accuracy: e.train.accuracy, test_loss: e.test.loss, test_accuracy: e.test.accuracy, seconds: (performance.now() - m.t0) / 1000 };
  appendFileSync(runFiles(m.dir).metrics, JSON.stringify(m.last) + '\n');
  opts.onMetrics?.(m.dir, m.last);
}

const hyper = (cfg: TrainConfig, step: number) =>
  ({ lr: learningRate(cfg, step), beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weight_decay: cfg.weight_decay, step });

/** Evaluate and checkpoint after a member's step as its config asks; true when it read the GPU back. */
async function afterStep(m: Member, opts: TrainOptions): Promise<boolean> {
  const { cfg, step } = m;
  const f = runFiles(m.dir);
  const finalStep = step === cfg.steps;
  let readBack = false;
  if (step % cfg.eval_every === 0 || finalStep) {
    record(m, step, learningRate(cfg, step), await m.backend.evaluate(), opts);
    readBack = true;
  }
  if (opts.saveEvery && step % opts.saveEvery === 0) {
    const params = unflatten(paramLayout(cfg.model), (await m.backend.state(step)).params);
    saveCheckpoint(f.snapshot(step), cfg.model, params, { step: String(step), preset: cfg.preset, seed: String(cfg.seed), data_seed: String(cfg.data_seed) });
    readBack = true;
  }
  m.stopped = cfg.early_stop_loss > 0 && m.last?.step === step && m.last.test_accuracy === 1 && m.last.test_loss < cfg.early_stop_loss;
  if (step % cfg.checkpoint_every === 0 || finalStep || m.stopped) {
    m.state = await m.backend.state(step);
    readBack = true;
    saveState(m.dir, cfg, m.state, finalStep || m.stopped);
    await plotCurves(m.dir, cfg);
  }
  return readBack;
}

/** curves.svg and curves.vl.json beside the run, redrawn at each checkpoint so a long run can be watched. */
const plotCurves = (dir: string, cfg: TrainConfig) => writeFigures(dir, { curves: curvesFigure(readMetrics(runFiles(dir).metrics), runTitle(cfg)) });

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
