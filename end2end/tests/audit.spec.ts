import { expectAccessible, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('the Superuser reads the audit log, filters it by action and by person', async ({ page }, testInfo) => {
  const admin = await signUp(page, testInfo);
  const email = uniqueEmail('grace');
  await inviteFromDialog(page, testInfo, 'Grace', 'Hopper', email);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await settled(page, testInfo);
  const invited = page.getByRole('row').filter({ hasText: 'Invited' });
  await expect(invited).toContainText(`${admin.firstName} ${admin.lastName}`);
  await expect(invited).toContainText('Grace Hopper');
  await expect(invited).toContainText(email);
  await expect(page.getByRole('row').filter({ hasText: 'Created the organization' })).toBeVisible();
  await expect(page.getByText(/times in Europe\/Zurich/)).toBeVisible();
  await expectAccessible(page, testInfo);

  // By action (the form works with and without JavaScript).
  await page.getByLabel('Action').selectOption({ label: 'Created the organization' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=organization.signed_up/);
  await expect(page.getByRole('row').filter({ hasText: 'Invited' })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Created the organization' })).toBeVisible();

  // Everything about Grace, from her name in a row.
  await page.goto('/settings/audit');
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Grace Hopper' }).first().click();
  await expect(page.getByText('About Grace Hopper')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Created the organization' })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Invited' })).toBeVisible();
  await page.getByRole('link', { name: 'Remove filter: About Grace Hopper' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Created the organization' })).toBeVisible();
});
