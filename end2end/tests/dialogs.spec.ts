import { settled, signUp, expect, test } from './helpers';

// Keyboard handling of dialogs needs JavaScript (without it a dialog is a
// plain page, closed by its Close link), so this spec runs in the "js"
// project only (see playwright.config.ts).
test('dialogs keep the keyboard inside and close with Escape', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await expect(dialog.getByLabel('First name')).toBeFocused();
  await dialog.getByRole('link', { name: 'Close' }).focus();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.locator(':focus')).toHaveCount(1);
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('link', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page).toHaveURL(/\/settings\/users$/);
});
