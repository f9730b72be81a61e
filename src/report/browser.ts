// Open a report page in headless Chromium (Debian's, driven by playwright-core: no browser download) with every request
// but the page itself refused, and say what rendered: each figure's SVG size, marks and tooltips, console errors, refused
// requests; optionally save a full-page screenshot. The report tests check pages with it; npm run report --screenshot
// takes the committed screenshot with it.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Debian's chromium (bash scripts/setup.sh --test installs it); CHROMIUM names another. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface PageCheck {
  figures: { id: string; width: number; height: number; marks: number; titles: number }[];
  consoleErrors: string[];
  /** Requests other than the page's own URL, each refused. */
  blocked: string[];
  text: string;
}

export async function checkPage(htmlPath: string, screenshot?: string): Promise<PageCheck> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (bash scripts/setup.sh --test installs it)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(htmlPath).href;
    const consoleErrors: string[] = [];
    const blocked: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    const figures = await page.$$eval('figure > svg', (svgs) => svgs.map((s) => {
      const r = s.getBoundingClientRect();
      return { id: s.id, width: r.width, height: r.height, marks: s.querySelectorAll('path, rect, line, circle, text').length, titles: s.querySelectorAll('title').length };
    }));
    const text = await page.innerText('body');
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { figures, consoleErrors, blocked, text };
  } finally {
    await browser.close();
  }
}
