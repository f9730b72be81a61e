// npm run report -- <dir>      (see --help)
import { parse, runCli } from '../src/cli/main.js';
import { writeReport } from '../src/report/report.js';

const usage = `usage: npm run report -- <dir>

Write <dir>/report.html, one self-contained page (figures inline, no network, opens from file://), and print its path.
<dir> is a run directory (config.json, metrics.jsonl, and what npm run analyze and npm run bound wrote: analysis.json,
bound.json, plots/) or a sweep directory (summary.json). The page's own figures are written to <dir>/plots/ with their
Vega-Lite specs (.vl.json).`;

runCli(async () => {
  const { values, positionals } = parse({}, usage, process.argv.slice(2), true);
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  if (positionals.length !== 1) throw new Error(`expected one directory, got ${positionals.length}\n\n${usage}`);
  process.stdout.write(`${await writeReport(positionals[0])}\n`);
});
