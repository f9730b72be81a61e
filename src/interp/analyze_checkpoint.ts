// `npm run analyze` as a function: read a checkpoint, explain it, write the report (and plots) atomically. The
// command and the sweep both call this, so a sweep's models get exactly the single-model command's files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/device.js';
import { KernelRegistry } from '../gpu/kernels.js';
import { checkOutputs, writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { checkMemory } from '../util/memory.js';
import { analyze, analyzeMemoryBytes } from './analysis.js';
import { logitTablePlot, phasePlot, rectanglesPlot } from './plots.js';

export interface AnalyzeOutputs { json: string; plots?: string }

/** Analyse the checkpoint at `path` (on the GPU when `g` is given, else on the CPU) and write `out`; returns the report. */
export async function analyzeCheckpoint(path: string, out: AnalyzeOutputs, g?: Gpu) {
  // A report path that is the checkpoint, a link or a device, or a model too big for memory, is refused before any work.
  checkOutputs([out.json], [path]);
  const ck = loadCheckpoint(path);
  checkMemory(analyzeMemoryBytes(ck.cfg), `analysing ${path} (p = ${ck.cfg.p})`);
  const { report, data } = await analyze(ck.cfg, ck.params, g && { g, k: new KernelRegistry(g) });
  writeFileAtomic(out.json, JSON.stringify({ checkpoint: path, source: ck.source, ...report }, null, 2) + '\n');
  if (out.plots !== undefined) {
    mkdirSync(out.plots, { recursive: true });
    writeFileAtomic(join(out.plots, 'phases.svg'), phasePlot(data));
    if (data.clusters.length) writeFileAtomic(join(out.plots, 'rectangles.svg'), rectanglesPlot(data));
    writeFileAtomic(join(out.plots, 'logit_table.svg'), logitTablePlot(data));
  }
  return report;
}
