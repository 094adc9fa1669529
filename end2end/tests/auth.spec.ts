import { expect, test } from '@playwright/test';
import { PASSWORD, expectAccessible, hasJs, open, settled, signUp, watchConsole } from './helpers';

test('sign up, see User Management, sign out, a wrong password, sign in again', async ({ page }, testInfo) => {
  const problems = watchConsole(page, testInfo);

  await open(page, '/sign-up', testInfo);
  await expectAccessible(page, testInfo);
  // With JavaScript the time zone starts at the browser's; without, at UTC.
  await expect(page.getByLabel('Time zone')).toHaveValue(hasJs(testInfo) ? 'Europe/Zurich' : 'UTC');

  const me = await signUp(page, testInfo);
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Superuser 1/1');
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Operator 0/5');
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Basic 0/10');
  const myRow = page.getByRole('row').filter({ hasText: me.email });
  await expect(myRow).toContainText('Active');
  await expect(myRow).toContainText('Superuser');
  await expect(myRow.getByRole('cell', { name: me.firstName, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'User Management' })).toHaveAttribute('aria-current', 'page');
  await expectAccessible(page, testInfo);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill('Wrong-Password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email or password is incorrect.');
  await settled(page, testInfo);

  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/users/);
  await expect(page.getByRole('row').filter({ hasText: me.email })).toBeVisible();

  expect(problems).toEqual([]);
});

test('bad sign-up input is shown next to its field and creates nothing', async ({ page }, testInfo) => {
  const taken = await signUp(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await open(page, '/sign-up', testInfo);
  await page.getByLabel('Organization name').fill('Second Org');
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel('Email').fill(taken.email.toUpperCase());
  await page.getByLabel('Password', { exact: true }).fill('weakpassword');
  await page.getByRole('button', { name: 'Create organization' }).click();

  await expect(page.getByRole('alert').first()).toContainText('Please correct the highlighted fields.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('A user with this email already exists.')).toBeVisible();
  await expect(page.getByText(/is not a known time zone/)).toBeVisible();
  await expect(page.getByText(/The password needs: an upper-case letter, a digit, a special character/)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);
  await expectAccessible(page, testInfo);

  // Nothing was created: the second organization's user cannot sign in.
  await open(page, '/sign-in', testInfo);
  await page.getByLabel('Email').fill(taken.email.toUpperCase());
  await page.getByLabel('Password').fill('weakpassword');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email or password is incorrect.');
});

test('a signed-out visitor is sent to sign in and then back to the page they asked for', async ({ page }, testInfo) => {
  const me = await signUp(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await open(page, '/settings/users?sort=email&dir=desc', testInfo);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/users\?sort=email&dir=desc/);
  await expect(page.getByRole('columnheader', { name: /Email/ })).toHaveAttribute('aria-sort', 'descending');
});
