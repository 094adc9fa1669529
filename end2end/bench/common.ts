import { expect, type Page } from '@playwright/test';

// Shared by the browser benchmarks (`*.bench.ts`).

/** The p-th percentile (0–1) of `values`, nearest rank. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};

/** Signs in as the benchmark's Superuser (scripts/bench-browser.sh). */
export async function signInAsBenchAdmin(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(process.env.ROSTER_BENCH_EMAIL!);
  await page.getByLabel('Password').fill(process.env.ROSTER_BENCH_PASSWORD!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/settings\/users/);
}
