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

// The details panel and the invite dialog are split out of the main bundle.
// Their code is fetched when the admin is about to open one (pointer over,
// press on or focus on a link that opens it), not with every visit: loading
// it at hydration made the page's first task much longer (see
// `preload_on_intent` in users_page.rs).
test('the panel and the dialog load their code when about to be opened, not with the page', async ({ page }, testInfo) => {
  const me = await signUp(page, testInfo);
  const fetched: string[] = [];
  page.on('request', (request) => {
    const file = new URL(request.url()).pathname.split('/').pop() ?? '';
    if (file.endsWith('.wasm')) fetched.push(file);
  });
  await page.goto('/settings/users');
  await settled(page, testInfo);
  await page.waitForLoadState('networkidle');
  expect(fetched.filter((file) => /^split_/.test(file))).toEqual([]);

  const details = page.getByRole('link', { name: `Details of ${me.firstName} ${me.lastName}` });
  await details.hover();
  await expect.poll(() => fetched.some((file) => file.startsWith('split_user_panel_'))).toBe(true);
  expect(fetched.some((file) => file.startsWith('split_invite_dialog_'))).toBe(false);
  await details.click();
  await expect(page.getByRole('heading', { name: 'User details' })).toBeVisible();

  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The keyboard's focus is intent too.
  await page.getByRole('link', { name: 'Add new user' }).focus();
  await expect.poll(() => fetched.some((file) => file.startsWith('split_invite_dialog_'))).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Add new user' }).getByLabel('First name')).toBeVisible();
});
