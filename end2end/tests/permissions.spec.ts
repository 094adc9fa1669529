import { activateInOwnBrowser, expectAccessible, hasJs, inviteFromDialog, settled, signUp, sql, uniqueEmail, watchConsole, expect, test } from './helpers';

test('an Operator given "Serving user menu" opens User Management and invites a Basic user but cannot delete one', async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const js = hasJs(testInfo);
  await signUp(page, testInfo);

  // The Roles page: what each role holds unless a user's settings differ.
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Roles' }).click();
  await expect(page.getByRole('heading', { name: 'Roles', level: 1 })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Basic: Download reports' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Basic: Serving user menu' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Superuser: Invoices & Cards (always)' })).toBeDisabled();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/roles.png', fullPage: true });

  // Olga joins as an Operator: no User Management for her yet.
  await nav.getByRole('link', { name: 'User Management' }).click();
  await settled(page, testInfo);
  const olgaEmail = uniqueEmail('olga');
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill('Olga');
  await dialog.getByLabel('Last name').fill('Petrova');
  await dialog.getByLabel('Email').fill(olgaEmail);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  await dialog.getByRole('radio', { name: /Operator/ }).check();
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${olgaEmail}` })).toBeVisible();
  const olga = await activateInOwnBrowser(browser, olgaEmail, js);
  const olgaNav = olga.page.getByRole('navigation', { name: 'Settings' });
  await expect(olga.page.getByRole('heading', { name: 'My access' })).toBeVisible();
  await expect(olga.page.getByText('You cannot Serving user menu: the role Operator does not grant it')).toBeVisible();
  await expect(olgaNav.getByRole('link', { name: 'User Management' })).toHaveCount(0);

  // The Superuser grants it from the user table's Access Settings column.
  await page.reload();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Access settings of Olga Petrova: Operator defaults' }).click();
  await expect(page.getByRole('heading', { name: 'Access settings: Olga Petrova' })).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  await page.getByLabel('Setting for Serving user menu').selectOption('granted');
  await page.getByRole('button', { name: 'Save access settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The access settings are saved.' })).toBeVisible();
  await expect(page.getByText(/^Olga can Serving user menu: a per-user grant by Ada Lovelace on \d{4}-\d\d-\d\d overrides the role Operator$/)).toBeVisible();
  await expect(page.getByText('Operator · Operator defaults + 1')).toBeVisible();
  if (js) await page.screenshot({ path: 'screenshots/user-access.png', fullPage: true });

  // Olga's next page follows: User Management is hers, for Basic and Operator users.
  await olga.page.reload();
  await expect(olga.page.getByText(/^You can Serving user menu: a per-user grant by Ada Lovelace/)).toBeVisible();
  await olgaNav.getByRole('link', { name: 'User Management' }).click();
  await expect(olga.page.getByRole('heading', { name: 'User Management', level: 1 })).toBeVisible();
  await settled(olga.page, testInfo);
  await inviteFromDialog(olga.page, testInfo, 'Grace', 'Hopper', uniqueEmail('grace'));
  await expect(olga.page.getByRole('link', { name: 'Edit Grace Hopper' })).toBeVisible();
  // Deleting and the Superuser stay the Superuser's.
  await expect(olga.page.getByRole('link', { name: /^Delete / })).toHaveCount(0);
  await expect(olga.page.getByRole('link', { name: 'Edit Ada Lovelace' })).toHaveCount(0);
  await expect(olgaNav.getByRole('link', { name: 'Roles' })).toHaveCount(0);
  await olga.context.close();
});

test('the Superuser creates an API key, sees it once, and a system asks with it who may do what', async ({ page, request }, testInfo) => {
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await expect(page.getByText('No API keys yet.')).toBeVisible();
  await settled(page, testInfo);
  await page.getByLabel('Name').fill('Sensor alerts');
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByRole('status').filter({ hasText: 'Copy it now: it is not shown again.' });
  await expect(shown).toBeVisible();
  const key = await page.getByLabel('Key', { exact: true }).inputValue();
  expect(key).toMatch(/^roster_/);
  await expect(page.getByRole('row').filter({ hasText: 'Sensor alerts' })).toContainText('Never');
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/api-keys.png', fullPage: true });

  // A system asks: the Superuser may do everything.
  const me = await request.get('/api/v1/users?permission=invoices', { headers: { Authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  const holders = await me.json();
  expect(holders.users).toHaveLength(1);
  const check = await request.get(`/api/v1/permissions/check?user=${encodeURIComponent(holders.users[0].email)}&permission=invoices`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(await check.json()).toMatchObject({ allowed: true, explanation: 'Ada can do everything: Superuser' });

  // The key is shown once: a reload no longer has it; revoking refuses it.
  await page.reload();
  await expect(shown).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke Sensor alerts' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The key is revoked' })).toBeVisible();
  const refused = await request.get('/api/v1/users?permission=invoices', { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
});

test('the Superuser grants a permission in the access matrix with the keyboard, the user and the API see it, and Undo takes it back', async ({ page, browser, request }, testInfo) => {
  test.setTimeout(120_000);
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });

  // A key for the API, first.
  await nav.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill('Invoicing');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByLabel('Key', { exact: true }).inputValue();
  const ask = async (email: string) => {
    const response = await request.get(`/api/v1/permissions/check?user=${encodeURIComponent(email)}&permission=invoices`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    return response.json();
  };

  await nav.getByRole('link', { name: 'User Management' }).click();
  await settled(page, testInfo);
  const annaEmail = uniqueEmail('anna');
  await inviteFromDialog(page, testInfo, 'Anna', 'Smith', annaEmail);
  const anna = await activateInOwnBrowser(browser, annaEmail, js);
  await expect(anna.page.getByText('You cannot Invoices & Cards: the role Basic does not grant it')).toBeVisible();

  await page.getByRole('link', { name: 'Show Access Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Access Settings', level: 1 })).toBeVisible();
  const grid = page.getByRole('grid', { name: 'Access settings of the users on this page' });
  await expect(grid).toBeVisible();
  await settled(page, testInfo);
  await expectAccessible(page, testInfo);
  const invoices = grid.getByRole('button', { name: /^Anna (can|cannot) Invoices & Cards:/ });
  await expect(invoices).toHaveAttribute('aria-pressed', 'false');

  if (js) {
    // The keyboard: into the grid at Anna's first cell, along her row, Space.
    await grid.getByRole('button', { name: 'Anna can See Dashboard & Sensor analysis: the role Basic grants it' }).focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    await expect(invoices).toBeFocused();
    await expect(page.locator('#matrix-why')).toHaveText('Anna cannot Invoices & Cards: the role Basic does not grant it');
    await page.keyboard.press('Space');
    await expect(page.getByRole('status').filter({ hasText: 'Anna Smith can now Invoices & Cards.' })).toBeVisible();
  } else {
    await invoices.click();
  }
  await expect(invoices).toHaveAttribute('aria-pressed', 'true');
  // Saved (not only shown): the cell is busy until the server answers.
  await expect(invoices).not.toHaveAttribute('aria-busy', 'true');
  await expect(invoices).toHaveAccessibleName(/^Anna can Invoices & Cards: a per-user grant by Ada Lovelace on \d{4}-\d\d-\d\d overrides the role Basic$/);
  if (js) await page.screenshot({ path: 'screenshots/access-matrix.png', fullPage: true });

  // The user sees it under My access; the API answers allowed, naming the grant.
  await anna.page.reload();
  await expect(anna.page.getByText(/^You can Invoices & Cards: a per-user grant by Ada Lovelace/)).toBeVisible();
  const allowed = await ask(annaEmail);
  expect(allowed.allowed).toBe(true);
  expect(allowed.explanation).toMatch(/^Anna can Invoices & Cards: a per-user grant by Ada Lovelace on /);

  // Undo (with JavaScript, for 10 seconds); without, the cell again.
  if (js) {
    await page.getByRole('button', { name: 'Undo' }).click();
  } else {
    await invoices.click();
  }
  await expect(invoices).toHaveAttribute('aria-pressed', 'false');
  await expect(invoices).not.toHaveAttribute('aria-busy', 'true');
  await expect(invoices).toHaveAccessibleName('Anna cannot Invoices & Cards: the role Basic does not grant it');
  await anna.page.reload();
  await expect(anna.page.getByText('You cannot Invoices & Cards: the role Basic does not grant it')).toBeVisible();
  const denied = await ask(annaEmail);
  expect(denied).toMatchObject({ allowed: false, explanation: 'Anna cannot Invoices & Cards: the role Basic does not grant it' });
  await anna.context.close();

  if (js) {
    // A look at a page of 50: 48 more people, a few with settings of their own.
    const org = "(SELECT org_id FROM users WHERE email = $1)";
    await sql(`UPDATE seats SET quota = 60 WHERE org_id = ${org} AND role IN ('basic', 'operator')`, [annaEmail]);
    await sql(
      `INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at)
       SELECT ${org}, 'person' || n || '.' || substr(md5(random()::text), 1, 6) || '@example.com',
              (ARRAY['Maria','Jonas','Lea','Noah','Mia','Elias','Emma','Finn'])[1 + n % 8],
              (ARRAY['Keller','Brunner','Meier','Schmid','Weber','Fischer'])[1 + n % 6],
              (CASE WHEN n % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, 'active', 'UTC', now()
       FROM generate_series(1, 48) n`,
      [annaEmail],
    );
    await sql(
      `INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by_name)
       SELECT org_id, id, (ARRAY['invoices','user_menu','download_reports','delete_sensors'])[1 + (row_number() OVER ()) % 4],
              (row_number() OVER ()) % 3 <> 0, 'Ada Lovelace'
       FROM users WHERE org_id = ${org} AND email LIKE 'person%' AND email LIKE '%5.%'`,
      [annaEmail],
    );
    await page.goto('/settings/users/access?size=50&sort=last_name');
    await expect(grid.getByRole('row')).toHaveCount(51);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: 'screenshots/access-matrix-50.png', fullPage: true });

    // Someone deletes Anna meanwhile: the save is refused, her cell goes
    // back and her row says why.
    await settled(page, testInfo);
    await sql('DELETE FROM users WHERE email = $1', [annaEmail]);
    await invoices.focus();
    await page.keyboard.press('Space');
    const annaRow = grid.getByRole('row').filter({ hasText: annaEmail });
    await expect(annaRow.getByRole('alert')).toContainText(
      'Invoices & Cards was not saved: this user no longer exists. Reload the page to see the users as they are now.',
    );
    await expect(invoices).toHaveAttribute('aria-pressed', 'false');
    await expect(invoices).toHaveAccessibleName('Anna cannot Invoices & Cards: the role Basic does not grant it');
    await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  }
});

test('dashboard permissions chosen in the invite dialog limit what the activated user sees; another dashboard is not found', async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const js = hasJs(testInfo);
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Dashboards', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dashboards', level: 1 })).toBeVisible();
  await expect(page.getByText('No dashboards yet.')).toBeVisible();
  for (const [name, description] of [['Cold chain', 'Fridges and freezers'], ['Warehouse', 'Halls 1 to 3'], ['Yard', 'Trucks and trailers']]) {
    await settled(page, testInfo);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Description', { exact: true }).fill(description);
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await expect(page.getByRole('button', { name: `Delete ${name}` })).toBeVisible();
  }
  await expectAccessible(page, testInfo);
  if (js) await page.screenshot({ path: 'screenshots/dashboards-settings.png', fullPage: true });

  // Anna is invited with "Cold chain" only, chosen in the invite dialog.
  await nav.getByRole('link', { name: 'User Management' }).click();
  await settled(page, testInfo);
  const annaEmail = uniqueEmail('anna');
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill('Anna');
  await dialog.getByLabel('Last name').fill('Smith');
  await dialog.getByLabel('Email').fill(annaEmail);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  const dashboards = dialog.getByRole('group', { name: 'Dashboard permissions' });
  await dashboards.getByLabel('Selected dashboards').check();
  await dashboards.getByRole('checkbox', { name: 'Cold chain' }).check();
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${annaEmail}` })).toBeVisible();
  const anna = await activateInOwnBrowser(browser, annaEmail, js);

  // Her Access settings show the same choice.
  await page.reload();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Access settings of Anna Smith: Basic defaults' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard permissions' })).toBeVisible();
  await expect(page.getByLabel('Selected dashboards')).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Cold chain' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Warehouse' })).not.toBeChecked();
  await expectAccessible(page, testInfo);

  // Her profile (the details panel) says what she may do and why, and
  // changes her dashboards too: Warehouse as well.
  await page.getByRole('link', { name: 'User Management' }).first().click();
  await settled(page, testInfo);
  await page.getByRole('link', { name: 'Details of Anna Smith' }).click();
  const panel = page.getByRole('dialog', { name: 'User details' });
  const permissions = panel.getByRole('region', { name: 'Permissions', exact: true });
  await expect(permissions.getByText('Basic defaults', { exact: true })).toBeVisible();
  await expect(permissions.getByText('Anna can Download reports: the role Basic grants it')).toBeVisible();
  await expect(permissions.getByText('Anna cannot Invoices & Cards: the role Basic does not grant it')).toBeVisible();
  const panelDashboards = panel.getByRole('region', { name: 'Dashboard permissions' });
  await expect(panelDashboards.getByLabel('Selected dashboards')).toBeChecked();
  await settled(page, testInfo);
  await panelDashboards.getByRole('checkbox', { name: 'Warehouse' }).check();
  await panelDashboards.getByRole('button', { name: 'Save dashboard permissions' }).click();
  await expect(panelDashboards.getByRole('status').filter({ hasText: 'The dashboard permissions are saved.' })).toBeVisible();
  await expect(panel.getByRole('checkbox', { name: 'Warehouse' })).toBeChecked();
  await expectAccessible(page, testInfo);
  if (js) {
    // Opened by its address (a reload), the panel's split-out code is
    // loaded before hydration: no hydration warnings, and it still works.
    const problems = watchConsole(page, testInfo);
    await page.reload();
    await settled(page, testInfo);
    await expect(permissions.getByText('Anna can Download reports: the role Basic grants it')).toBeVisible();
    await panelDashboards.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/user-panel-permissions.png' });
    // The keyboard starts on the panel, not at the foot of it.
    await expect(panel).toBeFocused();
    expect(problems).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await page.getByRole('link', { name: 'Details of Anna Smith' }).click();
    await expect(permissions).toBeVisible();
    expect(problems).toEqual([]);
  }

  await anna.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'My dashboards' }).click();
  await expect(anna.page.getByRole('heading', { name: 'My dashboards', level: 1 })).toBeVisible();
  await expect(anna.page.getByRole('link', { name: 'Cold chain' })).toBeVisible();
  await expect(anna.page.getByRole('link', { name: 'Warehouse' })).toBeVisible();
  await expect(anna.page.getByRole('link', { name: 'Yard' })).toHaveCount(0);
  await expectAccessible(anna.page, testInfo);
  if (js) await anna.page.screenshot({ path: 'screenshots/my-dashboards.png', fullPage: true });
  await anna.page.getByRole('link', { name: 'Cold chain' }).click();
  await expect(anna.page.getByRole('heading', { name: 'Cold chain', level: 1 })).toBeVisible();
  // One she was not given, by its address: not found, and nothing of it shown.
  await page.goto('/settings/dashboards');
  const id = await page.locator('input[type=hidden][name=id]').last().inputValue();
  const response = await anna.page.goto(`/dashboards/${id}`);
  expect(response?.status()).toBe(404);
  await expect(anna.page.getByText('Trucks and trailers')).toHaveCount(0);
  await anna.context.close();
});
