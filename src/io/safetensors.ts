// safetensors: 8-byte little-endian header length, a JSON header, then raw little-endian data.
// Enough of the format for float32 (and F64/I32/U32) tensors, the files this project reads and writes.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import { SafetensorsHeaderSchema, describeIssues } from './schemas.js';

export type StDType = 'F32' | 'F64' | 'I32' | 'U32' | 'I64';
export interface StTensor {
  dtype: StDType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array;
}
export interface StFile {
  tensors: Record<string, StTensor>;
  metadata: Record<string, string>;
}

const CTOR = { F32: Float32Array, F64: Float64Array, I32: Int32Array, U32: Uint32Array, I64: BigInt64Array } as const;
const BYTES = { F32: 4, F64: 8, I32: 4, U32: 4, I64: 8 } as const;

/** Options of a read: `allowNonFinite` lets a caller inspect a file whose tensors hold NaN or ±Infinity. */
export interface ReadOptions { allowNonFinite?: boolean }

/**
 * Parse a safetensors file, checked as the official reader checks it: the header validated by its schema, the
 * tensors' byte ranges tiling the data section exactly (in order of offset, no gap, no overlap, nothing after),
 * each range the size its dtype and shape need; and, unless asked not to, every float finite.
 */
export function parseSafetensors(buf: Uint8Array, what = 'safetensors data', opts: ReadOptions = {}): StFile {
  const fail = (why: string): never => { throw new Error(`${what}: not a valid safetensors file: ${why}`); };
  if (buf.byteLength < 8) fail(`${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > buf.byteLength - 8) fail(`header length ${n} exceeds the file (${buf.byteLength} bytes)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  const parsed = SafetensorsHeaderSchema.safeParse(raw);
  if (!parsed.success) return fail(`header: ${describeIssues(parsed.error, raw)}`);
  const { __metadata__: metadata = {}, ...entries } = parsed.data;
  const base = 8 + n;
  const data = buf.byteLength - base;
  const byOffset = Object.entries(entries).sort(([, x], [, y]) => x.data_offsets[0] - y.data_offsets[0] || x.data_offsets[1] - y.data_offsets[1]);
  let end = 0;
  for (const [name, t] of byOffset) {
    const [s, e] = t.data_offsets;
    if (s !== end) fail(`tensor ${name} has data offsets [${s}, ${e}], ${s < end ? 'overlapping the tensor before it' : 'leaving a gap after the tensor before it'} (which ends at ${end}); tensors must tile the data section in order`);
    if (e < s || e > data) fail(`tensor ${name} has data offsets [${s}, ${e}] outside the file's ${data}-byte data section`);
    if (!(t.dtype in CTOR)) fail(`tensor ${name} has dtype ${t.dtype}; supported: ${Object.keys(CTOR).join(', ')}`);
    const need = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype as StDType];
    if (e - s !== need) fail(`tensor ${name} of shape [${t.shape}] ${t.dtype} needs ${need} bytes, has ${e - s}`);
    end = e;
  }
  if (end !== data) fail(`the data section has ${data - end} bytes after the last tensor`);
  const tensors: Record<string, StTensor> = {};
  for (const [name, t] of Object.entries(entries)) {
    const dtype = t.dtype as StDType;
    const [s, e] = t.data_offsets;
    // Copy out: the data section need not be aligned for the typed array. (Uint8Array's slice copies;
    // a Node Buffer's slice would be a view into the whole file's memory.)
    const bytes = Uint8Array.prototype.slice.call(buf, base + s, base + e);
    tensors[name] = { dtype, shape: t.shape, data: new CTOR[dtype](bytes.buffer, 0, (e - s) / BYTES[dtype]) };
    if (!opts.allowNonFinite) checkFinite(tensors[name], `${what}: tensor ${name}`);
  }
  return { tensors, metadata };
}

/** Throw, naming the first NaN or ±Infinity by its index (row-major over the shape), if a float tensor holds one. */
export function checkFinite(t: StTensor, what: string): void {
  if (t.dtype !== 'F32' && t.dtype !== 'F64') return;
  const x = t.data as Float32Array | Float64Array;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) continue;
    const index: number[] = [];
    for (let r = i, d = t.shape.length - 1; d >= 0; d--) {
      index.unshift(r % t.shape[d]);
      r = Math.floor(r / t.shape[d]);
    }
    throw new Error(`${what} holds ${x[i]} at index [${index.join(', ')}] (flat ${i}); non-finite weights are refused`);
  }
}

export function readSafetensors(path: string, opts: ReadOptions = {}): StFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(buf, path, opts);
}

export function serializeSafetensors(f: StFile): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(f.metadata).length) header.__metadata__ = f.metadata;
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(f.tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + bytes.byteLength] };
    parts.push(bytes);
    off += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data section to 8 bytes
  const head = new Uint8Array(8 + Buffer.byteLength(json));
  new DataView(head.buffer).setBigUint64(0, BigInt(head.byteLength - 8), true);
  head.set(Buffer.from(json), 8);
  return [head, ...parts];
}

/** Write atomically (temp file, then rename). */
export function writeSafetensors(path: string, f: StFile): void {
  writeFileAtomic(path, serializeSafetensors(f));
}
