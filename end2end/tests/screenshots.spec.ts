import { PASSWORD, activationPath, choosePassword, confirmationPath, expectAccessible, inviteFromDialog, mailTo, open, requestSignUp, settled, signUp, sql, uniqueEmail, expect, test } from './helpers';

// Screenshots of every page, for a human to look at (end2end/screenshots/).
// Runs in the JavaScript project only (see playwright.config.ts).
test('screenshots of every page', async ({ page }, testInfo) => {
  // Some thirty pages and screenshots in one test.
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const shot = (name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

  await open(page, '/sign-up', testInfo);
  await shot('sign-up');
  await open(page, '/sign-in', testInfo);
  await shot('sign-in');
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('Wrong-1!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shot('sign-in-error');
  const registrant = { organization: 'Analytical Engines', email: uniqueEmail('ada'), firstName: 'Ada', lastName: 'Lovelace' };
  await requestSignUp(page, testInfo, registrant);
  await shot('sign-up-sent');
  const confirmation = await mailTo(registrant.email, (m) => m.subject.startsWith('Confirm your email'));
  await open(page, confirmationPath(confirmation), testInfo);
  await shot('sign-up-confirm');
  await choosePassword(page, PASSWORD);
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  await settled(page, testInfo);
  await shot('user-management');
  await page.getByRole('link', { name: 'Add new user' }).click();
  await expect(page.getByRole('dialog', { name: 'Add new user' })).toBeVisible();
  await shot('invite-dialog');
  const email = uniqueEmail('shot');
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await dialog.getByLabel('First name').fill('Grace');
  await dialog.getByLabel('Last name').fill('Hopper');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible();
  await shot('user-management-invited');
  const first = activationPath(await mailTo(email));
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Mail sent', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Details of Grace Hopper' }).click();
  await expect(page.getByRole('dialog', { name: 'User details' })).toContainText('Link expires');
  await settled(page, testInfo);
  await shot('user-details');
  await page.getByRole('button', { name: 'Resend invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'A new activation link' })).toBeVisible();
  await settled(page, testInfo);
  await shot('user-details-resent');
  await page.goto('/settings/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await settled(page, testInfo);
  await shot('audit-log');
  const second = activationPath(await mailTo(email, (m) => m.subject.startsWith('Your new link')));

  await page.context().clearCookies();
  await open(page, first, testInfo);
  await expect(page.getByRole('heading', { name: 'This link has been replaced' })).toBeVisible();
  await shot('activation-replaced');
  await open(page, second, testInfo);
  await expect(page.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  await shot('activation');
  await sql("UPDATE invites SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE email = $1)", [email]);
  await open(page, second, testInfo);
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await shot('activation-expired');
  await page.getByRole('button', { name: 'Send me a new link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await shot('activation-new-link-sent');

  // An organization with a cancelled and an expired invite, filtered.
  await signUp(page, testInfo);
  const alan = uniqueEmail('alan');
  await inviteFromDialog(page, testInfo, 'Alan', 'Turing', alan);
  const katherine = uniqueEmail('katherine');
  await inviteFromDialog(page, testInfo, 'Katherine', 'Johnson', katherine);
  const edsger = uniqueEmail('edsger');
  await inviteFromDialog(page, testInfo, 'Edsger', 'Dijkstra', edsger);
  await page.getByRole('link', { name: 'Details of Alan Turing' }).click();
  await settled(page, testInfo);
  await page.getByRole('button', { name: 'Cancel invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The invite was cancelled' })).toBeVisible();
  await settled(page, testInfo);
  await shot('user-details-cancelled');
  await sql(
    "UPDATE invites SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    [katherine],
  );
  // How a delivery problem looks (the retry itself is tested in tests/mail.rs).
  const edsgerLink = activationPath(await mailTo(edsger));
  await sql(
    "UPDATE outbox SET state = 'retrying', attempts = 3, sent_at = NULL, next_attempt_at = now() + interval '1 day', " +
      "last_error = 'Connection error: Connection refused (os error 111)' WHERE recipient = $1",
    [edsger],
  );
  await open(page, '/settings/users?status=all', testInfo);
  await shot('user-management-all-statuses');
  // Every column stays in view on common laptop widths (1366 px is the
  // narrowest in wide use): the table wraps names, dates and emails rather
  // than scrolling sideways. Narrower windows scroll the table, not the page.
  for (const width of [1440, 1366]) {
    await page.setViewportSize({ width, height: 900 });
    const table = page.getByRole('table');
    // The table's scroll container is its parent.
    const overflow = await table.evaluate((el) => el.parentElement!.scrollWidth - el.parentElement!.clientWidth);
    expect(overflow, `the user table scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    await expect(page.getByRole('columnheader', { name: /Last sign-in/ })).toBeInViewport({ ratio: 1 });
  }
  await shot('user-management-1366');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByRole('link', { name: 'Details of Edsger Dijkstra' }).click();
  await expect(page.getByRole('dialog', { name: 'User details' })).toContainText('Mail retrying after 3 attempts');
  await settled(page, testInfo);
  await shot('user-details-retrying');
  const cancelled = activationPath(await mailTo(alan));
  await page.context().clearCookies();
  await open(page, cancelled, testInfo);
  await expect(page.getByRole('heading', { name: 'This invitation was cancelled' })).toBeVisible();
  await shot('activation-cancelled');
  await open(page, edsgerLink, testInfo);
  await page.getByLabel('Password', { exact: true }).fill('Tulip-Quarry-Vessel-42');
  await page.getByLabel('Confirm password').fill('Tulip-Quarry-Vessel-42');
  await page.getByRole('button', { name: 'Activate account' }).click();
  await expect(page).toHaveURL(/\/account/);
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await shot('account');
  await page.context().clearCookies();
  await open(page, edsgerLink, testInfo);
  await expect(page.getByRole('heading', { name: 'This link has already been used' })).toBeVisible();
  await shot('activation-used');

  // The development mailbox, on the server without SMTP.
  await open(page, `${process.env.ROSTER_DEV_URL ?? 'http://127.0.0.1:3101'}/dev/mailbox`, testInfo);
  await shot('dev-mailbox');
  await open(page, '/activate/not-a-real-token', testInfo);
  await expect(page.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await shot('activation-invalid');
  await open(page, '/no-such-page', testInfo);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, testInfo);
  await shot('not-found');
});
