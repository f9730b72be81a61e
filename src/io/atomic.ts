// Atomic file writes: write a temp file beside the target, fsync, then rename, so a reader (or a run
// killed mid-write) never sees a half-written file.
import { closeSync, fsyncSync, openSync, renameSync, writeSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
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
