import type { Page } from '@playwright/test';
import {
  PASSWORD,
  activateInOwnBrowser,
  expectAccessible,
  hasJs,
  inviteFromDialog,
  linkPath,
  mailTo,
  settled,
  signUp,
  uniqueEmail,
  expect,
  test,
} from './helpers';

const NEW_PASSWORD = 'Quarry-Tulip-Vessel-93';

async function signInAttempt(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}


test('five wrong passwords get the same message, lock the account, and the admin unlocks it', async ({ page, browser }, testInfo) => {
  // Two browsers, an activation and nine sign-ins.
  test.setTimeout(120_000);
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const anna = await activateInOwnBrowser(browser, email, js);
  await anna.page.getByRole('button', { name: 'Sign out' }).click();

  // Someone guesses: the same message every time, locked or not.
  for (let i = 0; i < 6; i++) {
    await signInAttempt(anna.page, email, `Wrong-Guess-${i}!`);
    await expect(anna.page.getByRole('alert')).toHaveText(/The email or password is incorrect\./);
  }
  await signInAttempt(anna.page, email, PASSWORD);
  await expect(anna.page.getByRole('alert')).toHaveText(/The email or password is incorrect\./);

  // Anna is told, with a link to take the account back.
  const lockMail = await mailTo(email, (m) => m.subject === 'Your Roster account is locked');
  expect(lockMail.text).toContain('after 5 failed sign-ins');
  linkPath(lockMail, '/recover/');

  // The admin sees it in the table and on the profile, and unlocks it.
  await page.reload();
  await settled(page, testInfo);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Active');
  await row.getByRole('link', { name: /Account is locked until/ }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('heading', { name: /Account is locked until/ })).toBeVisible();
  await expect(panel.getByText("Unlock Anna Smith's account?")).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/account-locked.png' });
  await panel.getByRole('button', { name: 'Unlock' }).click();
  await expect(panel.getByRole('status')).toContainText("Anna Smith's account is unlocked");
  await expect(row.getByText(/Account is locked/)).toHaveCount(0);

  await signInAttempt(anna.page, email, PASSWORD);
  await expect(anna.page).toHaveURL(/\/account/);
  await anna.context.close();

  await page.getByRole('dialog', { name: 'User details' }).getByRole('link', { name: 'Close' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Account locked after failed sign-ins' })).toContainText('Anna Smith');
  await expect(page.getByRole('row').filter({ hasText: 'Unlocked the account' })).toContainText('Anna Smith');
});

test('forgot password: the mail, a new password, and every old session gone', async ({ page, browser }, testInfo) => {
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const anna = await activateInOwnBrowser(browser, email, js);

  // In another browser, Anna has forgotten her password.
  const context = await browser.newContext({ javaScriptEnabled: js });
  const other = await context.newPage();
  await other.goto('/sign-in');
  await other.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(other.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await settled(other, testInfo);
  await expectAccessible(other, testInfo);
  await other.getByLabel('Email').fill(email);
  await other.getByRole('button', { name: 'Send me a link' }).click();
  await expect(other.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await settled(other, testInfo);
  await expectAccessible(other, testInfo);

  const mail = await mailTo(email, (m) => m.subject === 'Reset your Roster password');
  await other.goto(linkPath(mail, '/recover/'));
  await expect(other.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await settled(other, testInfo);
  await expectAccessible(other, testInfo);
  if (js) await other.screenshot({ path: 'screenshots/recover-password.png' });
  // Typed twice, checked as at activation.
  await other.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByLabel('Confirm password').fill('Quarry-Tulip-Vessel-94');
  await other.getByRole('button', { name: 'Set new password' }).click();
  await expect(other.getByText('The two passwords do not match.')).toBeVisible();
  await other.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Set new password' }).click();

  // The sign-in page, with her email filled in.
  await expect(other).toHaveURL(/\/sign-in/);
  await expect(other.getByRole('status')).toContainText('Your new password is set');
  await expect(other.getByLabel('Email')).toHaveValue(email);
  await other.getByLabel('Password').fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/account/);

  // Her first browser was signed out.
  await anna.page.reload();
  await expect(anna.page).toHaveURL(/\/sign-in/);
  await mailTo(email, (m) => m.subject === 'Your Roster password was changed');
  await context.close();
  await anna.context.close();
});

test('an admin sends a recovery link from the profile and sees its mail leave', async ({ page, browser }, testInfo) => {
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const anna = await activateInOwnBrowser(browser, email, js);
  await anna.context.close();

  await page.reload();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Details of Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await settled(page, testInfo);
  await panel.getByRole('button', { name: 'Recover password' }).click();
  await expect(panel.getByRole('status')).toContainText(`A link to choose a new password is on its way to ${email}`);
  await expect(panel.getByText('Latest recovery mail')).toBeVisible();
  const mail = await mailTo(email, (m) => m.subject === 'Choose a new Roster password');
  expect(mail.text).toContain('an admin of');
  if (js) {
    // The panel follows the mail until it has left.
    await expect(panel).toContainText('Mail sent');
  }
});
