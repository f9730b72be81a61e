// What a model-reading command (analyze, bound) reads and writes: a run directory (its model.safetensors, the
// report and plots/ beside it) or an explicit --checkpoint with --json.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TargetOptions { run?: string; checkpoint?: string; json?: string; plots?: string }
export interface Target { checkpoint: string; json: string; plots: string | undefined }

/** Resolve `[run]` / `--run` / `--checkpoint` and the outputs; `report` names the JSON file written into a run directory. */
export function resolveTarget(o: TargetOptions, positional: string | undefined, report: string): Target {
  if (positional !== undefined && o.run !== undefined && positional !== o.run) throw new Error(`two run directories given (${positional} and --run ${o.run})`);
  const run = positional ?? o.run;
  if (run !== undefined) {
    if (o.checkpoint !== undefined) throw new Error('give a run directory or --checkpoint, not both');
    if (!existsSync(run) || !statSync(run).isDirectory()) throw new Error(`${run}: no such run directory`);
    const checkpoint = join(run, 'model.safetensors');
    if (!existsSync(checkpoint)) throw new Error(`${run}: no model.safetensors there (train it first: npm run train -- --resume ${run})`);
    return { checkpoint, json: o.json ?? join(run, report), plots: o.plots ?? join(run, 'plots') };
  }
  if (o.checkpoint === undefined) throw new Error('--checkpoint <file> is required (or a run directory: npm run <command> -- runs/x)');
  if (o.json === undefined) throw new Error('--json <out.json> is required with --checkpoint (a run directory writes beside its model instead)');
  return { checkpoint: o.checkpoint, json: o.json, plots: o.plots };
}
