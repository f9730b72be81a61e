// npm run report as a function: a run directory gets its run page, a sweep directory (one with summary.json) its sweep
// page, written atomically as <dir>/report.html. The sweep calls this for each model and for the sweep.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readJson } from './html.js';
import { runPage } from './run_page.js';
import { asSweepSummary, sweepPage } from './sweep_page.js';

/** Write <dir>/report.html for a run or a sweep directory; returns its path. */
export async function writeReport(dir: string): Promise<string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const summaryPath = join(dir, 'summary.json');
  const summary = readJson<unknown>(summaryPath);
  const html = summary === undefined ? await runPage(dir) : await sweepPage(dir, asSweepSummary(summary, summaryPath));
  const path = join(dir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}
