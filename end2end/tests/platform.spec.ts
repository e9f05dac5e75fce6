import { execFileSync } from 'node:child_process';
import { expect, hydrated, register, signIn, test, uniqueEmail } from './helpers';

test('the first platform admin, created on the command line, suspends a customer', async ({ page, browser, allowConsole }) => {
  allowConsole(/^$/);
  const customer = uniqueEmail('customer');
  const signup = await browser.newContext();
  const customerPage = await signup.newPage();
  await customerPage.goto('/register');
  await hydrated(customerPage);
  await register(customerPage, { kind: 'company', company: `Customer ${Date.now()}`, given: 'Cora', family: 'Customer', email: customer });
  await expect(customerPage).toHaveURL(/\/dashboard$/);

  const admin = uniqueEmail('root');
  const out = execFileSync(process.env.E2E_SERVER_BIN!, ['admin', 'create', '--email', admin, '--name', 'Root Admin'], {
    input: 'root password 123\n',
    env: { ...process.env, TENANTRY_DATABASE_URL: process.env.E2E_DATABASE_URL!, TENANTRY_LOG: 'warn' },
  }).toString();
  expect(out).toContain('created platform admin');

  await page.goto('/signin');
  await hydrated(page);
  await signIn(page, admin, 'root password 123');
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/platform\/users$/);
  await page.getByLabel('Search by email or name').fill(customer);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.locator('[data-test="user-row"]');
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-test="user-status"]')).toHaveText('Active');
  await row.getByRole('button', { name: 'Suspend' }).click();
  await expect(row.locator('[data-test="user-status"]')).toHaveText('Suspended');

  // The customer's open session ended at once.
  await customerPage.goto('/dashboard');
  await expect(customerPage).toHaveURL(/\/signin$/);
  await signup.close();
});
