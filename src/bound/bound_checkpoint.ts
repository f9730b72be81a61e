// `npm run bound` as a function: read a checkpoint, certify it, write the report (and plots) atomically. The command
// and the sweep both call this, so a sweep's models get exactly the single-model command's files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/device.js';
import { KernelRegistry } from '../gpu/kernels.js';
import { checkOutputs, writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { checkMemory } from '../util/memory.js';
import { type BoundOptions, boundMemoryBytes, boundModel, boundModelGpu } from './bound.js';
import { certifiedPlot, costPlot } from './plots.js';

export interface BoundOutputs { json: string; plots?: string }

/** Certify the checkpoint at `path` (brute force on the GPU when `g` is given, else all in float64) and write `out`. */
export async function boundCheckpoint(path: string, out: BoundOutputs, opts: BoundOptions, g?: Gpu) {
  // A report path that is the checkpoint, a link or a device, or a model too big for memory, is refused before any work.
  checkOutputs([out.json], [path]);
  const ck = loadCheckpoint(path);
  checkMemory(boundMemoryBytes(ck.cfg), `bounding ${path} (p = ${ck.cfg.p})`);
  const report = g ? await boundModelGpu(g, new KernelRegistry(g), ck.cfg, ck.params, opts) : boundModel(ck.cfg, ck.params, opts);
  const { perInput: _, ...rest } = report;
  // Infinity (a refused tier's ε̄) has no JSON form: it is written as null.
  const json = JSON.stringify({ checkpoint: path, ...rest }, (_, v) => (v === Infinity ? null : v), 2);
  // Everything rendered and the plots' folder made before the first write, so a bad --plots leaves no report half-updated.
  const plots = out.plots === undefined ? [] : [['certified.svg', certifiedPlot(report)], ['cost.svg', costPlot(report)]].map(([f, svg]) => [join(out.plots!, f), svg]);
  if (out.plots !== undefined) mkdirSync(out.plots, { recursive: true });
  writeFileAtomic(out.json, json + '\n');
  for (const [file, svg] of plots) writeFileAtomic(file, svg);
  return report;
}
