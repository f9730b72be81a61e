// Atomic file writes: write a temp file beside the target, fsync, then rename, so a reader (or a run
// killed mid-write) never sees a half-written file. Only a regular file or a new path is ever replaced:
// renaming over a symlink, a device node (/dev/full) or a directory would destroy what the path named.
import { closeSync, fsyncSync, lstatSync, openSync, renameSync, statSync, writeSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, basename, join } from 'node:path';

const stats = (path: string, follow: boolean): Stats | undefined => {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
};

const kind = (s: Stats) => (s.isSymbolicLink() ? 'a symbolic link' : s.isDirectory() ? 'a directory' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : s.isFIFO() ? 'a pipe' : s.isSocket() ? 'a socket' : 'not a regular file');

/**
 * Throw unless every output path is new or a regular file, and none of them is one of the inputs (the same file
 * by device and inode, however it is spelled: `--json` naming the checkpoint it reads). Commands call it before
 * any work, so a bad path is refused before anything is computed or written.
 */
export function checkOutputs(outputs: readonly string[], inputs: readonly string[] = []): void {
  const ins = inputs.map((p) => [p, stats(p, true)] as const);
  for (const out of outputs) {
    const s = stats(out, false);
    if (!s) continue;
    if (!s.isFile()) throw new Error(`${out} is ${kind(s)}; results are written only to regular files or new paths`);
    const same = ins.find(([, i]) => i && i.dev === s.dev && i.ino === s.ino);
    if (same) throw new Error(`${out} is the input ${same[0]}; writing there would replace it`);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  checkOutputs([path]);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  // A stale temp file of the same name (a killed process with a reused pid) is replaced, never followed.
  if (stats(tmp, false)) unlinkSync(tmp);
  const fd = openSync(tmp, 'wx');
  try {
    const parts = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
    for (const p of parts) {
      let off = 0;
      while (off < p.byteLength) off += writeSync(fd, p, off, p.byteLength - off);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
