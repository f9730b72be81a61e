// The files of a sweep directory, and the per-model status the runner keeps there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJson, parseWith } from '../io/schemas.js';
import { SPEC_SCHEMA, type SweepSpec } from './spec.js';

export const STAGES = ['train', 'analyze', 'bound', 'report'] as const;
export type Stage = (typeof STAGES)[number];

const StageStatusSchema = z.strictObject({ ok: z.boolean(), seconds: z.number().min(0), error: z.string().optional() });
/** status/<id>.json: each stage's outcome for one model. */
export const ModelStatusSchema = z.strictObject({ id: z.string(), stages: z.partialRecord(z.enum(STAGES), StageStatusSchema) });
export type StageStatus = z.output<typeof StageStatusSchema>;
export type ModelStatus = z.output<typeof ModelStatusSchema>;

/** sweep.json, versioned by its `schema` field. */
export const SweepSpecSchema = z.strictObject({
  schema: z.literal(SPEC_SCHEMA, { error: `must be '${SPEC_SCHEMA}' (a sweep of another version of this project)` }),
  preset: z.string(),
  overrides: z.array(z.tuple([z.string(), z.string()])),
  grid: z.array(z.strictObject({ field: z.string(), values: z.array(z.string()) })),
}) satisfies z.ZodType<SweepSpec>;

export const sweepFiles = (dir: string) => ({
  spec: join(dir, 'sweep.json'),
  model: (id: string) => join(dir, id),
  status: (id: string) => join(dir, 'status', `${id}.json`),
  lock: (id: string) => join(dir, 'locks', `${id}.lock`),
  analysis: (id: string) => join(dir, id, 'analysis.json'),
  bound: (id: string) => join(dir, id, 'bound.json'),
  plots: (id: string) => join(dir, id, 'plots'),
  report: (id: string) => join(dir, id, 'report.html'),
});

/** The spec stored in a sweep directory, or undefined when there is none. */
export function readSpec(dir: string): SweepSpec | undefined {
  const path = sweepFiles(dir).spec;
  if (!existsSync(path)) return undefined;
  return parseWith(SweepSpecSchema, parseJson(readFileSync(path, 'utf8'), path), `${path} is not a sweep spec`);
}

export function readStatus(dir: string, id: string): ModelStatus | undefined {
  const path = sweepFiles(dir).status(id);
  return existsSync(path) ? parseWith(ModelStatusSchema, parseJson(readFileSync(path, 'utf8'), path), path) : undefined;
}
