// How each bound tier's cost grows with d_mlp and with p (SPEC §4, §6): the tiers on planted pizza-like
// structures (src/bound/planted.ts) at the canonical d_model, flops counted and wall time measured, with the
// exponent of a least-squares fit of log(cost) against log(size). A planted structure is its own model, so its brute
// force is the structure's forward pass with radii (O(p³·d_mlp)), not a transformer's.
import { BOUND_FIGURES, DEFAULT_BOUND_OPTIONS, boundFigure, boundStructure, structureFlops } from '../bound/bound.js';
import { plantedStructure } from '../bound/planted.js';
import { makeConfig } from '../model/config.js';
import { Rng } from '../util/rng.js';

/** The canonical model's p and d_mlp: the point both sweeps share. */
export const CANONICAL_SIZE = { p: 59, d_mlp: 512 } as const;

export interface TierCost { p: number; d_mlp: number; tier: string; flops: number; seconds: number; eps_bound: number; certified_accuracy: number }
export interface Fit { tier: string; over: 'd_mlp' | 'p'; flops_exponent: number; seconds_exponent: number }

/** Slope of the least-squares line through (log x, log y). */
export function logSlope(x: readonly number[], y: readonly number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map((v) => Math.log(Math.max(v, 1e-9)));
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  lx.forEach((v, i) => { num += (v - mx) * (ly[i] - my); den += (v - mx) ** 2; });
  return num / den;
}

export function benchBoundTiers(opts: { dMlps?: number[]; ps?: number[]; p?: number; d_mlp?: number; M?: number } = {}): { rows: TierCost[]; fits: Fit[] } {
  const { dMlps = [64, 128, 256, 512, 1024], ps = [23, 41, 59, 83], p: p0 = CANONICAL_SIZE.p, d_mlp: d0 = CANONICAL_SIZE.d_mlp, M = DEFAULT_BOUND_OPTIONS.M } = opts;
  const rows: TierCost[] = [];
  const run = (p: number, d: number) => {
    const { s } = plantedStructure(new Rng(p * 10007 + d), p, d, 0.02);
    const cfg = makeConfig({ p, d_model: 128, n_heads: 4, d_mlp: d, attention_rate: 0, attention_convention: 'sum' });
    const r = boundStructure(s, { attention_rate: 0, structure_flops: structureFlops(cfg) }, { M, shape: true });
    // A refused figure (none on these planted structures) has no cost to fit.
    return BOUND_FIGURES.flatMap((tier) => {
      const t = boundFigure(r, tier);
      return t && Number.isFinite(t.eps_bound) ? [{ p, d_mlp: d, tier, ...pick(t) }] : [];
    });
  };
  const byD = dMlps.flatMap((d) => run(p0, d));
  const byP = ps.flatMap((p) => run(p, d0));
  rows.push(...byD, ...byP);
  const fits: Fit[] = BOUND_FIGURES.flatMap((tier) => {
    const fd = byD.filter((r) => r.tier === tier);
    const fp = byP.filter((r) => r.tier === tier);
    return [
      { tier, over: 'd_mlp' as const, flops_exponent: logSlope(fd.map((r) => r.d_mlp), fd.map((r) => r.flops)), seconds_exponent: logSlope(fd.map((r) => r.d_mlp), fd.map((r) => r.seconds)) },
      { tier, over: 'p' as const, flops_exponent: logSlope(fp.map((r) => r.p), fp.map((r) => r.flops)), seconds_exponent: logSlope(fp.map((r) => r.p), fp.map((r) => r.seconds)) },
    ];
  });
  return { rows, fits };
}

function pick(t: { flops: number; seconds: number; eps_bound: number; certified_accuracy: number }) {
  return { flops: t.flops, seconds: t.seconds, eps_bound: t.eps_bound, certified_accuracy: t.certified_accuracy };
}
