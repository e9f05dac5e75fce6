import { defineConfig } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// The server under test: the release binary with a fresh SQLite database per run.
const port = Number(process.env.E2E_PORT ?? 3100);
const root = path.resolve(__dirname, '..');
// Set once here, in the runner: the workers inherit them (tests run the CLI on the same database).
process.env.E2E_SERVER_BIN ??= path.join(root, 'target/release/tenantry');
process.env.E2E_DATABASE_URL ??= `sqlite://${path.join(__dirname, '.tmp', `e2e-${Date.now()}.db`)}`;
const bin = process.env.E2E_SERVER_BIN;
const db = process.env.E2E_DATABASE_URL;

// Real peers on loopback: an SMTP server writing a Maildir the journeys read, and a
// certified OpenID provider (see support/oidc-provider.mjs).
const smtpPort = port + 25;
const oidcPort = port + 44;
const hookPort = port + 55;
const baoPort = port + 66;
const tmp = path.join(__dirname, '.tmp');
fs.mkdirSync(tmp, { recursive: true });
// aiosmtpd creates the Maildir only when the folder is new.
process.env.E2E_MAILDIR ??= path.join(tmp, `maildir-${Date.now()}`);
const python = process.env.TENANTRY_TEST_PYTHON ?? 'python3';
const secretFile = path.join(tmp, 'oidc-client-secret');
fs.writeFileSync(secretFile, 'e2e-client-secret\n');
// The signed-webhook driver is on, pointed at support/webhook-receiver.mjs.
// Workers evaluate this file again: the secret comes through the environment so they
// rewrite the file with the same one.
process.env.E2E_WEBHOOK_SECRET ??= `whsec_${crypto.randomBytes(32).toString('base64')}`;
const webhookSecret = process.env.E2E_WEBHOOK_SECRET;
const webhookSecretFile = path.join(tmp, 'webhook-secret');
fs.writeFileSync(webhookSecretFile, `${webhookSecret}\n`);
process.env.E2E_WEBHOOK_URL ??= `http://127.0.0.1:${hookPort}`;
// OpenBao (support/openbao.mjs) keeps the package secrets; the platform overview shows its
// health, checked every second.
const baoToken = 'e2e-openbao-token';
const baoTokenFile = path.join(tmp, 'openbao-token');
fs.writeFileSync(baoTokenFile, `${baoToken}\n`);
process.env.E2E_OPENBAO_URL ??= `http://127.0.0.1:${baoPort}`;
const portalConfig = path.join(tmp, 'portal.toml');
fs.writeFileSync(
  portalConfig,
  [
    // Live updates and notification emails without long waits.
    'live_poll_ms = 500',
    '',
    '[smtp]',
    'host = "127.0.0.1"',
    `port = ${smtpPort}`,
    'tls = "none"',
    'from = "Tenantry <portal@tenantry.test>"',
    '',
    '[[oidc]]',
    'id = "loopback"',
    'display_name = "Loopback ID"',
    `issuer_url = "http://127.0.0.1:${oidcPort}"`,
    'client_id = "tenantry"',
    `client_secret_file = ${JSON.stringify(secretFile)}`,
    '',
    '[notifications]',
    'poll_seconds = 1',
    '',
    '[secrets]',
    `kek = "${crypto.randomBytes(32).toString('base64')}"`,
    '',
    '[provisioning]',
    'poll_seconds = 1',
    'health_check_seconds = 1',
    '',
    '[provisioning.openbao]',
    'enabled = true',
    `url = "http://127.0.0.1:${baoPort}"`,
    `token_file = ${JSON.stringify(baoTokenFile)}`,
    '',
    '[provisioning.webhook]',
    'enabled = true',
    `url = "http://127.0.0.1:${hookPort}/hook"`,
    `secret_file = ${JSON.stringify(webhookSecretFile)}`,
    '',
  ].join('\n'),
);

export default defineConfig({
  testDir: './tests',
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `"${python}" -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox "${process.env.E2E_MAILDIR}"`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: 'node support/oidc-provider.mjs',
      cwd: __dirname,
      port: oidcPort,
      reuseExistingServer: false,
      timeout: 30_000,
      env: {
        OIDC_PORT: String(oidcPort),
        OIDC_REDIRECT_URIS: `http://127.0.0.1:${port}/auth/oidc/loopback/callback`,
        OIDC_CLIENT_SECRET: 'e2e-client-secret',
      },
    },
    {
      command: 'node support/webhook-receiver.mjs',
      cwd: __dirname,
      url: `http://127.0.0.1:${hookPort}/`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { WEBHOOK_PORT: String(hookPort), WEBHOOK_SECRET: webhookSecret },
    },
    {
      command: 'node support/openbao.mjs',
      cwd: __dirname,
      url: `http://127.0.0.1:${baoPort}/v1/sys/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { BAO_PORT: String(baoPort), BAO_TOKEN: baoToken },
    },
    {
      command: `"${bin}" serve`,
      cwd: root,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        TENANTRY_CONFIG: portalConfig,
        TENANTRY_DATABASE_URL: db,
        // The operations endpoints beside the test port, clear of a local portal's.
        TENANTRY_OPS__LISTEN: `127.0.0.1:${port + 9}`,
        TENANTRY_LISTEN: `127.0.0.1:${port}`,
        TENANTRY_BASE_URL: `http://127.0.0.1:${port}`,
        // Every journey registers from 127.0.0.1; the limit itself is an integration test.
        TENANTRY_RATE_LIMITS__REGISTRATIONS_PER_HOUR: '1000',
        LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
        LEPTOS_ENV: 'PROD',
        TENANTRY_LOG: 'warn',
      },
    },
  ],
});
