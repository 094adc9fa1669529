import { activateInOwnBrowser, expectAccessible, hasJs, inviteFromDialog, settled, signUp, uniqueEmail, expect, test } from './helpers';

test('Active users shows who is signed in, live, and "Sign out" sends their browser to the sign-in page', async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Active users' }).click();
  await expect(page.getByRole('heading', { name: 'Active users', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'This session' })).toBeVisible();
  await settled(page, testInfo);

  // Anna activates her account in her own browser and is signed in.
  const anna = await activateInOwnBrowser(browser, email, js);
  const row = page.getByRole('row').filter({ hasText: email });
  if (js) {
    // The open page finds her by itself, without a reload.
    await expect(row).toBeVisible({ timeout: 15_000 });
  } else {
    await page.reload();
    await expect(row).toBeVisible();
  }
  await expect(row).toContainText('Anna Smith');
  await expect(row).toContainText('just now');
  await expect(row).toContainText('127.0.0.1');
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/active-users.png', fullPage: true });

  await row.getByRole('button', { name: /^Sign out Anna Smith \(/ }).click();
  await expect(page.getByRole('status').filter({ hasText: "Anna Smith's session is signed out" })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);

  // Her next click lands on the sign-in page.
  await anna.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'My dashboards' }).click();
  await expect(anna.page).toHaveURL(/\/sign-in/);
  await expect(anna.page.getByRole('heading', { name: /Sign in/ })).toBeVisible();
  await anna.context.close();
});
