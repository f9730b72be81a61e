// Which slice of the grid this worker runs: `--shard i/n`, else a Slurm job array task, else a Kubernetes indexed
// Job's completion index, else everything.
import type { Shard } from './spec.js';

export const WHOLE: Shard = { index: 0, count: 1 };

/** `i/n` with 0 ≤ i < n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = m && { index: Number(m[1]), count: Number(m[2]) };
  if (!shard || shard.count < 1 || shard.index >= shard.count) throw new Error(`--shard ${text}: expected i/n with 0 ≤ i < n (e.g. 0/4)`);
  return shard;
}

/**
 * The shard from the environment. Slurm: task i of an array `--array=MIN-MAX[:STEP]` is shard (ID − MIN)/STEP of
 * COUNT (arrays need not start at 0). Kubernetes indexed Jobs give JOB_COMPLETION_INDEX but not the Job's
 * completions, so the count comes from SWEEP_SHARD_COUNT (the manifest sets it). Undefined when neither is there.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): { shard: Shard; source: string } | undefined {
  const int = (name: string, fallback?: number) => {
    const v = env[name];
    if (v === undefined || v === '') {
      if (fallback !== undefined) return fallback;
      throw new Error(`${name} is not set`);
    }
    if (!/^\d+$/.test(v)) throw new Error(`${name}=${v} is not a whole number`);
    return Number(v);
  };
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int('SLURM_ARRAY_TASK_ID');
    const count = int('SLURM_ARRAY_TASK_COUNT');
    const min = int('SLURM_ARRAY_TASK_MIN', 0);
    const step = int('SLURM_ARRAY_TASK_STEP', 1);
    const index = (id - min) / step;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new Error(`Slurm array task ${id} (min ${min}, step ${step}, count ${count}) is not one of a regular array --array=MIN-MAX[:STEP]; give --shard i/n`);
    }
    return { shard: { index, count }, source: `Slurm array task ${id}` };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = int('JOB_COMPLETION_INDEX');
    if (env.SWEEP_SHARD_COUNT === undefined) throw new Error(`JOB_COMPLETION_INDEX is set but SWEEP_SHARD_COUNT is not: set it to the Job's completions`);
    const count = int('SWEEP_SHARD_COUNT');
    if (count < 1 || index >= count) throw new Error(`JOB_COMPLETION_INDEX=${index} is not below SWEEP_SHARD_COUNT=${count}`);
    return { shard: { index, count }, source: `Kubernetes completion index ${index}` };
  }
  return undefined;
}
