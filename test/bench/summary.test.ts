// results/bench.md from made-up results: the 'where the GPU step's time goes' table, and which run measured what.
import { describe, expect, it } from 'vitest';
import { widthFits } from '../../src/bench/fair.js';
import { type BenchResults, PROFILE_TOP, benchSummary, profileTable } from '../../src/bench/summary.js';

describe('bench summary: step profile', () => {
  it('lists the top ops, folds the rest into one row, and the shares add up to 100 %', () => {
    const ops = Array.from({ length: PROFILE_TOP + 3 }, (_, i) => ({ op: `matmul → t${i}`, dispatches: i + 1, ms: 20 - i, flops: 1e8, bytes: 2e6 }));
    const sum_ms = ops.reduce((a, o) => a + o.ms, 0);
    const lines = profileTable({ ops, sum_ms, overhead_ms: 0.05 });
    const rows = lines.filter((l) => /^\| (matmul|\d+ other)/.test(l));
    expect(rows).toHaveLength(PROFILE_TOP + 1);
    expect(rows.at(-1)).toMatch(/^\| 3 other ops .* \| 30 \| 33\.00 \|/); // dispatches 9 + 10 + 11, ms 12 + 11 + 10
    const shares = rows.map((r) => Number(/([\d.]+) % \|$/.exec(r)![1]));
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    expect(lines.join('\n')).toContain('(0.05 ms for an empty copy');
    expect(rows[0]).toMatch(/^\| matmul → t0 \| 1 \| 20\.00 \| 100\.0 \| 2\.00 \| 5\.0 \|/); // 1e8 flops in 20 ms: 5 GFLOP/s
  });
});

describe('bench summary: runs', () => {
  const results = (peerAt: string): BenchResults => ({
    train_step: { steps: [{ path: 'gpu, constant schedule', median_ms: 50, runs: 9, block: 10 }], to_100: { reached: true, steps: 600, wall_s: 30, eval_every: 100 } },
    peer: { step_ms_median: 80, best_threads: 1, runs: [], torch_version: '1.13', python: 'python3', blas: 'openblas', blas_libs: [], batch: 2785, train_to_100: { reached: true, steps: 600, wall_s: 50, step_ms_mean: 80, threads: 1, test_acc: 1, test_loss: 1e-7 } },
    measured_at: { train_step: '2026-11-30 03:55 UTC', peer: peerAt },
  });

  it('names the run of each section, and says so when the step and the peer it is compared with come from different runs', () => {
    const same = benchSummary(results('2026-11-30 03:55 UTC'));
    expect(same).toContain('run of 2026-11-30 03:55 UTC');
    expect(same).toContain('| gpu, constant schedule | 50.0 |');
    expect(same).not.toContain('0.63×'); // the fast path against the peer's generic model: not like with like
    expect(same).not.toContain('another run');
    const other = benchSummary(results('2026-11-29 10:00 UTC'));
    // Said above both tables that compare with the peer: the step and the run to 100 %.
    expect(other.split("The PyTorch peer's figures come from another run (2026-11-29 10:00 UTC).")).toHaveLength(3);
    expect(benchSummary({ ...results(''), measured_at: undefined })).toContain('was not recorded');
    expect(benchSummary({ ...results(''), peer: { skipped: 'no torch' } })).not.toMatch(/another run|not recorded/);
  });
});

describe('bench summary: like for like', () => {
  it('leads with the like-for-like ratios and the share of the physical limit', () => {
    const md = benchSummary({
      like_for_like: {
        paths: [{ path: 'ours, fast path (constant schedule)', models: 1, ms_per_model_step: 40, rounds: [40] }, { path: 'PyTorch, fast path (same algebra)', models: 1, ms_per_model_step: 12, rounds: [12] }],
        ratios: [{ what: 'fast path: ours / PyTorch fast path', ratio: 40 / 12 }],
        limit: { flops: 5.05e8, ms: 2.46, of_fast: 2.46 / 40, peak_gflops: 205 }, block: 10,
      },
      train_step: { steps: [{ path: 'gpu, constant schedule', median_ms: 50, runs: 9, block: 10 }], to_100: { reached: true, steps: 600, wall_s: 30, eval_every: 100 } },
      measured_at: { like_for_like: '2026-12-03 08:40 UTC', train_step: '2026-11-30 03:55 UTC' },
    });
    expect(md.indexOf('## Like for like')).toBeLessThan(md.indexOf('## Canonical training step'));
    expect(md).toContain('| fast path: ours / PyTorch fast path | 3.33× |');
    expect(md).toContain('our fast path runs at 6.2 % of it');
  });
});

describe('bench summary: matmul against tfjs', () => {
  it('gives each shape both contenders\' GFLOP/s and our lead, naming the peer and its run', () => {
    const row = { shape: '2785×59×512 (logits = hook_post·W_L)', M: 2785, N: 59, K: 512, transA: false, tile: '16×8', ours_gflops: 8, ours_best_gflops: 9, tfjs_gflops: 2, tfjs_best_gflops: 2.5, lead: 4, max_diff: 0, tolerance: 1e-3 };
    const md = benchSummary({
      matmul_peers: { peer: 'tfjs-backend-webgpu 4.22.0', adapter: 'mesa llvmpipe', rounds: 5, dispatches: 3, rows: [row] },
      measured_at: { matmul_peers: '2026-12-03 10:44 UTC' },
    });
    expect(md).toContain('## Matmul against tfjs-backend-webgpu 4.22.0 on the same adapter, run of 2026-12-03 10:44 UTC');
    expect(md).toContain('| 2785×59×512 (logits = hook_post·W_L) | 8.0 | 9.0 | 2.0 | 2.5 | 4.0× |');
  });
});

describe('bench summary: ceiling', () => {
  it('tabulates the loops, the loads and the products against the one-step loop, naming the run', () => {
    const md = benchSummary({
      ceiling: {
        multiply_add: [{ steps_per_iteration: 1, gflops: 50, best_gflops: 60 }, { steps_per_iteration: 4, gflops: 85, best_gflops: 100 }],
        loads: [{ load: 'f32', ns_per_float: 0.6, best_ns_per_float: 0.5 }, { load: 'vec4', ns_per_float: 0.3, best_ns_per_float: 0.25 }],
        loop_ns_per_iteration: 0.8,
        matmul: [{ shape: '2785×59×512 (hook_post @ W_L)', gflops: 20, best_gflops: 25, of_one_step_loop: 0.4, of_cpu_peak: 20 / 205 }],
        runs: 9,
      },
      measured_at: { ceiling: '2026-12-03 15:30 UTC' },
    });
    expect(md).toContain('run of 2026-12-03 15:30 UTC');
    expect(md).toContain('| multiply-add loop, 4 steps an iteration | 85.0 GFLOP/s | 100.0 |');
    expect(md).toContain('| vec4 load at a run-time address | 0.300 ns a float32 | 0.250 |');
    expect(md).toContain('less the same loop without the load (0.800 ns an iteration');
    expect(md).toContain('| 2785×59×512 (hook_post @ W_L) | 20.0 | 25.0 | 40.0 % | 9.8 % |');
    expect(md).toContain('Four steps an iteration run 1.70× the one-step loop.');
  });
});

describe('bench summary: widths', () => {
  it('tabulates both paths at each width, the ratio, and the fitted exponents', () => {
    const md = benchSummary({
      widths: {
        rows: [{ d_mlp: 32, ours_ms: 10, torch_ms: 2, ratio: 5 }, { d_mlp: 4096, ours_ms: 300 }],
        fits: [{ path: 'ours', over: 'd_mlp ≥ 512', exponent: 0.93, se: 0.04 }],
      },
      measured_at: { widths: '2026-12-03 14:00 UTC' },
    });
    expect(md).toContain('## Fast-path step against d_mlp, run of 2026-12-03 14:00 UTC');
    expect(md).toContain('| 32 | 10.0 | 2.0 | 5.00× |');
    expect(md).toContain('| 4096 | 300.0 | — | — |');
    expect(md).toContain('| ours, d_mlp ≥ 512 | 0.93 | 0.04 |');
  });
});

describe('width fits', () => {
  it('recovers the exponents of exact power laws, over all widths and over d_mlp ≥ 512, for the paths that have points', () => {
    // ours: 2 ms fixed-free at d^0.5 below 512 and d^1 from 512 up; PyTorch: exactly 0.01·d^1.2, and missing at 32.
    const rows = [32, 64, 128, 256, 512, 1024, 2048].map((d) => ({
      d_mlp: d, ours_ms: d >= 512 ? d / 100 : Math.sqrt(d * 512) / 100, ...(d > 32 ? { torch_ms: 0.01 * d ** 1.2 } : {}),
    }));
    const fits = widthFits(rows);
    const get = (path: string, over: string) => fits.find((f) => f.path === path && f.over === over)!;
    expect(get('ours', 'd_mlp ≥ 512').exponent).toBeCloseTo(1, 12);
    expect(get('ours', 'd_mlp ≥ 512').se).toBeCloseTo(0, 12);
    expect(get('ours', 'all widths').exponent).toBeGreaterThan(0.5);
    expect(get('ours', 'all widths').exponent).toBeLessThan(1);
    expect(get('PyTorch', 'all widths').exponent).toBeCloseTo(1.2, 12);
    expect(widthFits(rows.slice(0, 5)).map((f) => `${f.path}, ${f.over}`)).toEqual(['ours, all widths', 'PyTorch, all widths']); // one point ≥ 512: no fit there
  });
});
