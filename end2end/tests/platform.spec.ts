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

/** Seals or unseals the loopback OpenBao (support/openbao.mjs). */
async function seal(sealed: boolean): Promise<void> {
  const res = await fetch(`${process.env.E2E_OPENBAO_URL}/control?sealed=${sealed}`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
}

test('the platform overview shows an integration going from healthy to failing and back, without a reload', async ({ page, allowConsole }) => {
  allowConsole(/^$/);
  await seal(false);
  const admin = uniqueEmail('root');
  execFileSync(process.env.E2E_SERVER_BIN!, ['admin', 'create', '--email', admin, '--name', 'Root Admin'], {
    input: 'root password 123\n',
    env: { ...process.env, TENANTRY_DATABASE_URL: process.env.E2E_DATABASE_URL!, TENANTRY_LOG: 'warn' },
  });
  await page.goto('/signin');
  await hydrated(page);
  await signIn(page, admin, 'root password 123');
  await expect(page).toHaveURL(/\/dashboard$/);
  // Into the lazy route client-side: its chunk loads on this navigation.
  await page.locator('a[href="/platform"]').click();
  await expect(page).toHaveURL(/\/platform$/);
  await expect(page.getByRole('heading', { name: 'Platform overview' })).toBeVisible();
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 9));

  const bao = page.locator('[data-test="integration-row"][data-driver="openbao"]');
  const status = bao.locator('[data-test="integration-status"]');
  await expect(status).toHaveAttribute('data-state', 'ok');
  await expect(status).toHaveText('OK');
  await expect(bao.locator('[data-test="integration-latency"]')).toHaveText(/^\d+ ms$/);
  await expect(page.locator('[data-test="integration-row"][data-driver="webhook"] [data-test="integration-status"]')).toHaveText('OK');

  // Sealed: the background check notices, and the open page follows.
  await seal(true);
  await expect(status).toHaveAttribute('data-state', 'error', { timeout: 15_000 });
  await expect(status).toHaveText('Failing');
  await expect(bao.locator('[data-test="integration-problem"]')).toHaveText('OpenBao is sealed');

  // Unsealed: healthy again, the problem gone.
  await seal(false);
  await expect(status).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
  await expect(bao.locator('[data-test="integration-problem"]')).toHaveText('');
  // The same document all along: the figures came without a reload.
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(9);
});
