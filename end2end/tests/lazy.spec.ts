import { expect, hydrated, register, test, uniqueEmail } from './helpers';

// Settings is a lazy route: its code is a WASM chunk of its own, fetched on navigation.
test('a lazy route loads its chunk on client-side navigation and works', async ({ page, allowConsole }) => {
  allowConsole(/^$/);
  const wasm: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/pkg/') && req.url().endsWith('.wasm')) wasm.push(new URL(req.url()).pathname);
  });
  const stamp = Date.now();
  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company: `Lazy ${stamp}`, given: 'Lu', family: 'Lazy', email: uniqueEmail('lazy') });
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto(`/orgs/lazy-${stamp}`);
  await hydrated(page);
  const firstLoad = [...wasm];
  // Marks this document: a full page load would lose it.
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  await page.locator('[data-test="org-settings-link"]').click();

  const form = page.locator('[data-test="settings-form"]');
  await expect(form).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/orgs/lazy-${stamp}/settings$`));
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  const fetchedOnNavigation = wasm.filter((w) => !firstLoad.includes(w));
  expect(fetchedOnNavigation.length, `chunks fetched: ${fetchedOnNavigation}`).toBeGreaterThan(0);

  // The page works: renaming the organization is saved.
  await form.getByLabel('Display name').fill(`Lazy Renamed ${stamp}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
});
