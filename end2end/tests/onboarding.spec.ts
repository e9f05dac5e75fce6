import { execFileSync } from 'node:child_process';
import { expect, hydrated, register, signIn, test, uniqueEmail, waitForMail } from './helpers';

const TOKEN = '7712345678:AAE-e2e-telegram-token';

test('owner onboards with a secret package; the admin rejects, then approves; the open dashboard follows live', async ({
  page,
  browser,
  allowConsole,
}) => {
  allowConsole(/^$/);
  const company = `Onboard Co ${Date.now()}`;
  const owner = uniqueEmail('olga');
  const admin = uniqueEmail('root');
  execFileSync(process.env.E2E_SERVER_BIN!, ['admin', 'create', '--email', admin, '--name', 'Root Admin'], {
    input: 'root password 123\n',
    env: { ...process.env, TENANTRY_DATABASE_URL: process.env.E2E_DATABASE_URL!, TENANTRY_LOG: 'warn' },
  });

  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Olga', family: 'Owner', email: owner });
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole('link', { name: company }).click();
  await expect(page).toHaveURL(/\/orgs\/[a-z0-9-]+$/);
  await expect(page.locator('[data-test="no-instances"]')).toBeVisible();
  await page.locator('[data-test="create-instance"]').click();
  await expect(page).toHaveURL(/\/new-instance$/);
  await hydrated(page);

  // One step at a time; Next checks the step and keeps what was typed.
  const step = (n: number) => page.locator(`[data-test="step-${n}"]`);
  await expect(step(0)).toBeVisible();
  await expect(step(1)).toBeHidden();
  await step(0).locator('[data-test="next"]').click();
  await expect(step(1)).toBeVisible();
  await expect(page.getByLabel('SOUL.md')).toHaveValue(new RegExp(company));
  await step(1).locator('[data-test="next"]').click();
  await expect(page.locator('[data-test="error-agent_name"]')).toHaveText('This field is required.');
  await expect(step(1)).toBeVisible();
  await page.getByLabel('Instance name (optional)').fill('Support Bot');
  await page.getByLabel('Agent name').fill('Ada');
  await step(1).locator('[data-test="next"]').click();
  await page.locator('[data-test="package-telegram"]').check();
  await page.locator('[data-test="package-git"]').check();
  await step(2).locator('[data-test="next"]').click();
  await expect(step(3)).toBeVisible();
  await expect(page.locator('[data-test="secrets-discord"]')).toBeHidden();
  await step(3).locator('[data-test="next"]').click();
  await expect(page.locator('[data-test="error-secret.telegram.bot_token"]')).toHaveText('This field is required.');
  await page.getByLabel('Telegram bot token').fill(TOKEN);
  await step(3).locator('[data-test="next"]').click();
  await expect(page.getByLabel('Company')).toHaveValue(company);
  await page.getByLabel('Street and number').fill('Bahnhofstrasse 1');
  await page.getByLabel('Postal code').fill('8001');
  await page.getByLabel('City').fill('Zürich');
  await page.getByLabel('Country').fill('Switzerland');
  await step(4).locator('[data-test="next"]').click();
  const summary = page.locator('[data-test="summary"]');
  await expect(summary).toContainText('Support Bot');
  await expect(summary).toContainText('Telegram (access data entered)');
  await expect(summary).not.toContainText(TOKEN);
  // Back and forth keeps everything.
  await step(5).locator('[data-test="back"]').click();
  await expect(page.getByLabel('Street and number')).toHaveValue('Bahnhofstrasse 1');
  await step(4).locator('[data-test="back"]').click();
  await expect(page.getByLabel('Telegram bot token')).toHaveValue(TOKEN);
  await step(3).locator('[data-test="next"]').click();
  await step(4).locator('[data-test="next"]').click();
  await page.locator('[data-test="submit-request"]').click();

  await expect(page).toHaveURL(/\/orgs\/[a-z0-9-]+\?submitted=1$/);
  await expect(page.locator('[data-test="submitted"]')).toBeVisible();
  const request = page.locator('[data-test="request-row"]');
  await expect(request).toHaveCount(1);
  await expect(request.locator('[data-test="request-status"]')).toHaveText('Pending');
  await expect(page.locator('[data-test="live"]')).toHaveAttribute('data-live', 'true');
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  const staffMail = await waitForMail(admin, /New instance request/);
  expect(staffMail.subject).toContain(company);
  expect(staffMail.subject).toContain('Support Bot');

  // The admin reads the request (never the token) and rejects it with a note.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await adminPage.goto('/signin');
  await hydrated(adminPage);
  await signIn(adminPage, admin, 'root password 123');
  await expect(adminPage).toHaveURL(/\/dashboard$/);
  await adminPage.goto('/platform/requests');
  await hydrated(adminPage);
  const row = adminPage.locator('[data-test="queue-row"]', { hasText: company });
  await row.locator('[data-test="open-request"]').click();
  await expect(adminPage).toHaveURL(/\/platform\/requests\/[0-9a-f-]+$/);
  await expect(adminPage.locator('[data-test="request-secrets"]')).toHaveText('telegram · bot_token');
  await expect(adminPage.locator('body')).not.toContainText(TOKEN);
  const note = 'Please add your VAT number to the billing notes.';
  await adminPage.getByPlaceholder('Reason (sent to the requester)').fill(note);
  await adminPage.locator('[data-test="reject"]').click();
  await expect(adminPage.locator('[data-test="request-status"]')).toContainText('Rejected');

  // The owner's open dashboard shows the rejection and its note without a reload.
  await expect(request.locator('[data-test="request-status"]')).toHaveText('Rejected');
  await expect(request.locator('[data-test="request-note"]')).toHaveText(note);
  const rejected = await waitForMail(owner, /not approved/);
  expect(rejected.text).toContain(note);

  // Re-approval: the instance appears live.
  await adminPage.locator('[data-test="approve"]').click();
  await expect(adminPage.locator('[data-test="approved"]')).toContainText('onboard-co');
  const instance = page.locator('[data-test="instance-row"]');
  await expect(instance).toHaveCount(1);
  await expect(instance).toContainText('Support Bot');
  // Provisioned while the page is open (the journeys enable the webhook and OpenBao drivers).
  await expect(instance.locator('[data-test="instance-phase"]')).toHaveText('Ready');
  // Its provisioning steps, live on the same page: the announcements sent, the secret in
  // OpenBao, the drivers that are off skipped.
  const steps = page.locator('[data-test="instance-steps"] [data-test="step"]');
  await expect(steps).toHaveCount(12);
  await expect(steps.first()).toHaveAttribute('data-status', 'ok');
  await expect(steps.first()).toContainText('Announce the approval');
  await expect(steps.nth(1)).toHaveAttribute('data-status', 'skipped');
  const vault = page.locator('[data-test="instance-steps"] [data-step="openbao.secrets"]');
  await expect(vault).toHaveAttribute('data-status', 'ok');
  await expect(vault).toContainText('Secrets in the vault');
  const stored = await (await fetch(`${process.env.E2E_OPENBAO_URL}/secrets`, { signal: AbortSignal.timeout(5_000) })).json();
  const telegram = Object.entries(stored).filter(([path]) => /^tenants\/onboard-co-\d+-[0-9a-f]{8}\/telegram$/.test(path));
  expect(telegram).toHaveLength(1);
  expect(telegram[0][1]).toEqual({ bot_token: TOKEN });
  await expect(instance).toContainText('Telegram, Git repository');
  // Active now, so no longer an in-flight request.
  await expect(request).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
  const approved = await waitForMail(owner, /was approved/);
  expect(approved.text).toMatch(/onboard-co-\d+-[0-9a-f]{8}/);
  await adminContext.close();
});
