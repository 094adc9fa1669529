import { PASSWORD, expectAccessible, hasJs, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('delete asks for the admin password, then removes the user and frees the seat', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const seats = page.getByRole('list', { name: 'Seats used' });
  await expect(seats).toContainText('Basic 1/10');

  await page.getByRole('link', { name: 'Delete Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('heading', { name: 'Delete Anna Smith?' })).toBeVisible();
  await expect(panel).toContainText('This cannot be undone.');
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/delete-user.png' });

  await panel.getByLabel('Your password').fill('Wrong-Password-1!');
  await panel.getByRole('button', { name: 'Yes, delete User!' }).click();
  await expect(page.getByText('The password is incorrect.')).toBeVisible();
  await expect(page.getByLabel('Your password')).toHaveAttribute('aria-invalid', 'true');
  await settled(page, testInfo);

  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Yes, delete User!' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Anna Smith was deleted. Their seat is free again.' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);
  await expect(seats).toContainText('Basic 0/10');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Deleted the user' })).toContainText('Anna Smith');
});
