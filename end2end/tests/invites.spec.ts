import { expectAccessible, settled, signUp, uniqueEmail, watchConsole, expect, test } from './helpers';

test('the Superuser invites a user from the dialog and sees the row as Invited', async ({ page }, testInfo) => {
  // Hydration problems and script errors show up in the console.
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await expect(dialog).toBeVisible();
  await settled(page, testInfo);
  await expect(dialog.getByRole('radio', { name: /Basic/ })).toBeChecked();
  await expect(dialog.getByLabel('Time zone')).toHaveValue('Europe/Zurich');
  await expectAccessible(page, testInfo);

  // Bad input: an invalid phone for its country is shown next to the field.
  const email = uniqueEmail('grace');
  await dialog.getByLabel('First name').fill('Grace');
  await dialog.getByLabel('Last name').fill('<img src=x onerror=alert(1)>');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Country code').selectOption('CH');
  await dialog.getByLabel('Mobile phone').fill('12');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('The mobile number is not a valid number for the chosen country.')).toBeVisible();
  // An employee's hire date is required (ELMA365), said next to the field.
  await expect(page.getByText('Enter the hire date: it is required for employees.')).toBeVisible();
  await settled(page, testInfo);

  const form = page.getByRole('dialog', { name: 'Add new user' });
  await form.getByLabel('First name').fill('Grace');
  await form.getByLabel('Last name').fill('<img src=x onerror=alert(1)>');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Country code').selectOption('CH');
  await form.getByLabel('Mobile phone').fill('079 123 45 67');
  await form.getByLabel('Hire date').fill('2026-01-05');
  await form.getByRole('radio', { name: /Operator/ }).check();
  await form.getByRole('button', { name: 'Add user' }).click();

  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Invited');
  await expect(row).toContainText('Operator');
  // The name is text, never markup.
  await expect(row.getByRole('cell', { name: '<img src=x onerror=alert(1)>', exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Seats used' })).toContainText('Operator 1/5');
  expect(problems).toEqual([]);
});
