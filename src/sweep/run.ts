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
import { prepareRun, runFiles, runTraining } from '../train/run.js';
import { fmtTime } from '../util/progress.js';
import { type LockOptions, tryLock } from './lock.js';
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
  const mine = sweepModels(spec).filter((m) => inShard(m, opts.shard));
  const todo = mine.filter((m) => !finished(dir, m, opts.redo ?? []));
  const outcome: SweepOutcome = { ran: 0, skipped: mine.length - todo.length, failed: [], busy: [] };
  if (outcome.skipped) log(`${outcome.skipped} of this shard's ${mine.length} models already done`);
  const gpu = opts.cpu ? undefined : await getGpu();
  const t0 = performance.now();
  let costDone = 0;
  for (const [i, m] of todo.entries()) {
    const claim = tryLock(files.lock(m.id), opts.lock);
    if ('owner' in claim) {
      outcome.busy.push(m.id);
      log(`${m.id}: held by ${claim.owner.host} pid ${claim.owner.pid} since ${claim.owner.since}; left to it`);
      continue;
    }
    if (finished(dir, m, opts.redo ?? [])) {
      // Another worker finished it since this one looked.
      claim.lock.release();
      outcome.skipped++;
      continue;
    }
    const tm = performance.now();
    let status: ModelStatus;
    try {
      status = await runModel(dir, m, gpu, opts.redo ?? []);
    } finally {
      claim.lock.release();
    }
    outcome.ran++;
    costDone += cost(m);
    const failed = Object.entries(status.stages).find(([, s]) => !s.ok);
    if (failed) outcome.failed.push(m.id);
    const elapsed = (performance.now() - t0) / 1000;
    const eta = (elapsed / costDone) * todo.slice(i + 1).reduce((t, x) => t + cost(x), 0);
    const what = failed ? `FAILED in ${failed[0]}: ${failed[1].error}` : describe(dir, m);
    log(`[${mine.length - todo.length + i + 1}/${mine.length}] ${m.id} ${what} (${fmtTime((performance.now() - tm) / 1000)}); ${fmtTime(elapsed)} elapsed, ETA ${fmtTime(eta)}`);
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
  return existsSync(stage === 'train' ? runFiles(f.model(id)).model : stage === 'analyze' ? f.analysis(id) : f.bound(id));
}

/** Train, analyse and bound one model, skipping stages already done; the first failure ends the model's run. */
async function runModel(dir: string, m: SweepModel, gpu: Gpu | undefined, redo: readonly Stage[]): Promise<ModelStatus> {
  const f = sweepFiles(dir);
  const mdir = f.model(m.id);
  const status: ModelStatus = readStatus(dir, m.id) ?? { id: m.id, stages: {} };
  const checkpoint = runFiles(mdir).model;
  const work: Record<Stage, () => Promise<unknown>> = {
    train: async () => {
      // A run started before (killed, or finished) continues from its own config; the spec check made sure it is this one.
      const run = prepareRun(mdir, existsSync(runFiles(mdir).config) ? undefined : m.cfg);
      if (JSON.stringify(run.cfg) !== JSON.stringify(m.cfg)) throw new Error(`${mdir} holds a run whose config differs from the sweep's`);
      await runTraining(mdir, run, { quiet: !process.stderr.isTTY });
    },
    analyze: () => analyzeCheckpoint(checkpoint, { json: f.analysis(m.id), plots: f.plots(m.id) }, gpu),
    bound: () => boundCheckpoint(checkpoint, { json: f.bound(m.id), plots: f.plots(m.id) }, DEFAULT_BOUND_OPTIONS, gpu),
  };
  for (const stage of STAGES) {
    const done = status.stages[stage]?.ok && outputExists(dir, m.id, stage) && !redo.includes(stage);
    if (done && stage !== 'train') continue;
    // Training is always asked: a finished run returns at once, a killed one resumes.
    const t = performance.now();
    try {
      await work[stage]();
      status.stages[stage] = { ok: true, seconds: done ? status.stages[stage]!.seconds : (performance.now() - t) / 1000 };
    } catch (e) {
      status.stages[stage] = { ok: false, seconds: (performance.now() - t) / 1000, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
    }
    writeFileAtomic(f.status(m.id), JSON.stringify(status, null, 2) + '\n');
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
