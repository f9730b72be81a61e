// Shared test helpers: one device per worker, random inputs, and float32-aware comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { getGpu, type Gpu } from '../src/gpu/device.js';
import { KernelRegistry } from '../src/gpu/kernels.js';
import { explain } from '../src/bound/explanation.js';
import { plantedStructure } from '../src/bound/planted.js';
import { Rng } from '../src/util/rng.js';

/** Zhong et al.'s public checkpoints (SPEC §2): A is a pizza model, B a clock model. */
const FIXTURES = new URL('../../shared/fixtures/zhong-pizza/', import.meta.url).pathname;
export const MODEL_A = `${FIXTURES}model_A_pizza_p99zdpze5l.safetensors`;
export const MODEL_B = `${FIXTURES}model_B_clock_l8k1hzciux.safetensors`;

/** A fresh temporary directory, removed when the calling test finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A safetensors file from a raw header (any JSON value, hostile ones included) and a zeroed data section of `bytes` bytes. */
export function rawSafetensors(header: unknown, bytes: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

export interface TestGpu { g: Gpu; k: KernelRegistry }
let shared: Promise<TestGpu> | undefined;
export function testGpu(): Promise<TestGpu> {
  shared ??= getGpu().then((g) => ({ g, k: new KernelRegistry(g) }));
  return shared;
}

/** The outputs of the products a program computes with K split: each a matmul followed by the column_sum of its pieces. */
export function splitProducts(steps: readonly { label: string }[]): string[] {
  return steps.flatMap((s, i) => {
    const out = s.label.replace(/^column_sum → /, '');
    return out !== s.label && steps[i - 1]?.label === `matmul → ${out}` ? [out] : [];
  });
}

export function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/**
 * Assert |got − want| ≤ rtol·scale + atol elementwise, where scale is the largest |want| (a relative error
 * measured against the output's magnitude, as float32 accumulation errors are). Reports the worst index.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= worstErr) || Number.isNaN(got[i])) {
      worstErr = Number.isNaN(got[i]) ? Infinity : err;
      worst = i;
    }
  }
  const tol = rtol * scale + atol;
  if (!(worstErr <= tol)) {
    throw new Error(`mismatch at index ${worst}: got ${got[worst]}, want ${want[worst]} (|err| ${worstErr} > tol ${tol}, scale ${scale})`);
  }
}

/** A small planted pizza-like structure of random size and noise, explained with or without its shape terms (bound tests). */
export function randomPlanted(rng: Rng) {
  const p = 5 + rng.int(9);
  const d = 1 + rng.int(48);
  const noise = [0, 0.001, 0.02, 0.1, 0.5][rng.int(5)];
  const { s } = plantedStructure(rng, p, d, noise);
  const ex = explain(s, { shape: rng.uniform() < 0.7 });
  return { p, d, noise, s, ex };
}
