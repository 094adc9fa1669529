import { expectAccessible, hasJs, inviteFromDialog, settled, signUp, sql, uniqueEmail, watchConsole, expect, test } from './helpers';

test('an external user is invited from their own list, kept apart from employees, and never made Superuser', async ({ page }, testInfo) => {
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'External users' }).click();
  await expect(page.getByRole('heading', { name: 'External users', level: 1 })).toBeVisible();
  await settled(page, testInfo);

  await page.getByRole('link', { name: 'Add external user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  // Opened here, the invite is for an external user, who needs no hire date.
  await expect(dialog.getByRole('radio', { name: /External user/ })).toBeChecked();
  const email = uniqueEmail('carol');
  await dialog.getByLabel('First name').fill('Carol');
  await dialog.getByLabel('Last name').fill('Partner');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/external-users/);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Invited');
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  // Her details say what she is.
  await row.getByRole('link', { name: 'Details of Carol Partner' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('definition').filter({ hasText: 'External user' })).toBeVisible();
  await panel.getByRole('link', { name: 'Close' }).click();
  await expect(page).toHaveURL(/\/settings\/external-users$/);

  // User Management lists employees only.
  await nav.getByRole('link', { name: 'User Management' }).click();
  await expect(page.getByRole('heading', { name: 'User Management', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);

  // Active, she still cannot be handed the Superuser role: the panel says why.
  await sql("UPDATE users SET status = 'active', activated_at = now() WHERE email = $1", [email]);
  await nav.getByRole('link', { name: 'External users' }).click();
  await expect(page.getByRole('heading', { name: 'External users', level: 1 })).toBeVisible();
  await page.getByRole('row').filter({ hasText: email }).getByRole('link', { name: 'Details of Carol Partner' }).click();
  await expect(panel.getByText('External users can never become the Superuser or serve the user menu.')).toBeVisible();
  await expect(panel.getByRole('link', { name: 'Make Superuser' })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('an admin creates a group, adds and removes members, puts a new user in it, and deletes it', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Groups', level: 1 })).toBeVisible();
  await expect(page.getByText('No groups yet.')).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  // A name is required; the error sits next to the field.
  const create = page.getByRole('region', { name: 'New group' });
  await create.getByRole('button', { name: 'Create group' }).click();
  // The browser's own check stops an empty name first.
  await expect(create.getByLabel('Name')).toHaveJSProperty('validity.valueMissing', true);
  await create.getByLabel('Name').fill('Berlin office');
  await create.getByLabel('Description').fill('Everyone at the Berlin site');
  await create.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { name: 'Berlin office', level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'The group is created. Add its members below.' })).toBeVisible();
  await settled(page, testInfo);

  // Invite Anna into the group from User Management.
  const email = uniqueEmail('anna');
  await nav.getByRole('link', { name: 'User Management' }).click();
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill('Anna');
  await dialog.getByLabel('Last name').fill('Smith');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  await dialog.getByRole('group', { name: 'Groups' }).getByRole('checkbox', { name: 'Berlin office' }).check();
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await settled(page, testInfo);

  // Her details link to the group; its page lists her.
  await page.getByRole('row').filter({ hasText: email }).getByRole('link', { name: 'Details of Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await panel.getByRole('link', { name: 'Berlin office' }).click();
  await expect(page.getByRole('heading', { name: 'Berlin office', level: 1 })).toBeVisible();
  await expect(page.getByText('Everyone at the Berlin site · 1 member')).toBeVisible();
  const members = page.getByRole('table', { name: 'Users of your organization' });
  await expect(members.getByRole('row').filter({ hasText: email })).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);

  // "Add members" finds the Superuser (not a member yet) and adds her.
  const add = page.getByRole('region', { name: 'Add members' });
  await add.getByLabel('Find people to add').fill('Ada');
  await add.getByRole('button', { name: 'Find' }).click();
  await add.getByRole('button', { name: 'Add Ada Lovelace to the group' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Ada Lovelace was added to the group.' })).toBeVisible();
  await expect(page.getByText('Everyone at the Berlin site · 2 members')).toBeVisible();
  await expect(members.getByRole('row').filter({ hasText: 'Lovelace' })).toBeVisible();
  await expect(add.getByText('Nobody outside the group matches “Ada”.')).toBeVisible();
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/group.png', fullPage: true });

  // Remove Anna: she stays a user.
  await settled(page, testInfo);
  await members.getByRole('button', { name: 'Remove Anna Smith from the group' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Anna Smith was removed from the group.' })).toBeVisible();
  await expect(members.getByRole('row').filter({ hasText: email })).toHaveCount(0);

  // Delete the group, after confirming.
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Delete group' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete the group “Berlin office”?' });
  await expect(confirm).toContainText('Its one member stays a user of your organization');
  await confirm.getByRole('button', { name: 'Delete group' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The group “Berlin office” was deleted.' })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/groups\?deleted=/);
  await nav.getByRole('link', { name: 'User Management' }).click();
  await expect(page.getByRole('row').filter({ hasText: email })).toBeVisible();
  expect(problems).toEqual([]);
});

test('advanced search narrows User Management by role and date, keeps it in the address, and says how many match', async ({ page }, testInfo) => {
  const problems = watchConsole(page, testInfo);
  const admin = await signUp(page, testInfo);
  await inviteFromDialog(page, testInfo, 'Olga', 'Petrova', uniqueEmail('olga'));
  await sql("UPDATE users SET role = 'operator', department = 'Quality' WHERE first_name = 'Olga' AND email LIKE 'olga%'");

  const search = page.getByRole('search');
  await search.locator('summary').click();
  await search.getByLabel('Role').selectOption('Operator');
  await search.getByLabel('Department').fill('quality');
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/role=operator/);
  await expect(page).toHaveURL(/department=quality/);
  const table = page.getByRole('table', { name: 'Users of your organization' });
  await expect(table.getByRole('row').filter({ hasText: 'Petrova' })).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: admin.email })).toHaveCount(0);
  await expect(page.getByText(/1 shown of 1 matching/)).toBeVisible();
  await expect(search.getByText('Filters (2 on)')).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/advanced-search.png', fullPage: true });

  // A date that is not one is named next to its field.
  await search.getByLabel('Created from').fill('2026-12-31');
  await search.getByLabel('Created until').fill('2026-01-01');
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Created until cannot be before Created from.' })).toBeVisible();
  // …next to the field itself, which is marked invalid.
  await expect(search.getByText('Created until cannot be before Created from.')).toBeVisible();
  await expect(search.getByLabel('Created until')).toHaveAttribute('aria-invalid', 'true');
  await expect(search.getByLabel('Created from')).toHaveAttribute('aria-invalid', 'false');

  // Clearing keeps the search and drops every filter.
  await search.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/settings\/users$/);
  await expect(table.getByRole('row').filter({ hasText: admin.email })).toBeVisible();
  expect(problems).toEqual([]);
});

test('the org chart: build it, move a position by drag and by keyboard, give it to someone, find them in User Management', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const js = hasJs(testInfo);
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Org chart' }).click();
  await expect(page.getByRole('heading', { name: 'Org chart', level: 1 })).toBeVisible();
  await expect(page.getByText('No positions yet. Add the first one below.')).toBeVisible();
  await settled(page, testInfo);

  await page.getByLabel('New top position').fill('CEO');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'CEO', level: 2 })).toBeVisible();
  await settled(page, testInfo);
  for (const name of ['CTO', 'CFO']) {
    await page.getByLabel('New sub-position').fill(name);
    await page.getByRole('button', { name: 'Add', exact: true }).last().click();
    await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
    await page.getByRole('tree', { name: 'Org chart' }).getByRole('link', { name: 'CEO' }).click();
    await expect(page.getByRole('heading', { name: 'CEO', level: 2 })).toBeVisible();
    await settled(page, testInfo);
  }
  const tree = page.getByRole('tree', { name: 'Org chart' });
  await expect(tree.getByRole('treeitem')).toHaveCount(3);
  await expect(tree.getByRole('treeitem', { name: /CTO/ })).toHaveAttribute('aria-level', '2');
  await expectAccessible(page, testInfo);

  // CFO goes under CTO: by dragging, or by name without JavaScript.
  if (js) {
    // Headless Chromium here starts no native drag from mouse moves, so the
    // drag's events are sent as a browser sends them.
    const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
    await tree.getByRole('treeitem', { name: /CFO/ }).dispatchEvent('dragstart', { dataTransfer });
    await tree.getByRole('treeitem', { name: /CTO/ }).dispatchEvent('dragover', { dataTransfer });
    await tree.getByRole('treeitem', { name: /CTO/ }).dispatchEvent('drop', { dataTransfer });
  } else {
    await tree.getByRole('link', { name: 'CFO' }).click();
    await page.getByLabel('Move under').fill('cto');
    await page.getByRole('button', { name: 'Move', exact: true }).click();
  }
  await expect(page.getByRole('status').filter({ hasText: 'The position is moved, with everything below it.' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: /CFO/ })).toHaveAttribute('aria-level', '3');
  await settled(page, testInfo);

  if (js) {
    // The keyboard: arrows walk the tree; Ctrl+X on CFO, Ctrl+V on CEO moves it back up.
    await tree.getByRole('treeitem', { name: /CEO/ }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(tree.getByRole('treeitem', { name: /CTO/ })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(tree.getByRole('treeitem', { name: /CFO/ })).toBeFocused();
    await page.keyboard.press('Control+x');
    await expect(page.getByText('CFO is ready to move')).toBeAttached();
    await page.keyboard.press('Home');
    await expect(tree.getByRole('treeitem', { name: /CEO/ })).toBeFocused();
    await page.keyboard.press('Control+v');
    await expect(tree.getByRole('treeitem', { name: /CFO/ })).toHaveAttribute('aria-level', '2');
    // Left closes a branch, Right opens it again.
    await tree.getByRole('treeitem', { name: /CEO/ }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(tree.getByRole('treeitem')).toHaveCount(1);
    await page.keyboard.press('ArrowRight');
    await expect(tree.getByRole('treeitem')).toHaveCount(3);
    await page.screenshot({ path: 'screenshots/org-chart.png', fullPage: true });
  }

  // CTO cannot go under a position below it.
  await tree.getByRole('link', { name: 'CEO' }).click();
  await expect(page.getByRole('heading', { name: 'CEO', level: 2 })).toBeVisible();
  await settled(page, testInfo);
  await page.getByLabel('Move under').fill('CTO');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByText('A position cannot go under itself or under one of its own sub-positions.')).toBeVisible();

  // Give CTO to Ada, then find her in User Management by the CEO's subtree.
  await tree.getByRole('link', { name: 'CTO' }).click();
  await expect(page.getByRole('heading', { name: 'CTO', level: 2 })).toBeVisible();
  await settled(page, testInfo);
  await page.getByLabel('Give this position to').fill('Ada');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByRole('button', { name: 'Give the position to Ada Lovelace' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The position is given.' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Holders' })).toContainText('Ada Lovelace');
  await tree.getByRole('link', { name: 'CEO' }).click();
  await expect(page.getByRole('heading', { name: 'CEO', level: 2 })).toBeVisible();
  await settled(page, testInfo);
  await page.getByRole('link', { name: /See the holders of this position/ }).click();
  await expect(page.getByRole('heading', { name: 'User Management', level: 1 })).toBeVisible();
  await expect(page.getByText(/1 shown of 1 matching/)).toBeVisible();
  await expect(page.getByText('Showing the holders of a position and of every position below it.')).toBeVisible();

  // A position someone holds cannot be deleted.
  await nav.getByRole('link', { name: 'Org chart' }).click();
  await tree.getByRole('link', { name: 'CTO' }).click();
  await expect(page.getByRole('heading', { name: 'CTO', level: 2 })).toBeVisible();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Delete position' }).click();
  await page.getByRole('alertdialog', { name: 'Delete “CTO”?' }).getByRole('button', { name: 'Delete position' }).click();
  await expect(page.getByText(/“CTO” cannot be deleted yet: .*remove its 1 holder\./)).toBeVisible();
  expect(problems).toEqual([]);
});

test('Additional data: a field defined in Settings appears in the invite and the profile; the edit form adds a messenger', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Additional data' }).click();
  await expect(page.getByRole('heading', { name: 'Additional data', level: 1 })).toBeVisible();
  await settled(page, testInfo);
  const form = page.getByRole('region', { name: 'New field' });
  await form.getByLabel('Name').fill('Shirt size');
  await form.getByLabel('Type').selectOption('Choice from a list');
  await form.getByLabel('Options').fill('S\nM');
  await form.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The field is added.' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Shirt size' })).toContainText('Choice from a list: S, M');
  await expectAccessible(page, testInfo);

  // The invite dialog asks for it; a wrong Telegram name is named by its row.
  const email = uniqueEmail('grace');
  await nav.getByRole('link', { name: 'User Management' }).click();
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill('Grace');
  await dialog.getByLabel('Last name').fill('Hopper');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  await dialog.getByLabel('Shirt size').selectOption('M');
  await dialog.getByLabel('Service 1').selectOption('Telegram');
  await dialog.getByLabel('Account 1').fill('@ab');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('A Telegram username has 5 to 32 letters')).toBeVisible();
  await settled(page, testInfo);
  const again = page.getByRole('dialog', { name: 'Add new user' });
  await again.getByLabel('First name').fill('Grace');
  await again.getByLabel('Last name').fill('Hopper');
  await again.getByLabel('Email').fill(email);
  await again.getByLabel('Hire date').fill('2026-01-05');
  await again.getByLabel('Shirt size').selectOption('M');
  await again.getByLabel('Service 1').selectOption('Telegram');
  await again.getByLabel('Account 1').fill('@grace_h');
  await again.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await settled(page, testInfo);

  // The profile shows both; the edit form adds a work phone.
  await page.getByRole('row').filter({ hasText: email }).getByRole('link', { name: 'Details of Grace Hopper' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await expect(panel.getByRole('link', { name: 'Telegram: @grace_h' })).toHaveAttribute('href', 'https://t.me/grace_h');
  await expect(panel.getByRole('definition').filter({ hasText: /^M$/ })).toBeVisible();
  await panel.getByRole('link', { name: 'Close' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('row').filter({ hasText: email }).getByRole('link', { name: 'Edit Grace Hopper' }).click();
  await settled(page, testInfo);
  await panel.getByLabel('Work phone').fill('+49 30 1234567');
  await panel.getByLabel('Extension').fill('89');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('definition').filter({ hasText: '+49 30 1234567 ext. 89' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('a photo uploaded from the edit form shows in the table and the profile; a file that is no image is named', async ({ page }, testInfo) => {
  const problems = watchConsole(page, testInfo);
  await signUp(page, testInfo);
  const email = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', email);
  const row = page.getByRole('row').filter({ hasText: email });
  await row.getByRole('link', { name: 'Edit Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  await settled(page, testInfo);
  await panel.getByLabel('Photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await panel.getByRole('button', { name: 'Upload photo' }).click();
  await expect(panel.getByText('The photo must be a JPEG, PNG or WebP image.')).toBeVisible();
  await settled(page, testInfo);
  await panel.getByLabel('Photo').setInputFiles('fixtures/photo.png');
  await panel.getByRole('button', { name: 'Upload photo' }).click();
  await expect(page.getByRole('status').filter({ hasText: "Anna Smith's photo is saved." })).toBeVisible();
  const avatar = page.getByRole('row').filter({ hasText: email }).locator('img.avatar');
  await expect(avatar).toHaveAttribute('src', /\/photos\/.+\?v=/);
  await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(256);
  if (hasJs(testInfo)) await page.screenshot({ path: 'screenshots/user-photo.png', fullPage: true });
  expect(problems).toEqual([]);
});
