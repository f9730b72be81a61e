// The sweep through a real Slurm: a one-node cluster started here, the tiny sweep submitted with
// scripts/slurm/submit.sh as a 2-task job array plus a dependent merge job, and its summary held to the same sweep
// run unsharded in-process. With CI=true a machine without Slurm fails this test; elsewhere it is skipped, saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSweep, runSweep } from '../../src/sweep/run.js';
import { WHOLE } from '../../src/sweep/shard.js';
import { makeSpec, parseAxis } from '../../src/sweep/spec.js';
import { summarize, writeSummary } from '../../src/sweep/summary.js';
import { tempDir } from '../helpers.js';
import { type Cluster, slurmMissing, startSlurm, waitForJobs } from './slurm_cluster.js';
import { TINY, withoutTimes } from './tiny.js';

const SUBMIT = new URL('../../scripts/slurm/submit.sh', import.meta.url).pathname;
const missing = slurmMissing();
if (missing && process.env.CI === 'true') throw new Error(`CI needs a one-node Slurm cluster for the sweep test: ${missing}`);

describe.skipIf(!!missing)(`the sweep on a one-node Slurm cluster${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startSlurm();
  });
  // Two array tasks and an in-process run of the tiny sweep: about a minute alone, several under a full suite's load.
  afterAll(() => cluster?.stop());

  it('runs as a 2-task job array and a dependent merge, and its summary equals the unsharded in-process run', async () => {
    const dir = tempDir('sweep-slurm');
    const env = { ...cluster.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
    const sub = spawnSync('bash', [SUBMIT, ...TINY, '--out', dir], { env, encoding: 'utf8' });
    expect(sub.status, sub.stderr).toBe(0);
    const ids = /^array=(\d+) tasks=(\d+) merge=(\d+)$/m.exec(sub.stdout);
    expect(ids, sub.stdout).not.toBeNull();
    expect(ids![2]).toBe('2');
    await waitForJobs(cluster, [ids![1], ids![3]], 600);

    const logs = readdirSync(join(dir, 'logs')).sort();
    expect(logs).toEqual([`merge-${ids![3]}.out`, `sweep-${ids![1]}_0.out`, `sweep-${ids![1]}_1.out`]);
    for (const task of [0, 1]) {
      const log = readFileSync(join(dir, 'logs', `sweep-${ids![1]}_${task}.out`), 'utf8');
      expect(log).toMatch(new RegExp(`shard ${task}/2 \\(Slurm array task ${task}\\)`));
      expect(log).toMatch(/done: 2 models run, 0 already done, 0 failed/);
    }
    expect(existsSync(join(dir, 'summary.json')), readFileSync(join(dir, 'logs', `merge-${ids![3]}.out`), 'utf8')).toBe(true);

    // The same sweep, unsharded, in this process.
    const local = tempDir('sweep-local');
    const arg = (flag: string) => TINY[TINY.indexOf(flag) + 1];
    const overrides = [['p', arg('--p')], ['d-model', arg('--d-model')], ['n-heads', arg('--n-heads')], ['steps', arg('--steps')], ['eval-every', arg('--eval-every')], ['checkpoint-every', arg('--checkpoint-every')]] as [string, string][];
    const spec = makeSpec('pizza', overrides, [parseAxis(arg('--grid'))], arg('--seeds').split(','));
    initSweep(local, spec);
    const out = await runSweep(local, spec, { shard: WHOLE, log: () => {} });
    expect(out.failed).toEqual([]);
    writeSummary(local, summarize(local, spec));
    expect(withoutTimes(dir)).toEqual(withoutTimes(local));
  }, 900_000);
});
