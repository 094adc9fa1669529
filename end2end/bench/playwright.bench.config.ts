import { defineConfig } from '@playwright/test';

// The browser benchmarks (`BENCH_ONLY=matrix make bench`), apart from the
// tests: one worker, nothing else running in the browser.
export default defineConfig({
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 300_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.ROSTER_BASE_URL,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] },
    timezoneId: 'Europe/Zurich',
    locale: 'en-GB',
  },
});
