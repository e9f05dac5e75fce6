import { expect, hydrated, register, test, uniqueEmail } from './helpers';

test('the owner sees the members page and cannot leave as the last owner', async ({ page, allowConsole }) => {
  allowConsole(/status of 409/);
  const company = `Members Co ${Date.now()}`;
  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Olga', family: 'Owner', email: uniqueEmail('olga') });
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole('link', { name: company }).click();
  await page.locator('[data-test="org-members"]').click();
  await expect(page).toHaveURL(/\/orgs\/.+\/members$/);
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
  const row = page.locator('[data-test="member-row"]');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Olga Owner');
  await expect(row).toContainText('(you)');
  await expect(row.locator('[data-test="member-role"]')).toHaveText('Owner');
  await page.locator('[data-test="leave-org"]').click();
  await expect(page.locator('[data-test="form-error"]')).toContainText('always keeps at least one owner');
  await expect(page).toHaveURL(/\/members$/);

  // Settings: rename and move to a new identifier.
  await page.locator('[data-test="org-settings"]').click();
  await expect(page).toHaveURL(/\/settings$/);
  await page.getByLabel('Display name').fill(`${company} Renamed`);
  const slug = `renamed-${Date.now()}`;
  await page.getByLabel('Identifier').fill(slug);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings$`));
  await expect(page.getByLabel('Display name')).toHaveValue(`${company} Renamed`);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the last-owner rule is explained on a plain form post', async ({ page, allowConsole }) => {
    allowConsole(/^$/);
    await page.goto('/register');
    await register(page, { kind: 'personal', given: 'Pia', family: 'Plain', email: uniqueEmail('pia', 'gmail.com') });
    await expect(page).toHaveURL(/\/dashboard$/);
    await page.getByRole('link', { name: 'Pia Plain' }).click();
    await page.locator('[data-test="org-members"]').click();
    await page.locator('[data-test="leave-org"]').click();
    await expect(page.locator('[data-test="form-error"]')).toContainText('always keeps at least one owner');
  });
});
