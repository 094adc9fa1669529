import { test as base, expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'Correct-Horse-42';

/**
 * Every browser test, with a guard: any Content-Security-Policy violation
 * the browser reports (a blocked inline script or style, a handler
 * attribute, a WebAssembly compile refused) fails the test that caused it.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export function uniqueEmail(hint: string): string {
  return `${hint}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@example.com`;
}

export function hasJs(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** Opens a page and, in the JavaScript suite, waits until it is hydrated. */
export async function open(page: Page, path: string, testInfo: TestInfo) {
  await page.goto(path);
  await settled(page, testInfo);
}

export async function settled(page: Page, testInfo: TestInfo) {
  if (hasJs(testInfo)) {
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  }
}

/**
 * Fails on any serious or critical accessibility violation. axe runs inside
 * the page, which a JavaScript-disabled page cannot do: the no-JS project
 * renders the same server HTML, so the JS project's check covers it.
 */
export async function expectAccessible(page: Page, testInfo: TestInfo) {
  if (!hasJs(testInfo)) return;
  // The page as people use it: hydrated (the bundle loads after the first
  // paint, and hydrating a lazy page puts its head tags back in place).
  await settled(page, testInfo);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** Collects console errors and warnings (hydration problems show up there). */
export function watchConsole(page: Page, testInfo: TestInfo): string[] {
  const problems: string[] = [];
  const jsDisabled = !hasJs(testInfo);
  page.on('console', (message) => {
    // Without JavaScript the hydration script never runs, so the WASM bundle
    // the page preloads for it goes unused and Chromium says so once the page
    // has been open a few seconds. That is the no-JS setting, not a defect;
    // with JavaScript the same warning would mean hydration never started.
    if (jsDisabled && /\.wasm was preloaded using link preload but not used/.test(message.text())) return;
    // A refused request (e.g. a wrong password's 401) is logged by the
    // browser itself; that is the expected answer, not a page problem.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

export interface Registrant {
  organization: string;
  email: string;
  firstName: string;
  lastName: string;
}

/**
 * Signs an organization up as a person does: the form, "Check your email",
 * the link in the confirmation mail, a password. Ends signed in on User
 * Management. `via: 'dev-mailbox'` reads the mail from /dev/mailbox (a
 * server without SMTP) instead of the mail catcher.
 */
export async function signUp(
  page: Page,
  testInfo: TestInfo,
  who: Partial<Registrant> & { via?: 'smtp' | 'dev-mailbox' } = {},
): Promise<Registrant> {
  const registrant: Registrant = {
    organization: who.organization ?? `Org ${Math.random().toString(36).slice(2, 8)}`,
    email: who.email ?? uniqueEmail('ada'),
    firstName: who.firstName ?? 'Ada',
    lastName: who.lastName ?? 'Lovelace',
  };
  await requestSignUp(page, testInfo, registrant);
  if (who.via === 'dev-mailbox') {
    const mail = page.getByRole('article', { name: `Mail to ${registrant.email}` });
    await expect(async () => {
      await page.goto('/dev/mailbox');
      await expect(mail).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await settled(page, testInfo);
    await mail.getByRole('link', { name: /\/sign-up\/confirm\// }).click();
  } else {
    const mail = await mailTo(registrant.email, (m) => m.subject.startsWith('Confirm your email'));
    await page.goto(confirmationPath(mail));
  }
  await settled(page, testInfo);
  await choosePassword(page, PASSWORD);
  await expect(page).toHaveURL(/\/settings\/users/);
  await settled(page, testInfo);
  return registrant;
}

/** The sign-up form, up to "Check your email". */
export async function requestSignUp(page: Page, testInfo: TestInfo, registrant: Registrant) {
  await open(page, '/sign-up', testInfo);
  await page.getByLabel('Organization name').fill(registrant.organization);
  await page.getByLabel('Time zone').fill('Europe/Zurich');
  await page.getByLabel('First name').fill(registrant.firstName);
  await page.getByLabel('Last name').fill(registrant.lastName);
  await page.getByLabel('Email').fill(registrant.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await settled(page, testInfo);
}

/** The confirmation page's form. */
export async function choosePassword(page: Page, password: string, confirmation = password) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(confirmation);
  await page.getByRole('button', { name: 'Create organization' }).click();
}

/** The confirmation link (its path) in a sign-up mail. */
export function confirmationPath(mail: Mail): string {
  const match = mail.text.match(/https?:\/\/[^\s/]+(\/sign-up\/confirm\/[A-Za-z0-9_-]+)/);
  expect(match, mail.text).not.toBeNull();
  return match![1];
}

// ---- Mail and database access for the browser tests -------------------
// `make test` runs the server under test with SMTP pointed at maildev, a
// real mail catcher; its HTTP API is how a test reads what was sent.

const MAIL_API = process.env.ROSTER_MAIL_API ?? 'http://127.0.0.1:25326';

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

/** The newest mail to `address` that satisfies `accept`, waiting for it to arrive. */
export async function mailTo(address: string, accept: (mail: Mail) => boolean = () => true): Promise<Mail> {
  let found: Mail | undefined;
  await expect(async () => {
    const response = await fetch(`${MAIL_API}/api/email`);
    expect(response.ok).toBe(true);
    const all = (await response.json()) as Array<Mail & { to: Array<{ address: string }> }>;
    const mine = all.filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) && accept(m));
    expect(mine.length, `a mail to ${address}`).toBeGreaterThan(0);
    found = mine[mine.length - 1];
  }).toPass({ timeout: 20_000 });
  return found!;
}

/** The path of the mail's link to `page` (`/activate/`, `/recover/`, `/confirm-email/`). */
export function linkPath(mail: Mail, page: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s/]+(${page}[A-Za-z0-9_-]+)`));
  expect(match, mail.text).not.toBeNull();
  return match![1];
}

/** The activation link (its path) in a mail. */
export function activationPath(mail: Mail): string {
  return linkPath(mail, '/activate/');
}

/** Runs SQL against the database of the server under test (to move an expiry, say). */
export async function sql(text: string, params: unknown[] = []): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: process.env.ROSTER_E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Invites a Basic user from the dialog (already on User Management); returns after the confirmation. */
export async function inviteFromDialog(page: Page, testInfo: TestInfo, first: string, last: string, email: string) {
  await page.getByRole('link', { name: 'Add new user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await settled(page, testInfo);
  await dialog.getByLabel('First name').fill(first);
  await dialog.getByLabel('Last name').fill(last);
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Hire date').fill('2026-01-05');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
  await settled(page, testInfo);
}

/**
 * The invited person at `email`, in a browser of their own: opens the
 * activation mail's link and sets PASSWORD. Returns their context and page,
 * signed in on their account.
 */
export async function activateInOwnBrowser(browser: Browser, email: string, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(activationPath(await mailTo(email)));
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Activate account' }).click();
  await expect(page).toHaveURL(/\/account/);
  return { context, page };
}
