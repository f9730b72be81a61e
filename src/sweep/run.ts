// Running a sweep (or one shard of it) into a directory:
//   <sweep>/sweep.json            the spec, written first; a rerun with another spec is refused
//   <sweep>/<id>/                 each model's run directory, with exactly the files of train, analyze and bound
//   <sweep>/status/<id>.json      what each stage did: ok (seconds) or failed (the message)
//   <sweep>/locks/<id>.lock       the worker that holds the model now
// Every stage is the single-model command's own code, in-process; a stage whose output exists is not redone, a
// killed training resumes from its last checkpoint, and an exception is recorded and the sweep goes on.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BOUND_OPTIONS } from '../bound/bound.js';
import { boundCheckpoint } from '../bound/bound_checkpoint.js';
import { type Gpu, getGpu } from '../gpu/device.js';
import { writeFileAtomic } from '../io/atomic.js';
import { analyzeCheckpoint } from '../interp/analyze_checkpoint.js';
import { type PreparedRun, prepareRun, runFiles, trainTogether } from '../train/run.js';
import { writeReport } from '../report/report.js';
import { fmtTime } from '../util/progress.js';
import { type Lock, type LockOptions, tryLock } from './lock.js';
import { type ModelStatus, STAGES, type Stage, readSpec, readStatus, sweepFiles } from './files.js';
import { type Shard, type SweepModel, type SweepSpec, inShard, specDifferences, sweepModels } from './spec.js';
import { GROKKED, TIERS, modelRow } from './summary.js';

/** Start the sweep in `dir` by writing its spec, or check that the one there is the same. */
export function initSweep(dir: string, spec: SweepSpec): void {
  const stored = readSpec(dir);
  if (stored) {
    const diff = specDifferences(stored, spec);
    if (diff.length) throw new Error(`${dir} holds another sweep (${diff.join('; ')}); choose another --out, or rerun with the same spec to resume it`);
    return;
  }
  writeFileAtomic(sweepFiles(dir).spec, JSON.stringify(spec, null, 2) + '\n');
}

export interface SweepOptions {
  shard: Shard;
  /** Stages to run again even where their outputs exist (after a change to the analysis or the bounds). */
  redo?: readonly Stage[];
  /** Analyse and bound on the CPU in float64 (training follows the preset's backend). */
  cpu?: boolean;
  lock?: LockOptions;
  /** One line per model finished (and notes); stderr by default. */
  log?: (line: string) => void;
}

export interface SweepOutcome { ran: number; skipped: number; failed: string[]; busy: string[] }

/** Run this shard's models of the sweep in `dir` (whose spec initSweep wrote). */
export async function runSweep(dir: string, spec: SweepSpec, opts: SweepOptions): Promise<SweepOutcome> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const files = sweepFiles(dir);
  mkdirSync(join(dir, 'status'), { recursive: true });
  mkdirSync(join(dir, 'locks'), { recursive: true });
  const redo = opts.redo ?? [];
  const mine = sweepModels(spec).filter((m) => inShard(m, opts.shard));
  const todo = mine.filter((m) => !finished(dir, m, redo));
  const outcome: SweepOutcome = { ran: 0, skipped: mine.length - todo.length, failed: [], busy: [] };
  if (outcome.skipped) log(`${outcome.skipped} of this shard's ${mine.length} models already done`);
  const gpu = opts.cpu ? undefined : await getGpu();
  const t0 = performance.now();
  let costDone = 0;
  // What is left for the ETA: every model this worker has not yet run, skipped or left to another.
  let costLeft = todo.reduce((t, m) => t + cost(m), 0);
  let logged = mine.length - todo.length;
  // A grid point's seeds are claimed together and train together (one GPU submit per step for all of them).
  for (const group of new Set(todo.map((m) => m.group))) {
    const claimed: { m: SweepModel; lock: Lock }[] = [];
    for (const m of todo.filter((x) => x.group === group)) {
      const claim = tryLock(files.lock(m.id), opts.lock);
      if ('owner' in claim) {
        costLeft -= cost(m);
        outcome.busy.push(m.id);
        log(`${m.id}: held by ${claim.owner.host} pid ${claim.owner.pid} since ${claim.owner.since}; left to it`);
      } else if (finished(dir, m, redo)) {
        // Another worker finished it since this one looked.
        costLeft -= cost(m);
        claim.lock.release();
        outcome.skipped++;
      } else {
        claimed.push({ m, lock: claim.lock });
      }
    }
    try {
      const tg = performance.now();
      const statuses = await trainGroup(dir, claimed.map((c) => c.m));
      const trainShare = (performance.now() - tg) / 1000 / Math.max(claimed.length, 1);
      for (const { m } of claimed) {
        const tm = performance.now();
        const status = await runStages(dir, m, statuses.get(m.id)!, gpu, redo);
        outcome.ran++;
        costDone += cost(m);
        costLeft -= cost(m);
        const failed = Object.entries(status.stages).find(([, st]) => !st.ok);
        if (failed) outcome.failed.push(m.id);
        const elapsed = (performance.now() - t0) / 1000;
        const eta = (elapsed / costDone) * costLeft;
        const what = failed ? `FAILED in ${failed[0]}: ${failed[1].error}` : describe(dir, m);
        log(`[${++logged}/${mine.length}] ${m.id} ${what} (${fmtTime(trainShare + (performance.now() - tm) / 1000)}); ${fmtTime(elapsed)} elapsed, ETA ${fmtTime(eta)}`);
      }
    } finally {
      for (const c of claimed) c.lock.release();
    }
  }
  return outcome;
}

/** Rough relative cost of training a model, for the ETA: steps × a step's cost, which grows with d_mlp past a fixed part. */
const cost = (m: SweepModel) => m.cfg.steps * (m.cfg.model.d_mlp + 256);

function finished(dir: string, m: SweepModel, redo: readonly Stage[]): boolean {
  const s = readStatus(dir, m.id);
  return !!s && STAGES.every((st) => s.stages[st]?.ok && !redo.includes(st)) && STAGES.every((st) => outputExists(dir, m.id, st));
}

function outputExists(dir: string, id: string, stage: Stage): boolean {
  const f = sweepFiles(dir);
  const path = { train: runFiles(f.model(id)).model, analyze: f.analysis(id), bound: f.bound(id), report: f.report(id) }[stage];
  return existsSync(path);
}

const saveStatus = (dir: string, status: ModelStatus) => writeFileAtomic(sweepFiles(dir).status(status.id), JSON.stringify(status, null, 2) + '\n');
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Train a grid point's models together (trainTogether: each model's files are those of training it alone), each resumed
 * from its own run directory; a finished run returns at once. Returns every model's status with its train stage set.
 */
async function trainGroup(dir: string, models: readonly SweepModel[]): Promise<Map<string, ModelStatus>> {
  const f = sweepFiles(dir);
  const statuses = new Map(models.map((m) => [m.id, readStatus(dir, m.id) ?? { id: m.id, stages: {} }]));
  const runs: { m: SweepModel; dir: string; run: PreparedRun }[] = [];
  for (const m of models) {
    const mdir = f.model(m.id);
    try {
      // A run started before (killed, or finished) continues from its own config, which must be the sweep's.
      const run = prepareRun(mdir, existsSync(runFiles(mdir).config) ? undefined : m.cfg);
      if (JSON.stringify(run.cfg) !== JSON.stringify(m.cfg)) throw new Error(`${mdir} holds a run whose config differs from the sweep's`);
      runs.push({ m, dir: mdir, run });
    } catch (e) {
      statuses.get(m.id)!.stages.train = { ok: false, seconds: 0, error: message(e) };
    }
  }
  const t = performance.now();
  let error: string | undefined;
  try {
    await trainTogether(runs, { quiet: !process.stderr.isTTY });
  } catch (e) {
    error = message(e);
  }
  // Trained together, each model is charged an equal share of the group's wall time.
  const seconds = (performance.now() - t) / 1000 / Math.max(runs.length, 1);
  for (const { m } of runs) {
    const st = statuses.get(m.id)!;
    st.stages.train = error ? { ok: false, seconds, error } : { ok: true, seconds: st.stages.train?.ok ? st.stages.train.seconds : seconds };
  }
  for (const st of statuses.values()) saveStatus(dir, st);
  return statuses;
}

/** Analyse, bound and report one trained model, skipping stages already done; the first failure ends the model's run. */
async function runStages(dir: string, m: SweepModel, status: ModelStatus, gpu: Gpu | undefined, redo: readonly Stage[]): Promise<ModelStatus> {
  if (!status.stages.train?.ok) return status;
  const f = sweepFiles(dir);
  const checkpoint = runFiles(f.model(m.id)).model;
  const work: Record<Exclude<Stage, 'train'>, () => Promise<unknown>> = {
    analyze: () => analyzeCheckpoint(checkpoint, { json: f.analysis(m.id), plots: f.plots(m.id) }, gpu),
    bound: () => boundCheckpoint(checkpoint, { json: f.bound(m.id), plots: f.plots(m.id) }, DEFAULT_BOUND_OPTIONS, gpu),
    report: () => writeReport(f.model(m.id)),
  };
  for (const stage of STAGES.filter((x) => x !== 'train')) {
    if (status.stages[stage]?.ok && outputExists(dir, m.id, stage) && !redo.includes(stage)) continue;
    const t = performance.now();
    try {
      await work[stage]();
      status.stages[stage] = { ok: true, seconds: (performance.now() - t) / 1000 };
    } catch (e) {
      status.stages[stage] = { ok: false, seconds: (performance.now() - t) / 1000, error: message(e) };
    }
    saveStatus(dir, status);
    if (!status.stages[stage]!.ok) break;
  }
  return status;
}

/** The one-line outcome of a finished model: its test accuracy and grokking, its ε and what the bounds certify. */
function describe(dir: string, m: SweepModel): string {
  const r = modelRow(dir, m).metrics;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const grok = r.grok_step === null ? `(did not reach ${pct(GROKKED)})` : `(grokked at step ${r.grok_step})`;
  return `test ${pct(r.test_accuracy)} ${grok}, ε/signal ${r.eps_over_signal?.toFixed(3)}, certified: ${TIERS.map((t) => `${t} ${pct(r[`${t}.certified_accuracy`])}`).join(', ')}`;
}
