import { execFileSync } from 'node:child_process';
import { expect, hydrated, register, signIn, test, uniqueEmail } from './helpers';

/** Tells the loopback webhook receiver (support/webhook-receiver.mjs) to accept or refuse. */
async function receiver(mode: 'accept' | 'refuse'): Promise<void> {
  const res = await fetch(`${process.env.E2E_WEBHOOK_URL}/control?mode=${mode}`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(204);
}

async function deliveries(): Promise<{ type: string; instance: string; verified: boolean }[]> {
  const res = await fetch(`${process.env.E2E_WEBHOOK_URL}/deliveries`, { signal: AbortSignal.timeout(5_000) });
  return res.json();
}

test('a refused webhook fails provisioning; staff see why, fix it and retry; the open dashboard follows to Ready, then to Deleted', async ({
  page,
  browser,
  allowConsole,
}) => {
  allowConsole(/^$/);
  const company = `Hooked Co ${Date.now()}`;
  const owner = uniqueEmail('hana');
  const admin = uniqueEmail('root');
  execFileSync(process.env.E2E_SERVER_BIN!, ['admin', 'create', '--email', admin, '--name', 'Root Admin'], {
    input: 'root password 123\n',
    env: { ...process.env, TENANTRY_DATABASE_URL: process.env.E2E_DATABASE_URL!, TENANTRY_LOG: 'warn' },
  });

  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Hana', family: 'Owner', email: owner });
  await page.getByRole('link', { name: company }).click();
  await expect(page).toHaveURL(/\/orgs\/[a-z0-9-]+$/);
  const slug = new URL(page.url()).pathname.split('/')[2];
  // The wizard has its own journey: this one submits the same form its last step posts.
  const submitted = await page.request.post('/fn/requests/submit', {
    headers: { Accept: 'application/json' },
    form: {
      slug,
      'draft[instance_label]': 'Hook Bot',
      'draft[agent_name]': 'Ada',
      'draft[soul_md]': '# Soul',
      'draft[agents_md]': '# Agents',
      'draft[packages][]': 'git',
      'draft[billing_company]': company,
      'draft[billing_street]': 'Main 1',
      'draft[billing_postal_code]': '8000',
      'draft[billing_city]': 'Zürich',
      'draft[billing_country]': 'Switzerland',
      'draft[billing_notes]': '',
      'draft[contact_name]': 'Hana Owner',
      'draft[contact_email]': owner,
    },
  });
  expect(submitted.status()).toBe(200);
  const requestId: string = await submitted.json();
  await page.reload();
  await hydrated(page);
  await expect(page.locator('[data-test="live"]')).toHaveAttribute('data-live', 'true');
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));

  await receiver('refuse');
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await adminPage.goto('/signin');
  await hydrated(adminPage);
  await signIn(adminPage, admin, 'root password 123');
  await expect(adminPage).toHaveURL(/\/dashboard$/);
  await adminPage.goto(`/platform/requests/${requestId}`);
  await hydrated(adminPage);
  await adminPage.locator('[data-test="approve"]').click();
  // The "approved" line can be gone already: the refused announcements come back within
  // milliseconds and the live page redraws as the provisioning view. Wait for that view.
  await expect(adminPage.locator('[data-test="steps"]')).toBeVisible();

  // The owner's open page: the announcement fails, the instance is in Error, and the
  // customer reads a general sentence, not the endpoint's answer.
  const instance = page.locator('[data-test="instance-row"]');
  await expect(instance.locator('[data-test="instance-phase"]')).toHaveText('Error');
  const ownerSteps = page.locator('[data-test="instance-steps"] [data-test="step"]');
  const announce = ownerSteps.first();
  await expect(announce).toHaveAttribute('data-status', 'error');
  await expect(announce.locator('[data-test="step-error"]')).toHaveText('This step failed. Our team has been notified and will retry it.');
  await expect(page.locator('body')).not.toContainText('HTTP 400');

  // Staff see the reason on the request page, live.
  const staffSteps = adminPage.locator('[data-test="steps"] [data-test="step"]');
  await expect(staffSteps.first()).toHaveAttribute('data-status', 'error');
  await expect(staffSteps.first().locator('[data-test="step-error"]')).toHaveText('the webhook endpoint answered HTTP 400');
  // Both announcements failed, so each can be retried alone too.
  await expect(adminPage.locator('[data-test="retry-step"]')).toHaveCount(2);

  // The receiver is fixed; staff retry every failed step.
  await receiver('accept');
  await adminPage.locator('[data-test="retry-steps"]').click();
  await expect(staffSteps.first()).toHaveAttribute('data-status', 'ok');
  await expect(adminPage.locator('[data-test="retry-steps"]')).toHaveCount(0);
  // The owner's page follows without a reload.
  await expect(instance.locator('[data-test="instance-phase"]')).toHaveText('Ready');
  await expect(announce).toHaveAttribute('data-status', 'ok');
  await expect(announce).toContainText('Attempts: 2');
  const name = (await adminPage.locator('[data-test="request-status"]').textContent())?.split(' · ')[1]?.trim() ?? '';
  expect(name).toMatch(/^hooked-co-/);
  const heard = (await deliveries()).filter((d) => d.instance === name);
  expect(heard.map((d) => [d.type, d.verified])).toEqual([
    ['instance.approved', true],
    ['instance.provisioned', true],
  ]);

  // Deprovision: the instance goes Deleted on the owner's page, the removal is announced.
  await adminPage.locator('[data-test="deprovision"]').click();
  await expect(instance.locator('[data-test="instance-phase"]')).toHaveText('Deleted');
  await expect(adminPage.locator('[data-test="deprovision"]')).toHaveCount(0);
  await expect.poll(async () => (await deliveries()).filter((d) => d.instance === name).map((d) => d.type)).toContain('instance.deprovisioned');
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);
  await adminContext.close();
});
