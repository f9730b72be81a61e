// `npm run bound` as a function: read a checkpoint, certify it, write the report (and plots) atomically. The command
// and the sweep both call this, so a sweep's models get exactly the single-model command's files.
import type { Gpu } from '../gpu/device.js';
import { KernelRegistry } from '../gpu/kernels.js';
import { checkOutputs, writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { mkdirSync } from 'node:fs';
import { checkMemory } from '../util/memory.js';
import { renderFigures, saveFigures } from '../plot/figure.js';
import { type BoundOptions, boundMemoryBytes, boundModel, boundModelGpu, reportJson } from './bound.js';
import { boundFigures } from './figures.js';

export interface BoundOutputs { json: string; plots?: string }

/** Certify the checkpoint at `path` (the per-shift tier's sums on the GPU when `g` is given, else all on the CPU) and write `out`. */
export async function boundCheckpoint(path: string, out: BoundOutputs, opts: BoundOptions, g?: Gpu) {
  // A report path that is the checkpoint, a link or a device, or a model too big for memory, is refused before any work.
  checkOutputs([out.json], [path]);
  const ck = loadCheckpoint(path);
  checkMemory(boundMemoryBytes(ck.cfg), `bounding ${path} (p = ${ck.cfg.p})`);
  const report = g ? await boundModelGpu(g, new KernelRegistry(g), ck.cfg, ck.params, opts) : boundModel(ck.cfg, ck.params, opts);
  const json = reportJson(report, { checkpoint: path });
  // Everything rendered and the plots' folder made before the first write, so a bad --plots leaves no report half-updated.
  const figures = out.plots === undefined ? undefined : await renderFigures(boundFigures(report));
  if (out.plots !== undefined) mkdirSync(out.plots, { recursive: true });
  writeFileAtomic(out.json, json + '\n');
  if (figures) saveFigures(out.plots!, figures);
  return report;
}
