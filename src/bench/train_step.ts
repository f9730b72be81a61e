// The canonical training step (forward, backward, AdamW) timed on the GPU (both schedules) and on the
// CPU reference path, side by side in one run.
import { getGpu, settle } from '../gpu/device.js';
import { makeConfig } from '../model/config.js';
import { batchOf } from '../model/inputs.js';
import { initParams, paramLayout } from '../model/params.js';
import type { ScheduleName } from '../model/schedules.js';
import { CpuTrainBackend, GpuTrainBackend, initialState } from '../train/backends.js';
import { split } from '../train/data.js';

export interface StepTiming { path: string; median_ms: number; runs: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The canonical pizza model on its canonical batch (80 % of 59² pairs). */
function canonical() {
  const c = makeConfig({ p: 59, d_model: 128, n_heads: 4, d_mlp: 512, attention_rate: 0, attention_convention: 'mean' });
  const layout = paramLayout(c);
  const batch = batchOf(c, split(c.p, 0.8, 0).train);
  return { c, layout, batch, state: initialState(layout, initParams(c, 0)) };
}

const hyper = (step: number) => ({ lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1, step });

export async function benchTrainStep(opts: { gpuSteps?: number; cpuSteps?: number } = {}): Promise<StepTiming[]> {
  const { c, layout, batch, state } = canonical();
  const g = await getGpu();
  const out: StepTiming[] = [];
  for (const schedule of ['constant', 'generic'] as ScheduleName[]) {
    const be = new GpuTrainBackend(g, c, layout, batch, undefined, schedule);
    be.load(state);
    const times: number[] = [];
    for (let i = 0; i < (opts.gpuSteps ?? 20) + 2; i++) {
      const t0 = performance.now();
      be.step(hyper(i + 1));
      await settle(g, times.length ? median(times) : 0);
      if (i >= 2) times.push(performance.now() - t0); // the first steps compile pipelines
    }
    out.push({ path: `gpu (${schedule} schedule)`, median_ms: median(times), runs: times.length });
  }
  const cpu = new CpuTrainBackend(c, layout, batch, undefined, 'constant');
  cpu.load(state);
  const times: number[] = [];
  for (let i = 0; i < (opts.cpuSteps ?? 3); i++) {
    const t0 = performance.now();
    cpu.step(hyper(i + 1));
    times.push(performance.now() - t0);
  }
  out.push({ path: 'cpu reference (float64, constant schedule)', median_ms: median(times), runs: times.length });
  return out;
}
