import { PASSWORD, expectAccessible, mailTo, settled, signUp, expect, test } from './helpers';

const NEW_PASSWORD = 'Tulip-Quarry-Vessel-42';

test('your account: edit your name and time zone, change your password', async ({ page }, testInfo) => {
  const me = await signUp(page, testInfo);
  await page.getByRole('link', { name: 'Your account' }).click();
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  const profile = page.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('First name').fill('Augusta Ada');
  await profile.getByLabel('Time zone').fill('Asia/Tokyo');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your profile is saved.' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(`Augusta Ada ${me.lastName}`);
  await settled(page, testInfo);

  const password = page.getByRole('region', { name: 'Change password' });
  await password.getByLabel('Current password').fill('Wrong-Password-1!');
  await password.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await password.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await password.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The current password is incorrect.')).toBeVisible();
  await settled(page, testInfo);

  const again = page.getByRole('region', { name: 'Change password' });
  await again.getByLabel('Current password').fill(PASSWORD);
  await again.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await again.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await again.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed.' })).toBeVisible();
  const mail = await mailTo(me.email, (m) => m.subject === 'Your Roster password was changed');
  expect(mail.text).not.toContain(NEW_PASSWORD);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await settled(page, testInfo);
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/users/);
});
