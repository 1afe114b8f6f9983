import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import type { Browser } from 'playwright-core';
import { consoleCsp, createConsole } from '../src/console/routes.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import { type CallbackServer, startCallbackServer } from './support/callback-server.ts';
import {
  consolePassword,
  createApplicationInConsole,
  fillPasswordForm,
  openConsolePage,
  postFirstAdmin,
  signInToConsole,
} from './support/console.ts';
import { logtoNodeClient } from './support/logto-node.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The admin console (issue 7, docs/console.md) in Debian's Chromium, as a new administrator uses it on a fresh
 * server: create the first administrator on the one-time page, sign in through the hosted pages, create the
 * "Bookstore" app and read its id and secret, then prove them with the official @logto/node SDK.
 */

const password = consolePassword;
const adminName = 'first_admin';

describe('the admin console in Chromium (issue 7)', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let app: CallbackServer;
  const pageErrors: string[] = [];

  before(async () => {
    [t, app] = await Promise.all([startTestServer(), startCallbackServer()]);
    api = await managementClient(t);
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  after(async () => {
    await closeBrowser?.();
    await app?.close();
    await t?.stop();
  });

  let bookstore: { id: string; secret: string };

  it('serves the page with no-store and its CSP, hashed assets as immutable, and client routes (SPA fallback)', async () => {
    const index = await fetch(`${t.url}/console`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-store');
    assert.equal(index.headers.get('content-security-policy'), consoleCsp);
    assert.match(consoleCsp, /frame-ancestors 'none'/);
    assert.doesNotMatch(consoleCsp, /unsafe-inline/);
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
    assert.ok(assets.length >= 2, 'a script and a stylesheet');
    for (const asset of assets) {
      const response = await fetch(`${t.url}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(response.headers.get('content-type') ?? '', /^(text\/javascript|text\/css)/);
    }
    const fallback = await fetch(`${t.url}/console/applications/anything`);
    assert.equal(fallback.status, 200);
    assert.equal(await fallback.text(), html);
    assert.equal((await fetch(`${t.url}/console/assets/missing.js`)).status, 404);
    assert.equal((await fetch(`${t.url}/console/assets/..%2f..%2fpackage.json`)).status, 404);
  });

  it('answers a 503 page saying how to build the console when its dist folder is missing', async () => {
    const koa = new Koa().use(createConsole(t.registry, { dist: '/nonexistent/console-dist' }));
    const server = createServer(koa.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/console`);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /npm run build:console/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a non-JSON first-admin request (a cross-site form cannot post it)', async () => {
    const response = await postFirstAdmin(
      t,
      `username=x&password=${encodeURIComponent(password)}`,
      'text/plain',
    );
    assert.equal(response.status, 415);
  });

  it('refuses missing, mistyped or malformed first-admin fields with 400 and creates nobody', async () => {
    for (const body of [
      {},
      { username: 'admin' },
      { username: 42, password },
      { username: 'not a username!', password },
      '{"username": "admin", "password":',
    ]) {
      const response = await postFirstAdmin(t, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const answer = (await response.json()) as { code?: string };
      assert.match(answer.code ?? '', /^request\./, JSON.stringify(answer));
    }
    const status = (await (await fetch(`${t.url}/api/console/status`)).json()) as {
      firstAdminNeeded: boolean;
    };
    assert.equal(status.firstAdminNeeded, true, 'nobody was created');
  });

  it('creates the first administrator on the one-time page, then signs in through the hosted page', async () => {
    const status: Loose = await (await fetch(`${t.url}/api/console/status`)).json();
    assert.equal(status.firstAdminNeeded, true);

    const page = await openConsolePage(browser, pageErrors);
    await page.goto(`${t.url}/console`);
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.getByLabel('Username').fill(adminName);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /password\.rejected/);

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Administrator created' }).waitFor();
    await page.getByRole('button', { name: 'Continue to sign-in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    await signInToConsole(page, t, adminName);
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/applications');

    // Create "Bookstore" (Traditional web), read its id and the secret shown once.
    await createApplicationInConsole(page, 'Bookstore', /Traditional web/);
    assert.equal(await page.getByTestId('app-endpoint').inputValue(), t.url);
    const id = await page.getByTestId('app-id').inputValue();
    const secret = await page.getByTestId('app-secret').inputValue();
    assert.ok(id && secret.length >= 20, 'an app id and a secret');
    bookstore = { id, secret };

    await page.getByLabel('Redirect URIs (one per line)', { exact: true }).fill(`${app.url}/callback`);
    await page.getByLabel('Post sign-out redirect URIs (one per line)').fill(`${app.url}/`);
    await page.getByRole('button', { name: 'Save URIs' }).click();
    await page.getByText('Saved.').waitFor();

    // Reloaded, the secret is gone for good; the list shows the app.
    await page.reload();
    await page.getByRole('heading', { name: 'Bookstore' }).waitFor();
    assert.equal(await page.getByTestId('app-secret').count(), 0, 'the secret is shown once');
    await page.getByRole('link', { name: '← Applications' }).click();
    await page.getByRole('link', { name: 'Bookstore' }).waitFor();
    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('closes the first-admin endpoint for good once an administrator exists', async () => {
    const status: Loose = await (await fetch(`${t.url}/api/console/status`)).json();
    assert.equal(status.firstAdminNeeded, false);
    const response = await postFirstAdmin(t, { username: 'second_admin', password });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as Loose).code, 'auth.forbidden');

    const page = await openConsolePage(browser, pageErrors);
    await page.goto(`${t.url}/console`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Create the first administrator' }).count(), 0);
    await page.context().close();
  });

  it("signs a user in to Bookstore with the official @logto/node SDK, using the console's id and secret", async () => {
    const { logto, navigated } = logtoNodeClient({
      endpoint: t.url,
      appId: bookstore.id,
      appSecret: bookstore.secret,
    });
    await logto.signIn({ redirectUri: `${app.url}/callback` });
    const page = await openConsolePage(browser, pageErrors);
    await page.goto(navigated());
    const submit = await fillPasswordForm(page, adminName);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${app.url}/callback`)), submit.click()]);
    await logto.handleSignInCallback(page.url());
    assert.equal(await logto.isAuthenticated(), true);
    const claims = await logto.getIdTokenClaims();
    assert.equal(claims.aud, bookstore.id);
    assert.equal(claims.iss, `${t.url}/oidc`);
    await page.context().close();
  });

  it('tells a signed-in user without the administrator role that they are not one, with a sign-out button', async () => {
    assertStatus(await api.post('/api/users', { username: 'plain_user', password }), 201);
    const page = await openConsolePage(browser, pageErrors, { colorScheme: 'dark' });
    await signInToConsole(page, t, 'plain_user');
    await page.getByRole('heading', { name: 'You are not an administrator' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.context().close();
  });

  it('lets exactly one of two concurrent first-admin calls succeed on a fresh server', async () => {
    const fresh = await startTestServer();
    try {
      const answers = await Promise.all([
        postFirstAdmin(fresh, { username: 'racer_one', password }),
        postFirstAdmin(fresh, { username: 'racer_two', password }),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 403]);
      const admin = await managementClient(fresh);
      const role = await admin.get('/api/roles/console-administrator/users');
      assertStatus(role, 200);
      assert.equal(role.body.length, 1);
      assertApiError(
        await (async () => {
          const response = await postFirstAdmin(fresh, { username: 'racer_three', password });
          return { status: response.status, headers: response.headers, body: await response.json() };
        })(),
        403,
        'auth.forbidden',
      );
    } finally {
      await fresh.stop();
    }
  });
});
