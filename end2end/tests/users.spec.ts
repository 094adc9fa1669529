import { expectAccessible, hasJs, settled, signUp, expect, test } from './helpers';

test('the user table sorts, searches and pages through the URL', async ({ page }, testInfo) => {
  const me = await signUp(page, testInfo, { lastName: 'Zuse' });

  await page.getByRole('link', { name: /^Email/ }).click();
  await expect(page).toHaveURL(/sort=email&dir=asc/);
  await expect(page.getByRole('columnheader', { name: /Email/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('link', { name: /^Email/ }).click();
  await expect(page).toHaveURL(/sort=email&dir=desc/);
  await expect(page.getByRole('columnheader', { name: /Email/ })).toHaveAttribute('aria-sort', 'descending');

  await page.getByRole('searchbox', { name: 'Search users' }).fill('zUs');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=zUs/);
  await expect(page).toHaveURL(/sort=email/);
  await expect(page.getByRole('row').filter({ hasText: me.email })).toBeVisible();

  // Accents aside: "zusé" finds Zuse; one or two letters find what starts with them.
  await page.getByRole('searchbox', { name: 'Search users' }).fill('ZUSÉ');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row').filter({ hasText: me.email })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search users' }).fill('Zu');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row').filter({ hasText: me.email })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search users' }).fill('us');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No first name, last name or email starts with “us”.')).toBeVisible();
  await expect(page.getByText('type three or more to find them anywhere inside a name or email')).toBeVisible();

  await page.getByRole('searchbox', { name: 'Search users' }).fill('no-such-person');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No users match “no-such-person”.')).toBeVisible();
  await expectAccessible(page, testInfo);
  await page.getByRole('link', { name: 'Clear search' }).click();
  // Wait until that navigation has finished before using the next control.
  await expect(page).not.toHaveURL(/q=/);
  await expect(page.getByText(/No users match/)).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: me.email })).toBeVisible();
  await settled(page, testInfo);

  await page.getByLabel('Rows per page').selectOption('50');
  if (!hasJs(testInfo)) {
    await page.getByRole('button', { name: 'Show' }).click();
  }
  await expect(page).toHaveURL(/size=50/);
  await expect(page.getByLabel('Rows per page')).toHaveValue('50');

  // The choice is remembered: a bare URL shows 50 rows per page.
  await page.goto('/settings/users');
  await expect(page.getByLabel('Rows per page')).toHaveValue('50');

  // The view survives a reload (it is all in the URL).
  await page.goto('/settings/users?sort=created&dir=desc&q=ada');
  await expect(page.getByRole('columnheader', { name: /Created/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByRole('searchbox', { name: 'Search users' })).toHaveValue('ada');
});
