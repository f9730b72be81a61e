// The tiny sweep the sweep tests run, and how they compare summaries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** 2 widths × 2 seeds of p 11, d_model 16, a few hundred steps: seconds per model. */
export const TINY_GRID = ['--preset', 'pizza', '--p', '11', '--d-model', '16', '--n-heads', '2', '--steps', '160', '--eval-every', '40', '--checkpoint-every', '40'];
export const TINY = [...TINY_GRID, '--grid', 'd_mlp=8,16', '--seeds', '0,1'];
export const IDS = ['d_mlp=8,seed=0', 'd_mlp=8,seed=1', 'd_mlp=16,seed=0', 'd_mlp=16,seed=1'];

/** summary.json without its wall-clock times (every key ending in `seconds`, and the slopes of those). */
export function withoutTimes(dir: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter((x) => !(x && typeof x === 'object' && String((x as { metric?: string }).metric).endsWith('seconds'))).map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !k.endsWith('seconds')).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return strip(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')));
}
