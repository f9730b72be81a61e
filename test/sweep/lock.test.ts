// Claiming a model: one holder at a time, and a dead holder's lock taken over (by pid on this host, by age anywhere).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryLock } from '../../src/sweep/lock.js';
import { tempDir } from '../helpers.js';

/** The pid of a process that has exited. */
const deadPid = () => spawnSync('true').pid!;
const owner = (host: string, pid: number) => JSON.stringify({ host, pid, since: '2026-01-01T00:00:00.000Z' });

describe('model locks', () => {
  it('let one worker hold a model at a time, and free it on release', () => {
    const path = join(tempDir('lock'), 'm.lock');
    const a = tryLock(path);
    if (!('lock' in a)) throw new Error('first claim failed');
    const b = tryLock(path);
    expect(b).toEqual({ owner: { host: hostname(), pid: process.pid, since: expect.any(String) } });
    a.lock.release();
    expect(existsSync(path)).toBe(false);
    const c = tryLock(path);
    expect('lock' in c).toBe(true);
    if ('lock' in c) c.lock.release();
  });

  it('take over a lock whose owner on this host is dead', () => {
    const path = join(tempDir('lock'), 'm.lock');
    writeFileSync(path, owner(hostname(), deadPid()));
    const c = tryLock(path);
    expect('lock' in c).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    if ('lock' in c) c.lock.release();
  });

  it('leave a live lock of another host alone, and take it over once its heartbeat is older than the stale window', () => {
    const path = join(tempDir('lock'), 'm.lock');
    writeFileSync(path, owner('elsewhere', 12345));
    expect(tryLock(path, { staleSeconds: 600 })).toEqual({ owner: JSON.parse(owner('elsewhere', 12345)) });
    const old = new Date(Date.now() - 601_000);
    utimesSync(path, old, old);
    const c = tryLock(path, { staleSeconds: 600 });
    expect('lock' in c).toBe(true);
    if ('lock' in c) c.lock.release();
  });

  it('do not take over while another worker is taking the same stale lock over', () => {
    const path = join(tempDir('lock'), 'm.lock');
    writeFileSync(path, owner(hostname(), deadPid()));
    writeFileSync(`${path}.takeover`, '');
    expect('owner' in tryLock(path)).toBe(true);
    // A takeover claim left by a worker that died taking over expires after a minute.
    const old = new Date(Date.now() - 61_000);
    utimesSync(`${path}.takeover`, old, old);
    const c = tryLock(path);
    expect('lock' in c).toBe(true);
    if ('lock' in c) c.lock.release();
  });

  it('release only their own lock: one taken over meanwhile stays', () => {
    const path = join(tempDir('lock'), 'm.lock');
    const a = tryLock(path);
    if (!('lock' in a)) throw new Error('claim failed');
    writeFileSync(path, owner('elsewhere', 1));
    a.lock.release();
    expect(readFileSync(path, 'utf8')).toBe(owner('elsewhere', 1));
  });
});
