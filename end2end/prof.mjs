// ad-hoc profiling (not committed)
import { chromium } from 'playwright';
import fs from 'fs';
const base = process.env.BASE || 'http://127.0.0.1:3190';
const flags = process.env.JSFLAGS ? [`--js-flags=${process.env.JSFLAGS}`] : [];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags });
const ctx = await browser.newContext();
const r = await ctx.request.post(base + '/api/sign_in', { form: { email: process.env.EMAIL || 'matrix-bench@example.com', password: 'Trace-Pass-1234!' }, headers: { Origin: base } });
if (!r.ok()) throw new Error('sign in ' + r.status());
const page = await ctx.newPage();
const runs = +(process.env.RUNS || 3);
for (let i = 0; i < runs; i++) {
  const cdp = await ctx.newCDPSession(page);
  if (process.env.PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 100 }); await cdp.send('Profiler.start'); }
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'disabled-by-default-v8.compile', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed'] });
  await page.goto(base + (process.env.PATH_ || '/settings/users'));
  await page.waitForFunction(() => document.body.dataset.hydrated !== undefined || window.__hydrated, null, { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(1500);
  const buf = await browser.stopTracing();
  fs.writeFileSync(`/tmp/prof/trace-${i}.json`, buf);
  if (process.env.PROFILE) { const { profile } = await cdp.send('Profiler.stop'); fs.writeFileSync(`/tmp/prof/cpu-${i}.cpuprofile`, JSON.stringify(profile)); }
}
await browser.close();
