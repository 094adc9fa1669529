import { PASSWORD, activateInOwnBrowser, expectAccessible, hasJs, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('disable access signs the user out on their next click; enable lets them sign in again', async ({ page, browser }, testInfo) => {
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const anna = await activateInOwnBrowser(browser, email, js);

  // The admin disables Anna from the table's Action column, confirming in her panel.
  await page.reload();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Disable access for Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByText('Disable access for Anna Smith?')).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/disable-access-confirm.png' });
  await panel.getByRole('button', { name: 'Disable Access' }).click();
  await expect(panel.getByRole('status')).toContainText('Anna Smith can no longer sign in');
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Disabled');

  // Anna's open browser: her next request lands on the sign-in page.
  await anna.page.reload();
  await expect(anna.page).toHaveURL(/\/sign-in/);
  await anna.page.getByLabel('Email').fill(email);
  await anna.page.getByLabel('Password').fill(PASSWORD);
  await anna.page.getByRole('button', { name: 'Sign in' }).click();
  await expect(anna.page.getByRole('alert')).toContainText('The email or password is incorrect.');

  // Enabled again from the table: she signs in.
  await panel.getByRole('link', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Enable access for Anna Smith' }).click();
  await settled(page, testInfo);
  await page.getByRole('dialog', { name: 'User details' }).getByRole('button', { name: 'Enable Access' }).click();
  await expect(page.getByRole('dialog', { name: 'User details' }).getByRole('status')).toContainText('Anna Smith can sign in again');
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Active');
  await anna.page.getByLabel('Email').fill(email);
  await anna.page.getByLabel('Password').fill(PASSWORD);
  await anna.page.getByRole('button', { name: 'Sign in' }).click();
  await expect(anna.page).toHaveURL(/\/account/);
  await anna.context.close();
});
