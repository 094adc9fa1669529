import { type Page, type TestInfo } from '@playwright/test';
import {
  activationPath,
  expectAccessible,
  hasJs,
  inviteFromDialog,
  mailTo,
  settled,
  signUp,
  sql,
  uniqueEmail,
  watchConsole,
  expect,
  test,
} from './helpers';

const NEW_PASSWORD = 'Tulip-Quarry-Vessel-42';

async function openDetails(page: Page, testInfo: TestInfo, name: string) {
  await page.getByRole('link', { name: `Details of ${name}` }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel).toBeVisible();
  await settled(page, testInfo);
  return panel;
}

async function filterByStatus(page: Page, testInfo: TestInfo, label: string) {
  await page.getByLabel('Status', { exact: true }).selectOption({ label });
  // Without JavaScript the filter is applied by the search form's button.
  if (!hasJs(testInfo)) await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/status=/);
  await settled(page, testInfo);
}

test('resend kills the old link; cancel frees the seat, kills the link and hides the row', async ({ page }, testInfo) => {
  // Hydration problems and script errors show up in the console.
  const problems = watchConsole(page, testInfo);
  const admin = await signUp(page, testInfo);
  const email = uniqueEmail('grace');
  await inviteFromDialog(page, testInfo, 'Grace', 'Hopper', email);
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Basic 1/10');
  const first = activationPath(await mailTo(email));

  // The row says when the link expires and that the mail left.
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Expires');
  if (hasJs(testInfo)) {
    // The table refreshes itself while a mail is on its way.
    await expect(row).toContainText('Mail sent', { timeout: 20_000 });
  } else {
    await expect(async () => {
      await page.reload();
      await expect(row).toContainText('Mail sent', { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
  }

  let panel = await openDetails(page, testInfo, 'Grace Hopper');
  await expect(panel).toContainText('Link expires');
  await expect(panel).toContainText('Mail sent');
  await expect(panel).toContainText(`${admin.firstName} ${admin.lastName}`);
  await expectAccessible(page, testInfo);
  await panel.getByRole('button', { name: 'Resend invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: `A new activation link is on its way to ${email}` })).toBeVisible();
  await settled(page, testInfo);

  const second = activationPath(await mailTo(email, (m) => m.subject.startsWith('Your new link')));
  expect(second).not.toBe(first);
  if (hasJs(testInfo)) {
    // The panel, too, follows the new mail until it has left.
    await expect(page.getByRole('dialog', { name: 'User details' })).toContainText('Mail sent', { timeout: 20_000 });
  }

  // Cancel from the same panel: the seat is free at once.
  panel = page.getByRole('dialog', { name: 'User details' });
  await panel.getByRole('button', { name: 'Cancel invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The invite was cancelled' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Basic 0/10');
  await settled(page, testInfo);
  await page.getByRole('dialog', { name: 'User details' }).getByRole('link', { name: 'Close' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await settled(page, testInfo);

  // The default list hides cancelled invites; the status filter shows them.
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);
  await filterByStatus(page, testInfo, 'Invite canceled');
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Invite canceled');

  // Both links are dead, each with its own clear page.
  await page.goto(first);
  await expect(page.getByRole('heading', { name: 'This invitation was cancelled' })).toBeVisible();
  await expect(page.getByText(`${admin.firstName} ${admin.lastName} cancelled your invitation`)).toBeVisible();
  await expectAccessible(page, testInfo);
  await page.goto(second);
  await expect(page.getByRole('heading', { name: 'This invitation was cancelled' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('a resent invite refuses the old link and the new one activates', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  const email = uniqueEmail('alan');
  await inviteFromDialog(page, testInfo, 'Alan', 'Turing', email);
  const first = activationPath(await mailTo(email));
  const panel = await openDetails(page, testInfo, 'Alan Turing');
  await panel.getByRole('button', { name: 'Resend invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'A new activation link' })).toBeVisible();
  const second = activationPath(await mailTo(email, (m) => m.subject.startsWith('Your new link')));

  await page.context().clearCookies();
  await page.goto(first);
  await expect(page.getByRole('heading', { name: 'This link has been replaced' })).toBeVisible();
  await expectAccessible(page, testInfo);
  await page.goto(second);
  await settled(page, testInfo);
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Activate account' }).click();
  await expect(page).toHaveURL(/\/account/);
});

test('an expired link shows as such and mails a fresh one on request', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  const email = uniqueEmail('katherine');
  await inviteFromDialog(page, testInfo, 'Katherine', 'Johnson', email);
  const old = activationPath(await mailTo(email));
  await sql(
    "UPDATE invites SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    [email],
  );

  // The admin sees it as expired, computed from the expiry.
  await page.reload();
  await settled(page, testInfo);
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Invite expired');
  await filterByStatus(page, testInfo, 'Invite expired');
  await expect(page.getByRole('row').filter({ hasText: email })).toBeVisible();

  // The invited person does not need the admin.
  await page.context().clearCookies();
  await page.goto(old);
  await settled(page, testInfo);
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await expectAccessible(page, testInfo);
  await page.getByRole('button', { name: 'Send me a new link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await expect(page.getByText(`We sent a new activation link to ${email}.`)).toBeVisible();

  const fresh = activationPath(await mailTo(email, (m) => m.subject.startsWith('Your new link')));
  expect(fresh).not.toBe(old);
  await page.goto(old);
  await expect(page.getByRole('heading', { name: 'This link has been replaced' })).toBeVisible();
  await page.goto(fresh);
  await settled(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Activate account' }).click();
  await expect(page).toHaveURL(/\/account/);
});
