import { expect, Page, test as base } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';

/** A unique address for each registration, so journeys never collide. */
export function uniqueEmail(prefix: string, domain?: string): string {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return `${prefix}-${id}@${domain ?? `${id}.example`}`;
}

export const PASSWORD = 'correct horse battery';

/** Waits until the WASM bundle hydrated the page (set from an Effect, browser only). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
}

type Fixtures = { consoleErrors: string[]; allowConsole: (pattern: RegExp) => void };

/**
 * Collects console errors and page errors and fails the test on any that the test did not
 * declare as expected (for example a 409 the server answers on purpose, which Chromium logs).
 */
export const test = base.extend<Fixtures>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    await use(errors);
  },
  allowConsole: async ({ consoleErrors }, use) => {
    const allowed: RegExp[] = [];
    await use((pattern) => allowed.push(pattern));
    const unexpected = consoleErrors.filter((e) => !allowed.some((p) => p.test(e)));
    expect(unexpected, 'console errors').toEqual([]);
  },
});

export { expect };

/**
 * Fills and submits the registration form, then (unless `confirm: false`) opens the
 * confirmation link from the email, as the person would, landing on the dashboard.
 */
export async function register(
  page: Page,
  opts: { kind: 'company' | 'personal'; company?: string; given: string; family: string; email: string; confirm?: boolean },
  labels = { company: 'Company name', given: 'Given name', family: 'Family name', email: 'Email', password: 'Password', submit: 'Create account' },
): Promise<void> {
  if (opts.kind === 'personal') {
    await page.locator('#kind-personal').check();
  }
  if (opts.company !== undefined) {
    await page.getByLabel(labels.company).fill(opts.company);
  }
  await page.getByLabel(labels.given).fill(opts.given);
  await page.getByLabel(labels.family).fill(opts.family);
  await page.getByLabel(labels.email).fill(opts.email);
  await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: labels.submit }).click();
  if (opts.confirm !== false) {
    await expect(page).toHaveURL(/\/confirm-email$/);
    await page.goto(await confirmationLink(opts.email));
    await expect(page).toHaveURL(/\/dashboard$/);
  }
}

/** The confirmation link of the newest confirmation email to `to`. */
export async function confirmationLink(to: string): Promise<string> {
  const mail = await waitForMail(to, /confirm|bestätigen|confirmez|conferma/i);
  const match = mail.text.match(/https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no confirmation link in: ${mail.text}`);
  return match[0];
}

/** Fills and submits the sign-in form. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits for an email to `to` (whose subject matches `subject`, if given) in the loopback SMTP server's Maildir. */
export async function waitForMail(to: string, subject?: RegExp): Promise<{ subject: string; text: string }> {
  const dir = path.join(process.env.E2E_MAILDIR ?? '', 'new');
  for (let i = 0; i < 150; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    for (const file of files) {
      const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
      const forThem = JSON.stringify(mail.to ?? '').toLowerCase().includes(to.toLowerCase());
      if (forThem && (!subject || subject.test(mail.subject ?? ''))) {
        return { subject: mail.subject ?? '', text: mail.text ?? '' };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no email to ${to} arrived`);
}

/** The first portal link in a text. */
export function linkIn(text: string): string {
  const match = text.match(/https?:\/\/\S+\/invite\/\S+/);
  if (!match) throw new Error(`no invitation link in: ${text}`);
  return match[0];
}
