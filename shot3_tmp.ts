import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1280, height: 1800 } });
await p.goto('file://' + process.argv[2]);
const h = await p.evaluate(() => document.body.scrollHeight);
for (let i = 0, y = 0; y < h && i < 8; i++, y += 1800) await p.screenshot({ path: `/tmp/rp/${process.argv[3]}${i}.png`, fullPage: true, clip: { x: 0, y, width: 1280, height: Math.min(1800, h - y) } });
console.log(h);
await b.close();
