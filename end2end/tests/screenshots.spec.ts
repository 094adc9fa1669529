import { expect, test } from '@playwright/test';
import { expectAccessible, open, signUp } from './helpers';

// Screenshots of every page, for a human to look at (end2end/screenshots/).
// Runs in the JavaScript project only (see playwright.config.ts).
test('screenshots of every page', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const shot = (name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

  await open(page, '/sign-up', testInfo);
  await shot('sign-up');
  await open(page, '/sign-in', testInfo);
  await shot('sign-in');
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('Wrong-1!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shot('sign-in-error');
  await signUp(page, testInfo);
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  await shot('user-management');
  await page.getByRole('link', { name: 'Add new user' }).click();
  await expect(page.getByRole('dialog', { name: 'Add new user' })).toBeVisible();
  await shot('invite-dialog');
  await open(page, '/no-such-page', testInfo);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, testInfo);
  await shot('not-found');
});
