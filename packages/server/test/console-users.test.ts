import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertStatus, type Loose } from './support/api-client.ts';
import {
  acceptDialogs,
  type ConsoleHarness,
  consolePassword,
  openConsolePage,
  openScreen,
  signInToConsole,
  startConsole,
} from './support/console.ts';

/**
 * The console's Users screen (issue 7, "Users"; docs/console.md) in Debian's Chromium, on a fresh server with its
 * first administrator: create a user, find them by search, suspend them, see a social identity and the status of
 * its stored provider tokens (never the tokens), unlink it, delete the user.
 */

const password = consolePassword;
const adminName = 'first_admin';

describe("the admin console's Users screen in Chromium (issue 7)", () => {
  let c: ConsoleHarness;
  const pageErrors: string[] = [];

  before(async () => {
    c = await startConsole(adminName);
  });
  after(() => c?.stop());

  const openPage = (colorScheme: 'light' | 'dark' = 'light') =>
    openConsolePage(c.browser, pageErrors, { colorScheme });
  const signIn = (page: Page) => signInToConsole(page, c.t, adminName);

  it('creates, finds, suspends a user, shows and unlinks their social identity, and deletes them', async () => {
    // Someone else, so the search has something to leave out.
    assertStatus(
      await c.api.post('/api/users', { username: 'other_person', primaryEmail: 'other@example.com' }),
      201,
    );

    const page = await openPage('dark');
    const dialogs = acceptDialogs(page);
    await signIn(page);
    await openScreen(page, 'Users');
    assert.equal(new URL(page.url()).pathname, '/console/users');

    // Create: a rejected password first (the error's code is shown), then a good one.
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByLabel('Username').fill('somchai_k');
    await page.getByLabel('Email').fill('Somchai@Example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /password\.rejected/);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'somchai_k' }).waitFor();
    const userId = (await page.getByTestId('user-id').textContent()) ?? '';
    assert.ok(userId, 'the details page shows the id');
    const fetched = await c.api.get(`/api/users/${userId}`);
    assertStatus(fetched, 200);
    assert.equal(fetched.body.primaryEmail, 'somchai@example.com');
    assert.equal(fetched.body.hasPassword, true);

    // Search finds them, and leaves the other user out.
    await page.getByRole('link', { name: '← Users' }).click();
    await page.getByRole('link', { name: 'other_person' }).waitFor();
    await page.getByLabel('Search users', { exact: true }).fill('somchai');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Page 1 of 1 (1 users)').waitFor();
    assert.equal(await page.getByRole('link', { name: 'other_person' }).count(), 0);
    await page.getByRole('link', { name: 'somchai_k' }).click();
    await page.getByRole('heading', { name: 'somchai_k' }).waitFor();

    // Custom data: invalid JSON is refused in the page, a valid object is saved.
    await page.getByLabel('Custom data (JSON)').fill('{"plan": ');
    await page.getByText(/It is not valid JSON/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save profile' }).isDisabled(), true);
    await page.getByLabel('Custom data (JSON)').fill('{"plan": "pro"}');
    await page.getByLabel('Name', { exact: true }).fill('Somchai K.');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await c.api.get(`/api/users/${userId}`);
    assert.deepEqual(saved.body.customData, { plan: 'pro' });
    assert.equal(saved.body.name, 'Somchai K.');

    // A new password: the policy's refusal is shown with its code, then a good one is set (confirmed).
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('password.rejected').waitFor();
    await page.getByLabel('New password').fill('another long harbor passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Password set.').waitFor();
    assertStatus(
      await c.api.post(`/api/users/${userId}/password/verify`, {
        password: 'another long harbor passphrase',
      }),
      204,
    );

    // Suspend.
    await page.getByRole('button', { name: 'Suspend user', exact: true }).click();
    await page.getByRole('button', { name: 'Unsuspend user', exact: true }).waitFor();
    assert.equal((await c.api.get(`/api/users/${userId}`)).body.isSuspended, true);
    assert.match(dialogs.at(-1) ?? '', /Suspend somchai_k/);

    // A social identity with stored provider tokens, given through the Management API and the token service.
    const target = 'acme-social';
    const sub = 'upstream-sub-4242';
    assertStatus(
      await c.api.send('PUT', `/api/users/${userId}/identities/${target}`, {
        body: { userId: sub, details: { email: 'somchai@acme.example', name: 'Somchai at Acme' } },
      }),
      201,
    );
    const tokens = {
      accessToken: 'canary-access-token-7f3a9c2e',
      refreshToken: 'canary-refresh-token-1b8d4e6f',
      idToken: 'canary-id-token-5c2a7d9b',
      scope: 'openid calendar.read',
      tokenType: 'Bearer',
      expiresIn: 3600,
    };
    await c.t.registry.identityTokens.store(userId, target, tokens);

    await page.reload();
    const identity = page.getByTestId(`identity-${target}`);
    await identity.waitFor();
    await identity.getByText(sub).waitFor();
    const status = (await identity.getByTestId('token-status').textContent()) ?? '';
    assert.match(status, /stored/);
    assert.match(status, /refresh token: yes/);
    assert.match(status, /openid calendar\.read/);
    await identity.getByText('Profile details received').click();
    await identity.getByText(/somchai@acme\.example/).waitFor();
    const text = (await page.locator('body').textContent()) ?? '';
    const html = await page.content();
    for (const value of [tokens.accessToken, tokens.refreshToken, tokens.idToken]) {
      assert.ok(!text.includes(value) && !html.includes(value), 'no token value in the page');
    }

    // Unlink (confirmed): gone in the page and in the API.
    await page.getByRole('button', { name: `Unlink ${target}` }).click();
    await page.getByText('No social identity is linked.').waitFor();
    assert.match(dialogs.at(-1) ?? '', /Unlink the acme-social identity/);
    const identities = await c.api.get(`/api/users/${userId}/identities`);
    assertStatus(identities, 200);
    assert.deepEqual(
      identities.body.map((item: Loose) => item.target),
      [],
    );
    assert.equal((await c.api.get(`/api/users/${userId}/identities/${target}`)).status, 404);

    // Unsuspend, then delete (confirmed): back on the list, and gone from the API.
    await page.getByRole('button', { name: 'Unsuspend user', exact: true }).click();
    await page.getByRole('button', { name: 'Suspend user', exact: true }).waitFor();
    assert.equal((await c.api.get(`/api/users/${userId}`)).body.isSuspended, false);
    await page.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    assert.match(dialogs.at(-1) ?? '', /Delete somchai_k/);
    assert.equal((await c.api.get(`/api/users/${userId}`)).status, 404);
    await page.getByRole('link', { name: 'other_person' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'somchai_k' }).count(), 0);

    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('shows the API error (message and code) for a user that does not exist', async () => {
    const page = await openPage();
    await signIn(page);
    await page.goto(`${c.t.url}/console/users/no-such-user`);
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /user\.not_found/);
    await page.context().close();
  });
});
