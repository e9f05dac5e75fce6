import { expect, hydrated, register, signIn, test, uniqueEmail } from './helpers';

test('sign in with the loopback OpenID provider creates the account', async ({ page, allowConsole }) => {
  // The provider's development pages ask for web fonts (not reachable here) and a favicon.
  allowConsole(/ERR_NAME_NOT_RESOLVED|status of 404/);
  const email = uniqueEmail('iris', 'idp.example');
  await page.goto('/signin');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in with Loopback ID' }).click();
  // The provider's own login and consent pages.
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/interaction\//);
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await hydrated(page);
  await expect(page.locator('[data-test="user-menu"] summary')).toContainText('Iris');
  await expect(page.locator('[data-test="header-org"]')).toBeVisible();

  // A refused sign-in explains itself and leaves no session.
  await page.goto('/signin?oidc_error=state');
  await expect(page.locator('[data-test="form-error"]')).toContainText('Please start again');
});

test('a squatter who registered your address first is replaced, not joined', async ({ browser }) => {
  const victim = uniqueEmail('vera', 'idp.example');
  // The squatter registers the victim's address with a password and cannot confirm it.
  const squatterContext = await browser.newContext();
  const squatter = await squatterContext.newPage();
  await squatter.goto('/register');
  await hydrated(squatter);
  await register(squatter, { kind: 'company', company: `Squat ${Date.now()}`, given: 'Sam', family: 'Squat', email: victim, confirm: false });
  await expect(squatter).toHaveURL(/\/confirm-email$/);
  await squatter.goto('/dashboard');
  await expect(squatter).toHaveURL(/\/confirm-email$/);

  // The victim signs in through the provider, which vouches for the address.
  const victimContext = await browser.newContext();
  const page = await victimContext.newPage();
  await page.goto('/signin');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in with Loopback ID' }).click();
  await page.locator('input[name="login"]').fill(victim);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  const row = page.locator('[data-test="org-row"]');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Personal');
  await expect(row).not.toContainText('Squat');

  // The squatter's session is gone, and so is the password.
  await squatter.goto('/dashboard');
  await expect(squatter).toHaveURL(/\/signin$/);
  await hydrated(squatter);
  await signIn(squatter, victim);
  await expect(squatter.locator('[data-test="form-error"]')).toHaveText('The email or password is wrong.');
  await squatterContext.close();
  await victimContext.close();
});
