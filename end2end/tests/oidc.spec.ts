import { expect, hydrated, test, uniqueEmail } from './helpers';

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
