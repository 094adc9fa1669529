import { expectAccessible, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

// The development mailbox is what `make run` uses instead of SMTP. `make
// test` runs a second Roster without SMTP for it (ROSTER_DEV_URL); the main
// server under test sends real SMTP and has no mailbox (tests/mail.rs
// proves the mailbox is closed whenever SMTP is configured).
const devURL = process.env.ROSTER_DEV_URL ?? 'http://127.0.0.1:3101';
test.use({ baseURL: devURL });

test('without SMTP the mail lands in the development mailbox, with its link clickable', async ({ page }, testInfo) => {
  const admin = await signUp(page, testInfo, { via: 'dev-mailbox' });
  const email = uniqueEmail('grace');
  await inviteFromDialog(page, testInfo, 'Grace', '<img src=x onerror=alert(1)>', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  const mail = page.getByRole('article', { name: `Mail to ${email}` });
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await settled(page, testInfo);
  await expect(mail).toContainText(`${admin.firstName} ${admin.lastName} invited you to ${admin.organization}`);
  await expectAccessible(page, testInfo);
  await mail.getByRole('link', { name: /\/activate\// }).click();
  await settled(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  // The name arrived as text, never as markup.
  await expect(page.getByLabel('Last name')).toHaveValue('<img src=x onerror=alert(1)>');
});
