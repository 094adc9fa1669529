import { expect, test } from './helpers';

// What happens while the page turns interactive, which needs JavaScript,
// so this spec runs in the "js" project only (see playwright.config.ts).

// A lazy page (here the sign-in page) fetches its code before it hydrates.
// Meanwhile its title stays the one the server rendered: the tab never
// goes blank (leptos_meta empties it unless told what it is).
test('a lazy page keeps its title while its code loads', async ({ page }) => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let requested!: () => void;
  const lazyCodeRequested = new Promise<void>((resolve) => (requested = resolve));
  await page.route(/\/(split_|chunk_)[^/]*\.wasm$/, async (route) => {
    requested();
    await held;
    await route.continue();
  });
  await page.goto('/sign-in');
  await expect(page).toHaveTitle('Sign in · Roster');
  await lazyCodeRequested;
  // Hydration has begun (it asked for the page's code) and waits for it.
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
  expect(await page.title()).toBe('Sign in · Roster');
  release();
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page).toHaveTitle('Sign in · Roster');
});
