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

  // The API reference, client-side into its lazy route.
  await page.locator('[data-test="api-docs-link"]').click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.locator('[data-test="docs-op-list_instances"]')).toContainText('/api/v1/orgs/{slug}/instances');
});

test('the API reference works offline: nothing comes from another origin', async ({ page, allowConsole }) => {
  allowConsole(/^$/);
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  // Anything not from the portal would fail, as it would on a machine without the internet.
  await page.context().route(/^(?!http:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  await page.goto('/api/docs');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API reference');
  for (const operation of ['get_organization', 'list_instances', 'get_instance', 'get_usage', 'create_instance_request', 'list_audit_events']) {
    await expect(page.locator(`[data-test="docs-op-${operation}"]`)).toBeVisible();
  }
  await expect(page.locator('[data-test="docs-schema-ErrorBody"]')).toContainText('message');
  // A type links to its schema on the same page.
  await page.locator('[data-test="docs-op-get_instance"]').getByRole('link', { name: 'InstanceRow' }).first().click();
  await expect(page).toHaveURL(/#schema-InstanceRow$/);
  await expect(page.locator('[data-test="docs-schema-InstanceRow"]')).toBeInViewport();
  const document = await (await fetch(new URL('/api/v1/openapi.json', page.url()), { signal: AbortSignal.timeout(5_000) })).json();
  expect(document.openapi).toBe('3.1.0');
  const origin = new URL(page.url()).origin;
  const foreign = requested.filter((url) => new URL(url).origin !== origin);
  expect(foreign, `requests to other origins: ${foreign}`).toEqual([]);
  expect(requested.length).toBeGreaterThan(2);
  // The document's link leaves the app's router: the browser shows the JSON itself.
  await page.locator('[data-test="docs-openapi-link"]').click();
  await expect(page).toHaveURL(/\/api\/v1\/openapi\.json$/);
  await expect(page.locator('body')).toContainText('"openapi": "3.1.0"');
});
