// The files of a sweep directory, and the per-model status the runner keeps there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepSpec } from './spec.js';

export const STAGES = ['train', 'analyze', 'bound'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageStatus { ok: boolean; seconds: number; error?: string }
export interface ModelStatus { id: string; stages: Partial<Record<Stage, StageStatus>> }

export const sweepFiles = (dir: string) => ({
  spec: join(dir, 'sweep.json'),
  model: (id: string) => join(dir, id),
  status: (id: string) => join(dir, 'status', `${id}.json`),
  lock: (id: string) => join(dir, 'locks', `${id}.lock`),
  analysis: (id: string) => join(dir, id, 'analysis.json'),
  bound: (id: string) => join(dir, id, 'bound.json'),
  plots: (id: string) => join(dir, id, 'plots'),
});

/** The spec stored in a sweep directory, or undefined when there is none. */
export function readSpec(dir: string): SweepSpec | undefined {
  const path = sweepFiles(dir).spec;
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SweepSpec;
  } catch (e) {
    throw new Error(`${path} is not a sweep spec: ${(e as Error).message}`);
  }
}

export function readStatus(dir: string, id: string): ModelStatus | undefined {
  const path = sweepFiles(dir).status(id);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ModelStatus) : undefined;
}
