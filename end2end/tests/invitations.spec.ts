import { expect, hydrated, linkIn, PASSWORD, register, test, uniqueEmail, waitForMail } from './helpers';

test('invite by email, accept as a new person, see the members read-only', async ({ page, browser, allowConsole }) => {
  allowConsole(/^$/);
  const company = `Invite Co ${Date.now()}`;
  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Olga', family: 'Owner', email: uniqueEmail('olga') });
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole('link', { name: company }).click();
  await page.locator('[data-test="org-members"]').click();
  await expect(page).toHaveURL(/\/orgs\/.+\/members$/);
  const membersUrl = page.url();

  const invitee = uniqueEmail('nina', 'example.org');
  const form = page.locator('[data-test="invite-form"]');
  await form.getByLabel('Email', { exact: true }).fill(invitee);
  await form.getByLabel('Role').selectOption('member');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.locator('[data-test="invite-outcome"]')).toContainText(`Invitation sent to ${invitee}`);
  const pending = page.locator('[data-test="invitation-row"]');
  await expect(pending).toHaveCount(1);
  await expect(pending.locator('[data-test="invitation-delivery"]')).toHaveText('Delivered');

  // The email arrives at the loopback SMTP server; its link opens in another browser.
  const mail = await waitForMail(invitee);
  expect(mail.subject).toContain(company);
  const link = linkIn(mail.text);
  const guest = await (await browser.newContext()).newPage();
  await guest.goto(link);
  await hydrated(guest);
  await expect(guest.getByRole('heading', { name: `Join ${company}` })).toBeVisible();
  await expect(guest.locator('[data-test="invite-lead"]')).toContainText('Olga Owner invited');
  await guest.getByLabel('Given name').fill('Nina');
  await guest.getByLabel('Family name').fill('Neu');
  await guest.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await guest.getByRole('button', { name: 'Create account and join' }).click();
  await expect(guest).toHaveURL(membersUrl);
  await expect(guest.locator('[data-test="read-only"]')).toBeVisible();
  await expect(guest.locator('[data-test="member-row"]')).toHaveCount(2);
  await expect(guest.locator('[data-test="invite-form"]')).toHaveCount(0);
  await expect(guest.locator('[data-test="header-org"]')).toHaveText(company);

  // The link worked once.
  await guest.goto(link);
  await expect(guest.getByRole('alert')).toContainText('already been used');

  // The owner's page no longer lists the invitation.
  await page.reload();
  await expect(page.locator('[data-test="invitation-row"]')).toHaveCount(0);
  await expect(page.locator('[data-test="member-row"]')).toHaveCount(2);
});

test('ownership moves to an invited admin, then the first owner steps down', async ({ page, browser, allowConsole }) => {
  allowConsole(/^$/);
  const company = `Transfer Co ${Date.now()}`;
  await page.goto('/register');
  await hydrated(page);
  await register(page, { kind: 'company', company, given: 'Otto', family: 'First', email: uniqueEmail('otto') });
  await page.getByRole('link', { name: company }).click();
  await page.locator('[data-test="org-members"]').click();
  await expect(page).toHaveURL(/\/members$/);
  const admin = uniqueEmail('ada', 'example.org');
  const form = page.locator('[data-test="invite-form"]');
  await form.getByLabel('Email', { exact: true }).fill(admin);
  await form.getByLabel('Role').selectOption('admin');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.locator('[data-test="invitation-row"]')).toHaveCount(1);

  const guest = await (await browser.newContext()).newPage();
  await guest.goto(linkIn((await waitForMail(admin)).text));
  await hydrated(guest);
  await guest.getByLabel('Given name').fill('Ada');
  await guest.getByLabel('Family name').fill('Second');
  await guest.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await guest.getByRole('button', { name: 'Create account and join' }).click();
  await expect(guest).toHaveURL(/\/members$/);

  // Promote Ada to owner.
  await page.reload();
  await hydrated(page);
  const ada = page.locator('[data-test="member-row"]', { hasText: 'Ada Second' });
  await ada.getByRole('combobox').selectOption('owner');
  await ada.getByRole('button', { name: 'Change' }).click();
  await expect(ada.locator('[data-test="member-role"]')).toHaveText('Owner');

  // Otto steps down to admin: allowed now that another owner exists.
  const otto = page.locator('[data-test="member-row"]', { hasText: 'Otto First' });
  await otto.getByRole('combobox').selectOption('admin');
  await otto.getByRole('button', { name: 'Change' }).click();
  await expect(otto.locator('[data-test="member-role"]')).toHaveText('Admin');
  await expect(page.locator('[data-test="org-settings"]')).toHaveCount(0);

  // Ada, now the only owner, sees the settings link; the audit log shows the transfer.
  await guest.reload();
  await expect(guest.locator('[data-test="org-settings"]')).toBeVisible();
  await guest.locator('[data-test="org-audit"]').click();
  await expect(guest).toHaveURL(/\/audit$/);
  await expect(guest.locator('[data-test="audit-action"]', { hasText: 'member.change_role' })).toHaveCount(2);
  await expect(guest.locator('[data-test="audit-action"]', { hasText: 'invitation.accept' })).toHaveCount(1);
});
