import {
  PASSWORD,
  choosePassword,
  confirmationPath,
  expectAccessible,
  hasJs,
  mailTo,
  open,
  requestSignUp,
  settled,
  signUp,
  uniqueEmail,
  watchConsole,
  expect,
  test,
} from './helpers';

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

test('bad sign-up input is shown next to its field; an address with an account gets the same answer', async ({ page }, testInfo) => {
  const taken = await signUp(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await open(page, '/sign-up', testInfo);
  await page.getByLabel('Organization name').fill('Second Org');
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel('Email').fill(uniqueEmail('grace'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Please correct the highlighted fields.');
  await expect(page.getByLabel('Time zone')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/is not a known time zone/)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);
  await expectAccessible(page, testInfo);

  // An address that has an account: the same "Check your email" as any
  // other; its owner is told by mail, and nothing can be created with it.
  const registrant = { organization: 'Second Org', email: taken.email.toUpperCase(), firstName: 'Grace', lastName: 'Hopper' };
  await requestSignUp(page, testInfo, registrant);
  await expect(page).toHaveURL(/\/sign-up\/sent/);
  const notice = await mailTo(taken.email, (m) => m.subject.startsWith('Someone tried'));
  expect(notice.text).toContain('/sign-in');
  expect(notice.text).not.toContain('/sign-up/confirm/');
});

test('the confirmation page refuses a weak password next to its field, then creates the organization once', async ({ page }, testInfo) => {
  const registrant = { organization: 'Weak Co', email: uniqueEmail('grace'), firstName: 'Grace', lastName: 'Hopper' };
  await requestSignUp(page, testInfo, registrant);
  await expectAccessible(page, testInfo);
  const mail = await mailTo(registrant.email, (m) => m.subject.startsWith('Confirm your email'));
  await open(page, confirmationPath(mail), testInfo);
  await expect(page.getByRole('heading', { name: 'Create Weak Co' })).toBeVisible();
  await expect(page.getByText(`sign in as ${registrant.email}`)).toBeVisible();
  await expectAccessible(page, testInfo);

  await choosePassword(page, 'weakpassword');
  await expect(page.getByText(/The password needs: an upper-case letter, a digit, a special character/)).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/sign-up\/confirm\//);
  await settled(page, testInfo);
  await choosePassword(page, PASSWORD, 'Correct-Horse-43');
  await expect(page.getByText('The two passwords do not match.')).toBeVisible();
  await settled(page, testInfo);
  await choosePassword(page, PASSWORD);
  await expect(page).toHaveURL(/\/settings\/users/);
  await expect(page.getByRole('row').filter({ hasText: registrant.email })).toContainText('Superuser');

  // The link works once.
  await open(page, confirmationPath(mail), testInfo);
  await expect(page.getByRole('heading', { name: 'This organization already exists' })).toBeVisible();
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
