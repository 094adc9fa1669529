import { expect, test } from '@playwright/test';
import { PASSWORD, expectAccessible, settled, signUp, uniqueEmail } from './helpers';

const NEW_PASSWORD = 'Tulip-Quarry-Vessel-42';

test('an invited user activates from the email, lands signed in, and shows as Active', async ({ page }, testInfo) => {
  const admin = await signUp(page, testInfo);
  const email = uniqueEmail('grace');
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill('Grace');
  await dialog.getByLabel('Last name').fill('Hopper');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // `make test` runs Roster without SMTP: the mail lands in the development mailbox.
  const mail = page.getByRole('article', { name: `Mail to ${email}` });
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(mail).toContainText(`${admin.firstName} ${admin.lastName} invited you to ${admin.organization}`);
  const link = mail.getByRole('link', { name: /\/activate\// });
  const href = await link.getAttribute('href');
  await link.click();
  await settled(page, testInfo);

  await expect(page.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveValue('Grace');
  await expectAccessible(page, testInfo);
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Activate account' }).click();

  // Signed in at once, on their own account page (they are a Basic user).
  await expect(page).toHaveURL(/\/account/);
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole('link', { name: 'User Management' })).toHaveCount(0);

  // The link worked once.
  await page.goto(href!);
  await expect(page.getByRole('heading', { name: 'This link has already been used' })).toBeVisible();
  await expectAccessible(page, testInfo);

  // The admin sees the row Active.
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await settled(page, testInfo);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/users/);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Active');
  await expect(row.getByRole('cell', { name: 'Yes' })).toHaveCount(2);
});

test('a link that is not valid gets a clear page', async ({ page }, testInfo) => {
  await page.goto('/activate/not-a-real-token');
  await settled(page, testInfo);
  await expect(page.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await expectAccessible(page, testInfo);
});
