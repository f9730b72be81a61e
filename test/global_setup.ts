// The test log without Dawn's adapter noise (src/gpu/dawn_noise.ts). Vitest's workers write stderr to a
// socket, which the in-process filter of src/gpu/device.ts cannot reopen, and vitest copies it onto this
// process's stderr: the lines are dropped here, and every other byte passes unchanged.
import { dropDawnNoise } from '../src/gpu/dawn_noise.js';

export default function setup(): void {
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    if (!text.includes('artificially reduced')) return write(chunk, ...rest);
    const kept = dropDawnNoise(text);
    if (kept) return write(typeof chunk === 'string' ? kept : Buffer.from(kept, 'latin1'), ...rest);
    const done = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  }) as typeof process.stderr.write;
}
