// results/bench.md's 'where the GPU step's time goes' table, from a made-up profile.
import { describe, expect, it } from 'vitest';
import { PROFILE_TOP, profileTable } from '../../src/bench/summary.js';

describe('bench summary: step profile', () => {
  it('lists the top ops, folds the rest into one row, and the shares add up to 100 %', () => {
    const ops = Array.from({ length: PROFILE_TOP + 3 }, (_, i) => ({ op: `matmul → t${i}`, dispatches: i + 1, ms: 20 - i }));
    const sum_ms = ops.reduce((a, o) => a + o.ms, 0);
    const lines = profileTable({ ops, sum_ms, overhead_ms: 0.05 });
    const rows = lines.filter((l) => /^\| (matmul|\d+ other)/.test(l));
    expect(rows).toHaveLength(PROFILE_TOP + 1);
    expect(rows.at(-1)).toMatch(/^\| 3 other ops .* \| 30 \| 33\.00 \|/); // dispatches 9 + 10 + 11, ms 12 + 11 + 10
    const shares = rows.map((r) => Number(/([\d.]+) % \|$/.exec(r)![1]));
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    expect(lines.join('\n')).toContain('(0.05 ms for an empty copy');
  });
});
