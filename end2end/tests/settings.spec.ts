import { PASSWORD, activateInOwnBrowser, expectAccessible, hasJs, inviteFromDialog, linkPath, mailTo, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('the Superuser changes the lockout and the password policy on the Security page', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  const threshold = page.getByLabel('Failed sign-ins before the lock');
  await expect(threshold).toHaveValue('5');
  await expect(page.getByLabel('After a time (set below)')).toBeChecked();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/security-settings.png', fullPage: true });

  // The browser stops an out-of-range number itself (the server says the
  // same next to the field for a client that does not; a Rust test).
  await expect(threshold).toHaveAttribute('min', '3');
  await expect(threshold).toHaveAttribute('max', '100');
  await expect(page.getByText('From 3 to 100 attempts.')).toBeVisible();

  await page.getByLabel('Failed sign-ins before the lock').fill('4');
  await page.getByLabel('Only when an admin unlocks it, or its owner chooses a new password').check();
  await page.getByLabel(/At least 15 characters, no other rules/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The security settings are saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Failed sign-ins before the lock')).toHaveValue('4');
  await expect(page.getByLabel('Only when an admin unlocks it, or its owner chooses a new password')).toBeChecked();
  await expect(page.getByLabel(/At least 15 characters, no other rules/)).toBeChecked();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Changed the security settings' })).toContainText('5 → 4');
});

test('with email changes allowed, a new address waits for its owner to confirm it', async ({ page, browser }, testInfo) => {
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const anna = await activateInOwnBrowser(browser, email, js);
  await anna.context.close();

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
  await page.getByLabel("Admins may change a user's email address").check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The security settings are saved.' })).toBeVisible();

  await page.getByRole('link', { name: 'User Management' }).click();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Edit Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await settled(page, testInfo);
  const newEmail = uniqueEmail('anna.new');
  await panel.getByLabel('Email').fill(newEmail);
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('status')).toContainText("Anna Smith's profile is saved.");
  await expect(panel.getByText(`pending: ${newEmail}`)).toBeVisible();
  await mailTo(email, (m) => m.subject === 'A change of your Roster email address was requested');

  const mail = await mailTo(newEmail, (m) => m.subject.startsWith('Confirm your new email address'));
  const path = linkPath(mail, '/confirm-email/');
  const context = await browser.newContext({ javaScriptEnabled: js });
  const owner = await context.newPage();
  await owner.goto(path);
  await expect(owner.getByRole('heading', { name: 'Confirm your new email address' })).toBeVisible();
  await settled(owner, testInfo);
  await expectAccessible(owner, testInfo);
  await owner.getByRole('button', { name: 'Confirm new address' }).click();
  await expect(owner).toHaveURL(/\/sign-in/);
  await expect(owner.getByRole('status')).toContainText('Your new email address is confirmed');
  await expect(owner.getByLabel('Email')).toHaveValue(newEmail);
  await owner.getByLabel('Password').fill(PASSWORD);
  await owner.getByRole('button', { name: 'Sign in' }).click();
  await expect(owner).toHaveURL(/\/account/);
  await context.close();
});
