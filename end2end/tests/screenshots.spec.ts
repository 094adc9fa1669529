import { expect, test } from '@playwright/test';
import { expectAccessible, open, signUp, uniqueEmail } from './helpers';

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
  const email = uniqueEmail('shot');
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await dialog.getByLabel('First name').fill('Grace');
  await dialog.getByLabel('Last name').fill('Hopper');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible();
  await shot('user-management-invited');
  const mail = page.getByRole('article', { name: `Mail to ${email}` });
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await shot('dev-mailbox');
  await mail.getByRole('link', { name: /\/activate\// }).click();
  await expect(page.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  await shot('activation');
  await open(page, '/activate/not-a-real-token', testInfo);
  await expect(page.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await shot('activation-invalid');
  await open(page, '/no-such-page', testInfo);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, testInfo);
  await shot('not-found');
});
