import { type Gpu, settle } from '../gpu/device.js';
import { type Dispatch, submit } from '../gpu/kernels.js';
import { median } from '../util/stats.js';

/**
 * Each program (a dispatch, or the dispatches of one op: a split reduction's pieces and their sum) run once untimed (it
 * compiles the pipelines), then alone `runs` times, interleaved round by round so that load from other
 * processes hits them alike. Returns each program's times in ms.
 */
export async function timeInterleaved(g: Gpu, programs: readonly (Dispatch | readonly Dispatch[])[], runs: number): Promise<number[][]> {
  const dispatches = programs.map((p) => [p].flat());
  for (const d of dispatches) {
    submit(g, d);
    await settle(g);
  }
  const times = dispatches.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < dispatches.length; i++) {
      const t0 = performance.now();
      submit(g, dispatches[i]);
      await settle(g, times[i].length ? Math.min(...times[i]) : 0);
      times[i].push(performance.now() - t0);
    }
  }
  return times;
}

/** Median and best of a dispatch's times as rates: `work` units over the time (GFLOP/s for work = flops/1e6). */
export const rates = (times: readonly number[], work: number) => ({ median: work / median(times), best: work / Math.min(...times) });
