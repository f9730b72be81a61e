// The seeded train/test split of all p² pairs (SPEC §1), as flat pair ids a·p + b.
import { Rng } from '../util/rng.js';

export interface Split { train: number[]; test: number[] }

export function split(p: number, frac: number, seed: number): Split {
  if (!(frac > 0 && frac <= 1)) throw new Error(`frac = ${frac} must lie in (0, 1]`);
  const ids = new Rng(seed).shuffle(Array.from({ length: p * p }, (_, i) => i));
  const n = Math.round(frac * p * p);
  if (n < 1) throw new Error(`frac = ${frac} leaves no training pairs for p = ${p}`);
  const byId = (x: number, y: number) => x - y;
  return { train: ids.slice(0, n).sort(byId), test: ids.slice(n).sort(byId) };
}
