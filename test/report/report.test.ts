// The report pages, opened in a real browser: npm run main on a tiny model (CPU, a few steps) trains, analyses, bounds
// and writes the run page; the sweep page is built from a hand-made summary.json (test/report/fixtures/sweep); the
// committed canonical report is opened as it is. Each page opens in headless Chromium with every request but the page
// refused: every figure must be an SVG with marks and a size, with no console error and no request leaving the page.
// With CI=true a missing Chromium fails (checkPage throws); elsewhere these tests are skipped without one.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundSummary } from '../../src/report/bound_summary.js';
import type { SweepSummary } from '../../src/sweep/summary.js';
import { tempDir } from '../helpers.js';
import { CHROMIUM, type PageCheck, checkPage } from '../../src/report/browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SHOTS = join(ROOT, 'test-output');
const browserIt = existsSync(CHROMIUM) || process.env.CI === 'true' ? it : it.skip;
const script = (name: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', `${name}.ts`), ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });

function expectRendered(c: PageCheck, figures: string[]): void {
  expect(c.consoleErrors).toEqual([]);
  expect(c.blocked).toEqual([]);
  expect(c.figures.map((f) => f.id).sort()).toEqual(figures.map((f) => `fig-${f.replace(/[^A-Za-z0-9]+/g, '-')}`).sort());
  for (const f of c.figures) {
    expect(f.width, f.id).toBeGreaterThan(100);
    expect(f.height, f.id).toBeGreaterThan(100);
    expect(f.marks, f.id).toBeGreaterThan(10);
    expect(f.titles, `${f.id}: tooltips`).toBeGreaterThan(0);
  }
  expect(c.text).not.toMatch(/NaN|undefined|Infinity/);
}

describe('report pages', () => {
  browserIt('npm run main on a tiny model: trains, analyses, bounds, writes the run page and prints its path; a rerun resumes nothing', async () => {
    const dir = join(tempDir('main'), 'run');
    const args = ['--out', dir, '--backend', 'cpu', '--p', '11', '--d-model', '16', '--n-heads', '2', '--d-mlp', '32', '--steps', '60', '--eval-every', '20', '--checkpoint-every', '30'];
    const r = script('main', ...args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${join(dir, 'report.html')}\n`);
    expect(r.stderr).toMatch(/done in \d+ s/);
    expect(readdirSync(dir).sort()).toEqual(['analysis.json', 'bound.json', 'config.json', 'curves.svg', 'curves.vl.json', 'metrics.jsonl', 'model.safetensors', 'optimizer-60.safetensors', 'plots', 'report.html']);
    const again = script('main', ...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/holds the finished run/);
    const figures = ['curves', ...readdirSync(join(dir, 'plots')).filter((f) => f.endsWith('.svg')).map((f) => `plots/${f.slice(0, -4)}`)];
    expect(figures).toEqual(expect.arrayContaining(['plots/fourier', 'plots/logit_table', 'plots/cost', 'plots/certified']));
    const c = await checkPage(join(dir, 'report.html'), join(SHOTS, 'run-page.png'));
    expectRendered(c, figures);
    const analysis = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
    // Numbers come from the JSON: the distance irrelevance as the page prints it (3 significant digits).
    expect(c.text).toContain(`distance irrelevance ${Number(analysis.distance_irrelevance.toPrecision(3))}`);
    // Another config in the same directory is refused, naming the difference.
    const other = script('main', ...args.slice(0, -6), '--steps', '61', '--eval-every', '20', '--checkpoint-every', '30');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/steps 60 there, 61 asked/);
  });

  browserIt('the sweep page from a hand-made summary.json: a log-log figure per metric with its fit, every model with its status and link', async () => {
    const dir = tempDir('sweep');
    cpSync(join(ROOT, 'test/report/fixtures/sweep'), dir, { recursive: true });
    const r = script('report', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${join(dir, 'report.html')}\n`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<a href="d_mlp=64,seed=0/report.html">d_mlp=64,seed=0</a>');
    expect(html).toContain('d_mlp=128,seed=1 <span class="missing">(no page)</span>');
    expect(html).toContain('GPU device lost at step 4100');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SweepSummary;
    const q = summary.slopes.find((f) => f.metric === 'quadrature_error' && f.against === 'd_mlp')!;
    expect(html).toContain(`fit: slope ${q.slope.toFixed(2)} [${q.lo.toFixed(2)}, ${q.hi.toFixed(2)}], n ${q.n}`);
    // The fitted line is summary.json's power law e^intercept·x^slope over the widths drawn.
    const spec = JSON.parse(readFileSync(join(dir, 'plots/sweep_quadrature_error.vl.json'), 'utf8'));
    for (const p of spec.layer[0].data.values) expect(p.value).toBeCloseTo(Math.exp(q.intercept) * p.x ** q.slope, 3);
    const figures = readdirSync(join(dir, 'plots')).filter((f) => f.endsWith('.svg')).map((f) => `plots/${f.slice(0, -4)}`);
    expect(figures).toEqual(expect.arrayContaining(['plots/sweep_cluster_quadrature', 'plots/sweep_quadrature_error', 'plots/sweep_eps', 'plots/sweep_compressed_flops']));
    expect(figures).not.toContain('plots/sweep_compressed_uniform_certified_accuracy'); // all zero: nothing on a log axis
    const c = await checkPage(join(dir, 'report.html'), join(SHOTS, 'sweep-page.png'));
    expectRendered(c, figures);
    expect(c.text).toMatch(/did not grok/);
  });

  browserIt('the committed canonical report opens with every figure drawn', async () => {
    const dir = join(ROOT, 'results/pizza-seed0');
    const c = await checkPage(join(dir, 'report.html'));
    const figures = ['curves', ...readdirSync(join(dir, 'plots')).filter((f) => f.endsWith('.svg')).map((f) => `plots/${f.slice(0, -4)}`)];
    expectRendered(c, figures);
  });

  it('a directory that is neither a run nor a sweep, or a bad summary: a clear error, exit 2, nothing written', () => {
    const dir = tempDir('empty');
    const r = script('report', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a run directory \(no config.json\) nor a sweep directory/);
    expect(script('report').stderr).toMatch(/expected one directory/);
    cpSync(join(ROOT, 'test/report/fixtures/sweep/summary.json'), join(dir, 'summary.json'));
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(s.schema).toBe('sweep-summary/1');
    spawnSync('sh', ['-c', `echo '{"schema":"other"}' > '${join(dir, 'summary.json')}'`]);
    const bad = script('report', dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not a sweep summary/);
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });

  it('the ladder reads bound.json in both shapes: the summary block when present, else the tiers', () => {
    const tiers = {
      eps_true: 2, signal: 50, accuracy: 1, refused: null,
      tiers: { brute_force: { eps_bound: 2.5, certified_accuracy: 1, flops: 1e9, seconds: 1 }, per_shift: { eps_bound: null, certified_accuracy: 0, flops: 0, seconds: 0 }, compressed: { eps_bound: 8, certified_accuracy: 0.9, flops: 1e7, seconds: 0.1, uniform: { eps_bound: 40, certified_accuracy: 0, flops: 1e6, seconds: 0.01 } } },
    };
    const old = boundSummary(tiers);
    expect(old.ladder.map((r) => [r.tier, r.eps_bound, r.eps_bound_over_eps])).toEqual([['brute_force', 2.5, 1.25], ['per_shift', null, null], ['compressed', 8, 4], ['compressed_uniform', 40, 20]]);
    expect(old).toMatchObject({ eps: 2, signal: 50, accuracy: 1, refused: null });
    const summary = { eps: 3, signal: 60, accuracy: 0.9, refused: 'α ≠ 0', ladder: [{ tier: 'brute_force', eps_bound: 3.1, certified_accuracy: 0.9, flops: 5, seconds: 1, eps_bound_over_eps: 1.03 }] };
    expect(boundSummary({ summary, ...tiers })).toEqual(summary);
    expect(() => boundSummary({})).toThrow(/neither a summary nor tiers/);
  });
});
