import { PASSWORD, confirmationLink, expect, hydrated, register, signIn, test, uniqueEmail } from './helpers';

test.describe('hydrated', () => {
  test('register a company, confirm the address from the email, see the dashboard, sign out and in again', async ({ page, allowConsole }, testInfo) => {
    allowConsole(/^$/);
    const email = uniqueEmail('owner');
    const company = `Acme ${Date.now()}`;
    await page.goto('/register');
    await hydrated(page);
    await register(page, { kind: 'company', company, given: 'Jo', family: 'Tester', email, confirm: false });

    // Signed in, but only to the page that asks to open the link.
    await expect(page).toHaveURL(/\/confirm-email$/);
    await expect(page.locator('[data-test="sent-to"]')).toContainText(email);
    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/confirm-email$/);
    const link = await confirmationLink(email);
    await page.goto(link);
    await expect(page).toHaveURL(/\/dashboard$/);
    // The link works once.
    await page.goto(link);
    await expect(page).toHaveURL(/\/confirm-email\?link=invalid$/);
    await expect(page.locator('[data-test="confirmed"]')).toBeVisible();
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: 'Welcome, Jo Tester' })).toBeVisible();
    const row = page.locator('[data-test="org-row"]');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(company);
    await expect(row.locator('[data-test="org-role"]')).toHaveText('Owner');
    await expect(page.locator('[data-test="header-org"]')).toHaveText(company);
    const shot = testInfo.outputPath('dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('dashboard', { path: shot, contentType: 'image/png' });

    await page.locator('[data-test="user-menu"] summary').click();
    await page.locator('[data-test="sign-out"]').click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/signin$/);

    await hydrated(page);
    await signIn(page, email);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.locator('[data-test="org-row"]')).toContainText(company);
  });

  test('register a personal account: no company field, named after the person', async ({ page, allowConsole }) => {
    allowConsole(/^$/);
    await page.goto('/register');
    await hydrated(page);
    await expect(page.getByLabel('Company name')).toBeVisible();
    await page.locator('#kind-personal').check();
    await expect(page.getByLabel('Company name')).toBeHidden();
    await register(page, { kind: 'personal', given: 'Maria', family: 'Rossi', email: uniqueEmail('maria', 'gmail.com') });
    await expect(page).toHaveURL(/\/dashboard$/);
    const row = page.locator('[data-test="org-row"]');
    await expect(row).toContainText('Maria Rossi');
    await expect(row).toContainText('Personal');
  });

  test('duplicate company domain is explained in German', async ({ browser }) => {
    const domain = `${Date.now().toString(36)}.example`;
    const first = await browser.newContext();
    const page1 = await first.newPage();
    await page1.goto('/register');
    await hydrated(page1);
    await register(page1, { kind: 'company', company: 'First Co', given: 'Ann', family: 'First', email: `ann@${domain}` });
    await expect(page1).toHaveURL(/\/dashboard$/);
    await first.close();

    const german = await browser.newContext({ locale: 'de-DE' });
    const page = await german.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/register');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Konto erstellen' })).toBeVisible();
    await register(
      page,
      { kind: 'company', company: 'Second Co', given: 'Ben', family: 'Zweiter', email: `ben@${domain}`, confirm: false },
      { company: 'Firmenname', given: 'Vorname', family: 'Nachname', email: 'E-Mail', password: 'Passwort', submit: 'Konto erstellen' },
    );
    const alert = page.locator('[data-test="form-error"]');
    await expect(alert).toContainText(`Ein Unternehmen mit der E-Mail-Domain ${domain} ist bereits registriert`);
    await expect(alert).toHaveAttribute('data-code', 'duplicate_domain');
    await expect(page.locator('[data-test="error-email"]')).toContainText(domain);
    await expect(page).toHaveURL(/\/register$/);
    // Chromium logs the deliberate 409 of the server function; nothing else may appear.
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await german.close();
  });

  test('wrong password shows a generic message', async ({ page, allowConsole }) => {
    allowConsole(/status of 401/);
    await page.goto('/signin');
    await hydrated(page);
    await signIn(page, uniqueEmail('nobody'), 'not the password');
    await expect(page.locator('[data-test="form-error"]')).toHaveText('The email or password is wrong.');
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('the language switcher changes the interface language', async ({ page, allowConsole }) => {
    allowConsole(/^$/);
    await page.goto('/');
    await hydrated(page);
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre service géré, un seul portail');
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre service géré, un seul portail');
  });

  test('unknown pages answer 404', async ({ page, allowConsole }) => {
    allowConsole(/status of 404/);
    const res = await page.goto('/no/such/page');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('register and sign in with plain forms', async ({ page, allowConsole }) => {
    allowConsole(/status of 401/);
    const email = uniqueEmail('nojs');
    await page.goto('/register');
    await expect(page.locator('[data-hydrated="true"]')).toHaveCount(0);
    await register(page, { kind: 'company', company: `No Script ${Date.now()}`, given: 'Noa', family: 'Script', email });
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole('heading', { name: 'Welcome, Noa Script' })).toBeVisible();

    await page.locator('[data-test="user-menu"] summary').click();
    await page.locator('[data-test="sign-out"]').click();
    await expect(page).toHaveURL(/\/$/);

    await page.goto('/signin');
    await signIn(page, email, 'wrong password!');
    await expect(page.locator('[data-test="form-error"]')).toHaveText('The email or password is wrong.');
    await signIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole('heading', { name: 'Welcome, Noa Script' })).toBeVisible();
  });

  test('validation errors come back to the form', async ({ page, allowConsole }) => {
    allowConsole(/^$/);
    await page.goto('/register');
    await page.getByLabel('Given name').fill('Val');
    await page.getByLabel('Family name').fill('Idation');
    await page.getByLabel('Email').fill(uniqueEmail('val'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('[data-test="form-error"]')).toHaveText('Please correct the highlighted fields.');
    await expect(page.locator('[data-test="error-company_name"]')).toHaveText('This field is required.');
    await expect(page.getByLabel('Company name')).toHaveAttribute('aria-invalid', 'true');
  });
});
