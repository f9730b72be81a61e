// safetensors: 8-byte little-endian header length, a JSON header, then raw little-endian data.
// Enough of the format for float32 (and F64/I32/U32) tensors, the files this project reads and writes.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

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

export function parseSafetensors(buf: Uint8Array, what = 'safetensors data'): StFile {
  const fail = (why: string): never => { throw new Error(`${what}: not a valid safetensors file: ${why}`); };
  if (buf.byteLength < 8) fail(`${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > buf.byteLength - 8) fail(`header length ${n} exceeds the file (${buf.byteLength} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: Record<string, StTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = v as Record<string, string>; continue; }
    const t = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!(t.dtype in CTOR)) fail(`tensor ${name} has dtype ${t.dtype}; supported: ${Object.keys(CTOR).join(', ')}`);
    const dtype = t.dtype as StDType;
    const [s, e] = t.data_offsets ?? [];
    const count = (t.shape ?? []).reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e >= s && base + e <= buf.byteLength)) fail(`tensor ${name} has data offsets [${s}, ${e}] outside the file`);
    if (e - s !== count * BYTES[dtype]) fail(`tensor ${name} of shape [${t.shape}] ${dtype} needs ${count * BYTES[dtype]} bytes, has ${e - s}`);
    // Copy out: the data section need not be aligned for the typed array. (Uint8Array's slice copies;
    // a Node Buffer's slice would be a view into the whole file's memory.)
    const bytes = Uint8Array.prototype.slice.call(buf, base + s, base + e);
    tensors[name] = { dtype, shape: [...t.shape], data: new CTOR[dtype](bytes.buffer, 0, count) };
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): StFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(buf, path);
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
