// A worker's claim on a model: a lock file created exclusively (O_EXCL), holding its owner's host and pid, and
// touched as a heartbeat while the work goes on. Two workers on one model (a requeued Slurm task beside its old self)
// cannot both hold it. A lock whose owner is gone is taken over: on the same host when its pid is dead, on any host
// when its heartbeat is older than the stale window. The takeover itself is claimed exclusively, so two workers that
// find the same stale lock do not both take it.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner { host: string; pid: number; since: string }

export interface LockOptions {
  /** A lock whose heartbeat is older than this is stale whoever holds it (default 600 s). */
  staleSeconds?: number;
  /** How often the holder touches its lock (default 30 s). */
  heartbeatSeconds?: number;
}

export interface Lock { path: string; release(): void }

/** Claim `path`, or learn which live worker holds it. */
export function tryLock(path: string, opts: LockOptions = {}): { lock: Lock } | { owner: LockOwner } {
  const stale = opts.staleSeconds ?? 600;
  for (let attempt = 0; attempt < 2; attempt++) {
    const lock = create(path, opts.heartbeatSeconds ?? 30);
    if (lock) return { lock };
    const owner = readOwner(path);
    if (owner === undefined) continue; // released between our two calls
    if (!isStale(path, owner, stale)) return { owner };
    takeOver(path, owner, stale);
  }
  const owner = readOwner(path);
  return owner ? { owner } : { owner: { host: '?', pid: 0, since: '?' } };
}

function create(path: string, heartbeatSeconds: number): Lock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  const owner: LockOwner = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  writeSync(fd, JSON.stringify(owner) + '\n');
  closeSync(fd);
  const beat = setInterval(() => {
    const t = new Date();
    try { utimesSync(path, t, t); } catch { /* released or taken over: nothing to refresh */ }
  }, heartbeatSeconds * 1000);
  beat.unref();
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      clearInterval(beat);
      // Only our own lock is removed: one taken over meanwhile belongs to someone else now.
      if (JSON.stringify(readOwner(path)) === JSON.stringify(owner)) unlinkSync(path);
    },
  };
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Created but not yet written (or torn by a crash): its age decides.
    return { host: '?', pid: 0, since: '?' };
  }
}

const ageSeconds = (path: string) => {
  try {
    return (Date.now() - statSync(path).mtimeMs) / 1000;
  } catch {
    return Infinity;
  }
};

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Dead: our host and its pid gone; or silent for longer than the stale window (any host, pids may be reused). */
export function isStale(path: string, owner: LockOwner, staleSeconds: number): boolean {
  if (owner.host === hostname() && owner.pid > 0 && !pidAlive(owner.pid)) return true;
  return ageSeconds(path) > staleSeconds;
}

/** Remove the stale lock `owner` left at `path`, unless another worker is taking it over or it changed hands. */
function takeOver(path: string, owner: LockOwner, staleSeconds: number): void {
  const claim = `${path}.takeover`;
  // A takeover claim older than a minute belongs to a worker that died taking over.
  const claimAge = ageSeconds(claim);
  if (claimAge !== Infinity && claimAge > 60) unlinkSync(claim);
  let fd: number;
  try {
    fd = openSync(claim, 'wx');
  } catch {
    return;
  }
  closeSync(fd);
  try {
    const now = readOwner(path);
    if (now && JSON.stringify(now) === JSON.stringify(owner) && isStale(path, now, staleSeconds)) unlinkSync(path);
  } finally {
    unlinkSync(claim);
  }
}
