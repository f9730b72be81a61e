// npm run report -- <dir>      (see --help)
import { command, runCommand } from '../src/cli/main.js';
import { checkPage } from '../src/report/browser.js';
import { writeReport } from '../src/report/report.js';

const cmd = command('report', `Write <dir>/report.html, one self-contained page (figures inline, no network, opens from file://), and print its path.
<dir> is a run directory (config.json, metrics.jsonl, and what npm run analyze and npm run bound wrote: analysis.json,
bound.json, plots/) or a sweep directory (summary.json). The page's own figures are written to <dir>/plots/ with their
Vega-Lite specs (.vl.json).`)
  .argument('[dir]', 'run or sweep directory')
  .option('--screenshot <file>', 'also open the page in headless Chromium (/usr/bin/chromium, or $CHROMIUM), check that every figure drew and nothing was requested, and save a full-page screenshot there');

runCommand(cmd, async (values, [dir]) => {
  if (dir === undefined) throw new Error('expected one directory, got none (npm run report -- <dir>)');
  const path = await writeReport(dir);
  if (values.screenshot !== undefined) {
    const c = await checkPage(path, values.screenshot);
    const bad = [...c.consoleErrors, ...c.blocked.map((u) => `requested ${u}`), ...c.figures.filter((f) => !f.marks || !f.width).map((f) => `${f.id} did not draw`)];
    if (bad.length) throw new Error(`${path} in Chromium: ${bad.join('; ')}`);
  }
  process.stdout.write(`${path}\n`);
});
