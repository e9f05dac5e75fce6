import { expect, hydrated, register, test, uniqueEmail } from './helpers';

test('an owner mints an API key, sees the token once, uses it, revokes it, and the same call is refused', async ({
  page,
  context,
  allowConsole,
}) => {
  allowConsole(/^$/);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const company = `Keyed Co ${Date.now()}`;
  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Kai', family: 'Owner', email: uniqueEmail('kai') });
  await page.getByRole('link', { name: company }).click();
  await expect(page).toHaveURL(/\/orgs\/[a-z0-9-]+$/);
  const slug = new URL(page.url()).pathname.split('/')[2];
  // Into the lazy route client-side.
  await hydrated(page);
  await page.locator('[data-test="org-keys"]').click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/keys$`));
  await expect(page.locator('[data-test="no-keys"]')).toBeVisible();

  await page.getByLabel('Key name').fill('CI agent');
  await page.locator('[data-test="mint-write"]').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.locator('[data-test="new-token"]').textContent())?.trim() ?? '';
  expect(token).toMatch(/^tny_[0-9A-Za-z]{36}$/);
  await page.locator('[data-test="copy-token"]').click();
  await expect(page.locator('[data-test="copy-token"]')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await expect(page.locator('[data-test="env-file"]')).toContainText(`TENANTRY_API_KEY=${token}`);
  const row = page.locator('[data-test="key-row"]');
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-test="key-prefix"]')).toHaveText(`${token.slice(0, 8)}…${token.slice(-4)}`);
  await expect(row.locator('[data-test="key-status"]')).toHaveText('Active');

  // Shown once: a reload lists the key but not its token.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('[data-test="new-token"]')).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  // The token works from a client without the session, as an agent's curl would.
  const call = () =>
    fetch(`${new URL(page.url()).origin}/api/v1/orgs/${slug}/instances`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
  expect((await call()).status).toBe(200);

  // "Connect your agent": MCP configurations that read the key from the environment.
  const origin = new URL(page.url()).origin;
  const claude = page.locator('[data-test="agent-config-claude-code"]');
  await expect(claude.locator('pre')).toContainText(`"url": "${origin}/mcp"`);
  await expect(claude.locator('pre')).toContainText('Bearer ${TENANTRY_API_KEY}');
  await expect(page.locator('[data-test="agent-config-cursor"] pre')).toContainText('Bearer ${env:TENANTRY_API_KEY}');
  await expect(page.locator('[data-test="connect-agent"]')).not.toContainText(token);
  await claude.getByRole('button', { name: 'Copy' }).click();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(copied.mcpServers.tenantry).toEqual({
    type: 'http',
    url: `${origin}/mcp`,
    headers: { Authorization: 'Bearer ${TENANTRY_API_KEY}' },
  });
  // The same token opens the MCP endpoint, as the configured agent would.
  const mcp = await fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json, text/event-stream',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
    }),
    signal: AbortSignal.timeout(5_000),
  });
  expect(mcp.status).toBe(200);
  expect((await mcp.json()).result.serverInfo.name).toBe('tenantry');

  await row.locator('[data-test="revoke-key"]').click();
  await expect(row.locator('[data-test="key-status"]')).toHaveText('Revoked');
  await expect.poll(async () => (await call()).status, { timeout: 2_000 }).toBe(401);
  const body = await (await call()).json();
  expect(body.code).toBe('invalid_api_key');
});
