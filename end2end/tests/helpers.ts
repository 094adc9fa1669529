import { expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'Correct-Horse-42';

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
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** Collects console errors and warnings (hydration problems show up there). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
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

export async function signUp(page: Page, testInfo: TestInfo, who: Partial<Registrant> = {}): Promise<Registrant> {
  const registrant: Registrant = {
    organization: who.organization ?? `Org ${Math.random().toString(36).slice(2, 8)}`,
    email: who.email ?? uniqueEmail('ada'),
    firstName: who.firstName ?? 'Ada',
    lastName: who.lastName ?? 'Lovelace',
  };
  await open(page, '/sign-up', testInfo);
  await page.getByLabel('Organization name').fill(registrant.organization);
  await page.getByLabel('Time zone').fill('Europe/Zurich');
  await page.getByLabel('First name').fill(registrant.firstName);
  await page.getByLabel('Last name').fill(registrant.lastName);
  await page.getByLabel('Email').fill(registrant.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/settings\/users/);
  await settled(page, testInfo);
  return registrant;
}
