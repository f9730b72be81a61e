// Atomic writes replace only regular files or create new paths (issue 15): never a symlink, a device node or a
// directory; and a command's output is never its input, however the path is spelled.
import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputs, writeFileAtomic } from '../../src/io/atomic.js';
import { tempDir } from '../helpers.js';

describe('writeFileAtomic', () => {
  it('creates a new path and replaces a regular file, leaving no temp file', () => {
    const dir = tempDir('atomic');
    const path = join(dir, 'sub', 'out.json');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, [Buffer.from('tw'), Buffer.from('o')]);
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.json']);
  });

  it('replaces a stale temp file of its own name instead of following it', () => {
    const dir = tempDir('atomic');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, join(dir, `.out.json.${process.pid}.tmp`));
    writeFileAtomic(join(dir, 'out.json'), 'new');
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('new');
  });

  it.each([
    ['a symlink', (dir: string) => { writeFileSync(join(dir, 'target'), 'keep'); symlinkSync(join(dir, 'target'), join(dir, 'x')); return join(dir, 'x'); }, /x is a symbolic link; results are written only to regular files or new paths/],
    ['a dangling symlink', (dir: string) => { symlinkSync(join(dir, 'nowhere'), join(dir, 'x')); return join(dir, 'x'); }, /is a symbolic link/],
    ['a directory', (dir: string) => { mkdirSync(join(dir, 'x')); return join(dir, 'x'); }, /x is a directory/],
    ['a device node', () => '/dev/null', /\/dev\/null is a device/],
  ])('refuses %s and leaves it as it was', (_, make, msg) => {
    const dir = tempDir('atomic');
    const path = make(dir);
    const before = lstatSync(path);
    expect(() => writeFileAtomic(path, 'data')).toThrow(msg);
    const after = lstatSync(path);
    expect([after.ino, after.mode]).toEqual([before.ino, before.mode]);
    if (existsSync(join(dir, 'target'))) expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('keep');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('checkOutputs', () => {
  it('refuses an output that is an input: the same path, another spelling, a hard link', () => {
    const dir = tempDir('atomic');
    const input = join(dir, 'model.safetensors');
    writeFileSync(input, 'weights');
    linkSync(input, join(dir, 'hard'));
    for (const out of [input, join(dir, 'sub', '..', 'model.safetensors'), join(dir, 'hard')]) {
      mkdirSync(join(dir, 'sub'), { recursive: true });
      expect(() => checkOutputs([out], [input])).toThrow(`${out} is the input ${input}; writing there would replace it`);
    }
    expect(() => checkOutputs([join(dir, 'new.json')], [input])).not.toThrow();
    expect(() => checkOutputs([join(dir, 'new.json')], [join(dir, 'missing')])).not.toThrow();
  });
});
