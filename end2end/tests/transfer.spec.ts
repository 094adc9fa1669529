import { PASSWORD, activateInOwnBrowser, expectAccessible, hasJs, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('the Superuser hands the role over and becomes an Operator', async ({ page, browser }, testInfo) => {
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  await (await activateInOwnBrowser(browser, email, hasJs(testInfo))).context.close();
  await page.reload();
  await settled(page, testInfo);

  await page.getByRole('link', { name: 'Details of Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await settled(page, testInfo);
  await panel.getByRole('link', { name: 'Make Superuser' }).click();
  await expect(panel.getByRole('heading', { name: 'Make Anna Smith the Superuser?' })).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  await panel.getByLabel('Your password').fill(PASSWORD);
  await panel.getByRole('button', { name: 'Transfer Superuser' }).click();

  await expect(page).toHaveURL(/\/account/);
  await expect(page.getByRole('status').filter({ hasText: 'You handed over the Superuser role.' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Operator');
  await expect(page.getByRole('link', { name: 'User Management' })).toHaveCount(0);
});
