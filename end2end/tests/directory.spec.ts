import { expectAccessible, settled, signUp, sql, uniqueEmail, watchConsole, expect, test } from './helpers';

test('an external user is invited from their own list, kept apart from employees, and never made Superuser', async ({ page }, testInfo) => {
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'External users' }).click();
  await expect(page.getByRole('heading', { name: 'External users', level: 1 })).toBeVisible();
  await settled(page, testInfo);

  await page.getByRole('link', { name: 'Add external user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  // Opened here, the invite is for an external user, who needs no hire date.
  await expect(dialog.getByRole('radio', { name: /External user/ })).toBeChecked();
  const email = uniqueEmail('carol');
  await dialog.getByLabel('First name').fill('Carol');
  await dialog.getByLabel('Last name').fill('Partner');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/external-users/);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Invited');
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  // Her details say what she is.
  await row.getByRole('link', { name: 'Details of Carol Partner' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('definition').filter({ hasText: 'External user' })).toBeVisible();
  await panel.getByRole('link', { name: 'Close' }).click();
  await expect(page).toHaveURL(/\/settings\/external-users$/);

  // User Management lists employees only.
  await nav.getByRole('link', { name: 'User Management' }).click();
  await expect(page.getByRole('heading', { name: 'User Management', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);

  // Active, she still cannot be handed the Superuser role: the panel says why.
  await sql("UPDATE users SET status = 'active', activated_at = now() WHERE email = $1", [email]);
  await nav.getByRole('link', { name: 'External users' }).click();
  await expect(page.getByRole('heading', { name: 'External users', level: 1 })).toBeVisible();
  await page.getByRole('row').filter({ hasText: email }).getByRole('link', { name: 'Details of Carol Partner' }).click();
  await expect(panel.getByText('External users can never become the Superuser or serve the user menu.')).toBeVisible();
  await expect(panel.getByRole('link', { name: 'Make Superuser' })).toHaveCount(0);
  expect(problems).toEqual([]);
});
