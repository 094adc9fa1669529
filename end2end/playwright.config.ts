import { defineConfig } from '@playwright/test';

// Roster's browser tests run in Debian's Chromium (no downloaded browser),
// once hydrated ("js") and once with JavaScript disabled ("no-js"): every
// form must work before the WASM bundle loads. `make test` starts the
// server and sets ROSTER_BASE_URL.
const baseURL = process.env.ROSTER_BASE_URL ?? 'http://127.0.0.1:3100';

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: chromium,
    timezoneId: 'Europe/Zurich',
    locale: 'en-GB',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'js', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false }, testIgnore: /screenshots|dialogs|hydration/ },
  ],
});
