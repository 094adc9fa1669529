import { PASSWORD, activationPath, expectAccessible, inviteFromDialog, mailTo, settled, signUp, uniqueEmail, expect, test } from './helpers';

const NEW_PASSWORD = 'Tulip-Quarry-Vessel-42';

test('an invited user activates from the email, lands signed in, and shows as Active', async ({ page }, testInfo) => {
  const admin = await signUp(page, testInfo);
  const email = uniqueEmail('grace');
  await inviteFromDialog(page, testInfo, 'Grace', 'Hopper', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // The mail arrives over real SMTP in the mail catcher.
  const mail = await mailTo(email);
  expect(mail.subject).toBe(`${admin.firstName} ${admin.lastName} invited you to ${admin.organization} on Roster`);
  expect(mail.text).toMatch(/expires on \d+ \w+ \d{4}, \d\d:\d\d \(Europe\/Zurich\)/);
  const href = activationPath(mail);
  await page.goto(href);
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
  // Green as well as the word and the icon.
  await expect(row.getByText(/^\W*Active$/)).toHaveClass(/badge-ok/);
  await expect(row.getByRole('cell', { name: 'Yes' })).toHaveCount(2);
});

test('a link that is not valid gets a clear page', async ({ page }, testInfo) => {
  await page.goto('/activate/not-a-real-token');
  await settled(page, testInfo);
  await expect(page.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await expectAccessible(page, testInfo);
});
