import { expectAccessible, hasJs, settled, signUp, expect, test } from './helpers';

test('the Superuser changes the lockout on the Security page, and a bad value is explained next to its field', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  const threshold = page.getByLabel('Failed sign-ins before the lock');
  await expect(threshold).toHaveValue('5');
  await expect(page.getByLabel('After a time (set below)')).toBeChecked();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/security-settings.png', fullPage: true });

  // A browser would stop an out-of-range number itself; the server's
  // message is what a client without that check gets.
  await threshold.evaluate((input: HTMLInputElement) => input.removeAttribute('min'));
  await threshold.fill('1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Failed sign-ins must be a whole number from 3 to 100.').first()).toBeVisible();

  await page.getByLabel('Failed sign-ins before the lock').fill('4');
  await page.getByLabel('Only when an admin unlocks it, or its owner chooses a new password').check();
  await page.getByLabel(/At least 15 characters, no other rules/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The security settings are saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Failed sign-ins before the lock')).toHaveValue('4');
  await expect(page.getByLabel('Only when an admin unlocks it, or its owner chooses a new password')).toBeChecked();
  await expect(page.getByLabel(/At least 15 characters, no other rules/)).toBeChecked();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Changed the security settings' })).toContainText('5 → 4');
});
