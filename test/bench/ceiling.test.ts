// The ceiling benchmark's kernels compute what their comments say (so the rates they time are of that
// work), and the section's ratios are the ratios of its own measurements.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCeiling } from '../../src/bench/ceiling.js';
import { KernelRegistry, SHADER_DIR, submit } from '../../src/gpu/kernels.js';
import { createTensor, readF32 } from '../../src/gpu/tensor.js';
import { CPU_PEAK_GFLOPS } from '../../src/bench/matmul.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, randn, testGpu } from '../helpers.js';

const f = Math.fround;

describe('ceiling kernels', () => {
  it('multiply_add_loop: 16 accumulators x ← x·m + a·c, the same after n one-step iterations as after n/4 four-step ones', async () => {
    const { g } = await testGpu();
    const k = new KernelRegistry(g, join(SHADER_DIR, 'bench'));
    const n = 67 * 64; // invocations
    const [m, c, iterations] = [f(0.999), f(1e-3), 12];
    const run = async (four: boolean) => {
      const out = createTensor(k.owner, 'f32', [n]);
      submit(g, [k.prepare('multiply_add_loop', { tensors: { out }, uniforms: { iterations: four ? iterations / 4 : iterations, m, c }, constants: { FOUR_STEPS: +four }, workgroups: [n / 64] })]);
      return readF32(g, out);
    };
    const want = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let a = 0; a < 16; a++) {
        let x = f((i % 7) + a);
        for (let t = 0; t < iterations; t++) x = f(f(x * m) + f(a * c));
        s = f(s + x);
      }
      return s;
    });
    expectClose(await run(false), want, 1e-6, 0);
    expectClose(await run(true), want, 1e-6, 0);
    k.owner.dispose();
  });

  it.each([[true, false], [true, true], [false, false]])('lane_loads (load %s, vec4 %s): each invocation sums its column down all rows from row i mod rows, or without the load the offsets it would read', async (load, vec4) => {
    const { g } = await testGpu();
    const k = new KernelRegistry(g, join(SHADER_DIR, 'bench'));
    const [rows, width, n] = [37, 12, 3 * 64];
    const data = randn(new Rng(5), rows * width);
    const x = createTensor(k.owner, 'f32', [rows * width], data);
    const out = createTensor(k.owner, 'f32', [n]);
    submit(g, [k.prepare('lane_loads', { tensors: { x, x4: x, out }, uniforms: { rows, width }, constants: { LOAD: +load, VEC4: +vec4 }, workgroups: [n / 64] })]);
    const per = vec4 ? 4 : 1;
    const w = width / per;
    const want = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let r = 0; r < rows; r++) {
        const o = ((i % rows + r) % rows) * w + (i % w); // in vec4s with VEC4
        for (let q = 0; q < per; q++) s += load ? data[o * per + q] : o;
      }
      return s;
    });
    expectClose(await readF32(g, out), want, 1e-5, 1e-5);
    k.owner.dispose();
  });
});

describe('ceiling section', () => {
  it('reports positive rates, finite load prices, and ratios of its own measurements', async () => {
    const r = await benchCeiling({ runs: 1 });
    expect(r.multiply_add.map((x) => x.steps_per_iteration)).toEqual([1, 4]);
    expect(r.loads.map((x) => x.load)).toEqual(['f32', 'vec4']);
    for (const x of [...r.multiply_add.map((y) => y.gflops), r.loop_ns_per_iteration, ...r.matmul.map((y) => y.gflops)]) expect(x).toBeGreaterThan(0);
    // A load's price is a difference of two timings: finite, though one noisy round could put it at or below 0.
    for (const x of r.loads) expect(Number.isFinite(x.ns_per_float) && Number.isFinite(x.best_ns_per_float)).toBe(true);
    for (const x of r.matmul) {
      expect(x.of_one_step_loop).toBeCloseTo(x.gflops / r.multiply_add[0].gflops, 12);
      expect(x.of_cpu_peak).toBeCloseTo(x.gflops / CPU_PEAK_GFLOPS, 12);
    }
  });
});
