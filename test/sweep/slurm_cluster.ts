// A one-node Slurm cluster on this machine for tests: munged (as the munge user, on a private socket), slurmctld and
// slurmd (as root, SlurmUser=root) with their state in a temporary directory and ports of their own, stopped by pid.
// Debian's slurm-wlm and munge provide them (bash scripts/setup.sh --test installs both).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  /** The environment that points sbatch, squeue and friends at this cluster. */
  env: NodeJS.ProcessEnv;
  dir: string;
  stop(): void;
}

const DAEMONS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/squeue'];

/** Why a Slurm cluster cannot be started here, or undefined when it can. */
export function slurmMissing(): string | undefined {
  const missing = DAEMONS.filter((d) => !existsSync(d));
  if (missing.length) return `${missing.join(', ')} not installed (bash scripts/setup.sh --test installs slurm-wlm and munge)`;
  if (process.getuid?.() !== 0) return 'starting slurmctld and slurmd needs root';
  return undefined;
}

const uid = (user: string) => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
const gid = (user: string) => Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());

export async function startSlurm(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'slurm-'));
  chmodSync(dir, 0o755);
  const munge = join(dir, 'munge');
  for (const d of [munge, join(dir, 'state'), join(dir, 'spool'), join(dir, 'log')]) mkdirSync(d);
  chownSync(munge, uid('munge'), gid('munge'));
  chmodSync(munge, 0o755); // munged wants every directory to its socket searchable by all
  // Debian's munge package makes /etc/munge/munge.key; a machine without one gets a key of its own here.
  let key = '/etc/munge/munge.key';
  if (!existsSync(key)) {
    key = join(munge, 'munge.key');
    writeFileSync(key, execFileSync('head', ['-c', '1024', '/dev/urandom']), { mode: 0o400 });
    chownSync(key, uid('munge'), gid('munge'));
  }
  const pids: string[] = [];
  const cluster: Cluster = {
    dir,
    env: { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') },
    stop() {
      const live = pids.map((f) => (existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : NaN)).filter((pid) => pid > 0);
      for (const pid of live) try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
      // The daemons write their state on the way out: wait for them (10 s at most) before removing their folder.
      // (A daemon that exited but is not reaped yet, a zombie, counts as gone.)
      const alive = (pid: number) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
      for (let i = 0; i < 100 && live.some(alive); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  try {
    const socket = join(munge, 'munge.sock');
    pids.push(join(munge, 'munged.pid'));
    run('runuser', ['-u', 'munge', '--', '/usr/sbin/munged', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${pids[0]}`, `--log-file=${join(munge, 'munged.log')}`, `--seed-file=${join(munge, 'seed')}`]);
    const host = hostname().split('.')[0];
    // Ports of its own, so that a cluster left by a crashed run (or a real one) does not answer.
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(cluster.env.SLURM_CONF!, [
      'ClusterName=pizzatest', `SlurmctldHost=${host}`, 'SlurmUser=root', 'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
      'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'MpiDefault=none', 'ReturnToService=2',
      'SchedulerType=sched/backfill', 'JobCompType=jobcomp/none', 'AccountingStorageType=accounting_storage/none',
      `SlurmctldPort=${port}`, `SlurmdPort=${port + 1}`, `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`, `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      `NodeName=${host} CPUs=${cpus().length} RealMemory=4000 State=UNKNOWN`, `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    ].join('\n') + '\n');
    pids.push(join(dir, 'slurmctld.pid'));
    run('/usr/sbin/slurmctld', [], cluster.env);
    pids.push(join(dir, 'slurmd.pid'));
    run('/usr/sbin/slurmd', [], cluster.env);
    // Up when the node reports idle.
    for (let i = 0; ; i++) {
      const s = spawnSync('sinfo', ['-h', '-o', '%t'], { env: cluster.env, encoding: 'utf8' });
      if (s.status === 0 && s.stdout.trim() === 'idle') break;
      if (i > 100) throw new Error(`the one-node Slurm cluster did not come up: ${s.stderr || s.stdout}\n${readFileSync(join(dir, 'log', 'slurmctld.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return cluster;
  } catch (e) {
    cluster.stop();
    throw e;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}): ${r.stderr}`);
}

/** Wait until none of the jobs is queued or running. */
export async function waitForJobs(cluster: Cluster, ids: string[], timeoutSeconds: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const q = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { env: cluster.env, encoding: 'utf8' });
    // Ended jobs leave the queue; once slurmctld forgets them, squeue calls their ids invalid.
    if (q.stdout.trim() === '' && (q.status === 0 || /Invalid job id/.test(q.stderr))) return;
    if (Date.now() - t0 > timeoutSeconds * 1000) throw new Error(`jobs ${ids.join(', ')} still queued after ${timeoutSeconds} s:\n${q.stdout}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
