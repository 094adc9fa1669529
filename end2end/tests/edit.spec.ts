import { PASSWORD, expectAccessible, hasJs, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('edit and save; a concurrent edit is refused and says what is there now', async ({ page, browser }, testInfo) => {
  const admin = await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);

  await page.getByRole('link', { name: 'Edit Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('heading', { name: 'Edit Anna Smith' })).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/edit-user.png' });

  // The same admin in another browser opens the same form and saves first.
  const context = await browser.newContext({ javaScriptEnabled: hasJs(testInfo) });
  const other = await context.newPage();
  await other.goto('/sign-in');
  await other.getByLabel('Email').fill(admin.email);
  await other.getByLabel('Password').fill(PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/settings\/users/);
  await other.goto(page.url());
  const otherPanel = other.getByRole('dialog', { name: 'User details' });
  await expect(otherPanel.getByRole('heading', { name: 'Edit Anna Smith' })).toBeVisible();
  if (hasJs(testInfo)) await other.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await otherPanel.getByLabel('Department').fill('Sales');
  await otherPanel.getByRole('button', { name: 'Save' }).click();
  await expect(otherPanel.getByRole('status')).toContainText("Anna Smith's profile is saved.");
  await context.close();

  // This form was opened before that save: refused, nothing changed.
  await panel.getByLabel('Department').fill('Marketing');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Someone else saved Anna Smith');
  await expect(page.getByRole('alert').first()).toContainText('department: Sales (yours: Marketing)');
  await settled(page, testInfo);

  // Opened again, with the current values: saved.
  await page.goto(page.url().replace(/[?&]__path=.*$/, ''));
  await settled(page, testInfo);
  const again = page.getByRole('dialog', { name: 'User details' });
  await expect(again.getByLabel('Department')).toHaveValue('Sales');
  await again.getByLabel('Last name').fill('Smith-Jones');
  await again.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog', { name: 'User details' }).getByRole('status')).toContainText("Anna Smith-Jones's profile is saved.");
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Smith-Jones');
});
