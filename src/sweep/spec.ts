// A sweep's definition (SPEC §6): a preset, fixed overrides, and a grid of training-config fields whose product
// gives the models. Written to <sweep>/sweep.json before anything else, so a rerun can refuse a changed spec.
import { OVERRIDES, type TrainConfig, applyOverrides, preset } from '../train/config.js';

export const SPEC_SCHEMA = 'sweep-spec/1';

/** One axis of the grid: a training-config field (by its override flag's name, underscores) and its values. */
export interface Axis { field: string; values: string[] }

export interface SweepSpec {
  schema: typeof SPEC_SCHEMA;
  preset: string;
  /** Overrides every model gets, as [flag, value] (flags without the leading --). */
  overrides: [string, string][];
  /** The grid's axes in order; `seed` (the initialisation seed) is always the last one. */
  grid: Axis[];
}

/** A grid point: field → value as written in the spec (numbers in their canonical form). */
export type Point = Record<string, string>;

export interface SweepModel {
  /** Directory name and identifier: the point as `field=value` pairs in axis order, e.g. `d_mlp=256,seed=1`. */
  id: string;
  point: Point;
  /** Index of the model's group: the grid point without its seed. A group's models are the shard unit. */
  group: number;
  cfg: TrainConfig;
}

const flagOf = (field: string) => field.replace(/_/g, '-');
const fieldOf = (flag: string) => flag.replace(/-/g, '_');

/** A value in canonical form: numbers as JavaScript prints them (so 1e-3 and 0.001 are one point), the rest as given. */
const canonical = (v: string) => (v.trim() !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : v.trim());

/** `d_mlp=32,64,128` (or `d-mlp=…`) → an axis, checked against the training overrides. */
export function parseAxis(text: string): Axis {
  const m = /^([A-Za-z_-]+)=(.+)$/.exec(text);
  if (!m) throw new Error(`--grid ${text}: expected field=v1,v2,… (e.g. d_mlp=32,64,128)`);
  const field = fieldOf(m[1]);
  if (!OVERRIDES.some((o) => o.flag === flagOf(field))) {
    throw new Error(`--grid ${text}: '${m[1]}' is not a training field (known: ${OVERRIDES.map((o) => fieldOf(o.flag)).join(', ')})`);
  }
  const values = m[2].split(',').map(canonical);
  if (values.some((v) => v === '')) throw new Error(`--grid ${text}: an empty value`);
  if (new Set(values).size !== values.length) throw new Error(`--grid ${text}: a value appears twice`);
  return { field, values };
}

/** The spec from command-line pieces; every model's config is built once here so a bad value fails before anything is written. */
export function makeSpec(presetName: string, overrides: [string, string][], axes: Axis[], seeds: string[]): SweepSpec {
  preset(presetName);
  const grid = [...axes, { field: 'seed', values: seeds.map(canonical) }];
  const fields = grid.map((a) => a.field);
  const dup = fields.find((f, i) => fields.indexOf(f) !== i);
  if (dup) throw new Error(`the grid names ${dup} twice${dup === 'seed' ? ' (seeds come from --seeds)' : ''}`);
  const fixed = overrides.find(([flag]) => fields.includes(fieldOf(flag)));
  if (fixed) throw new Error(`--${fixed[0]} is also a grid axis; give it once`);
  const spec: SweepSpec = { schema: SPEC_SCHEMA, preset: presetName, overrides: overrides.map(([f, v]) => [f, canonical(v)]), grid };
  sweepModels(spec);
  return spec;
}

/** Every model of the grid, in order (the last axis, seed, fastest), with its config. */
export function sweepModels(spec: SweepSpec): SweepModel[] {
  const groups = spec.grid.slice(0, -1).reduce<Point[]>((acc, a) => acc.flatMap((p) => a.values.map((v) => ({ ...p, [a.field]: v }))), [{}]);
  const seeds = spec.grid[spec.grid.length - 1];
  return groups.flatMap((g, group) => seeds.values.map((seed) => {
    const point: Point = { ...g, seed };
    const id = Object.entries(point).map(([f, v]) => `${f}=${v}`).join(',');
    const flags = [...spec.overrides, ...Object.entries(point).map(([f, v]) => [flagOf(f), v] as [string, string])];
    let cfg: TrainConfig;
    try {
      cfg = applyOverrides(preset(spec.preset), flags);
    } catch (e) {
      throw new Error(`grid point ${id}: ${(e as Error).message}`);
    }
    return { id, point, group, cfg };
  }));
}

/** The number of groups (grid points without the seed): how many shards can have work. */
export const groupCount = (spec: SweepSpec) => spec.grid.slice(0, -1).reduce((n, a) => n * a.values.length, 1);

/** Shard i of n: the groups g with g mod n = i, so every shard gets a spread of widths and a group's seeds stay together. */
export const inShard = (m: SweepModel, shard: Shard) => m.group % shard.count === shard.index;

export interface Shard { index: number; count: number }

/** Where two specs differ, for the message that refuses to mix them in one directory. */
export function specDifferences(a: SweepSpec, b: SweepSpec): string[] {
  const out: string[] = [];
  if (a.preset !== b.preset) out.push(`preset ${a.preset} there, ${b.preset} asked`);
  const show = (o: [string, string][]) => o.map(([f, v]) => `--${f} ${v}`).join(' ') || 'none';
  if (JSON.stringify(a.overrides) !== JSON.stringify(b.overrides)) out.push(`overrides ${show(a.overrides)} there, ${show(b.overrides)} asked`);
  const grid = (s: SweepSpec) => s.grid.map((x) => `${x.field}=${x.values.join(',')}`).join(' × ');
  if (grid(a) !== grid(b)) out.push(`grid ${grid(a)} there, ${grid(b)} asked`);
  return out;
}
