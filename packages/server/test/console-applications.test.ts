import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { assertStatus, type Loose } from './support/api-client.ts';
import {
  type ConsoleHarness,
  createApplicationInConsole,
  fillPasswordForm,
  openConsolePage,
  openScreen,
  signInToConsole,
  startConsole,
} from './support/console.ts';
import { logtoNodeClient } from './support/logto-node.ts';

/**
 * The console's Applications screen (issue 7, "Applications"; docs/console.md) in Debian's Chromium, as a new
 * administrator would use it: create a Traditional app from the Express card, read the guide filled with the
 * real endpoint and app id, add the callback with one click, rotate the secret (the old one stops working, the
 * new one signs a user in with @logto/node using the guide's config values), set token lifetimes (a bad one is
 * refused in the page), the same screen in Thai; and an M2M app whose generated Node.js snippet, run as it is
 * shown, gets an access token for the chosen API resource.
 */

const adminName = 'apps_admin';

describe("the admin console's Applications screen in Chromium (issue 7)", () => {
  let c: ConsoleHarness;
  const errors: string[] = [];
  let app: { id: string; secret: string; newSecret: string; config: Record<string, string> };

  before(async () => {
    c = await startConsole(adminName);
  });
  after(() => c?.stop());

  /** `key: 'value'` pairs of the JS config object shown in a guide step. */
  const configOf = (code: string) =>
    Object.fromEntries([...code.matchAll(/^\s+(\w+): '([^']*)',$/gm)].map((match) => [match[1], match[2]]));

  const tokenRequest = (clientId: string, secret: string) =>
    fetch(`${c.t.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });

  it('creates a Traditional app from the Express card and shows its guide with the real endpoint and app id', async () => {
    const page = await openConsolePage(c.browser, errors, { colorScheme: 'dark' });
    await signInToConsole(page, c.t, adminName);
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor();

    await createApplicationInConsole(page, 'Bookshop', /Traditional web/, /Express \(Node\.js\)/);
    assert.equal(new URL(page.url()).searchParams.get('guide'), 'express');

    const id = await page.getByTestId('app-id').inputValue();
    const secret = await page.getByTestId('app-secret').inputValue();
    assert.equal(await page.getByTestId('app-endpoint').inputValue(), c.t.url);
    assert.ok(id && secret.length >= 20);

    // The guide: install, config with this app's values, routes, user; the secret is a placeholder, never shown.
    const guide = page.getByRole('region', { name: 'Integration guide' });
    await page.getByRole('button', { name: 'Express (Node.js)', pressed: true }).waitFor();
    assert.match((await page.getByTestId('guide-install').textContent()) ?? '', /npm i @logto\/express/);
    const config = configOf((await page.getByTestId('guide-config').textContent()) ?? '');
    assert.deepEqual(config, {
      endpoint: c.t.url,
      appId: id,
      appSecret: '<paste the app secret you copied>',
      baseUrl: 'http://localhost:3000',
    });
    assert.match((await page.getByTestId('guide-routes').textContent()) ?? '', /handleAuthRoutes\(config\)/);
    assert.match((await page.getByTestId('guide-user').textContent()) ?? '', /req\.user\.isAuthenticated/);
    assert.ok(!((await guide.textContent()) ?? '').includes(secret), 'the guide never shows the secret');

    // No redirect URI yet: the guide says so and adds the SDK's callback (and the sign-out return) in one click.
    await guide.getByText(/which the app does not list yet/).waitFor();
    await guide
      .getByRole('button', { name: 'Add redirect URI http://localhost:3000/logto/sign-in-callback' })
      .click();
    await guide.getByRole('button', { name: /^Add redirect URI/ }).waitFor({ state: 'detached' });
    await guide.getByRole('button', { name: 'Add post sign-out URI http://localhost:3000' }).click();
    await guide.getByRole('button', { name: /^Add post sign-out URI/ }).waitFor({ state: 'detached' });
    const saved = await c.api.get(`/api/applications/${id}`);
    assertStatus(saved, 200);
    assert.deepEqual(saved.body.oidcClientMetadata, {
      redirectUris: ['http://localhost:3000/logto/sign-in-callback'],
      postLogoutRedirectUris: ['http://localhost:3000'],
    });
    assert.equal(
      await page.getByLabel('Redirect URIs (one per line)', { exact: true }).inputValue(),
      'http://localhost:3000/logto/sign-in-callback',
      'the URI form shows the added URI',
    );

    // Another framework's guide is a click away and keeps the choice in the URL.
    // (from the keyboard: the framework switches are real buttons)
    await guide.getByRole('button', { name: 'Flask (Python)' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Flask (Python)', pressed: true }).waitFor();
    assert.match(
      (await page.getByTestId('guide-routes').textContent()) ?? '',
      /client\.signIn\(redirectUri=/,
    );
    assert.equal(new URL(page.url()).searchParams.get('guide'), 'flask');
    await guide.getByRole('button', { name: 'Express (Node.js)' }).click();

    app = { id, secret, newSecret: '', config };
    assert.deepEqual(errors, [], 'no page errors (CSP included)');
    await page.context().close();
  });

  it('rotates the secret: a new one shown once, the old one deleted from the offer and refused', async () => {
    const page = await openConsolePage(c.browser, errors);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await signInToConsole(page, c.t, adminName);
    await page.goto(`${c.t.url}/console/applications/${app.id}`);
    await page.getByRole('heading', { name: 'Bookshop' }).waitFor();
    // The old secret authenticates (a Traditional app may not use client_credentials: not `invalid_client`).
    const before = await tokenRequest(app.id, app.secret);
    assert.equal(((await before.json()) as Loose).error, 'unauthorized_client');

    await page.getByRole('button', { name: 'Rotate secret default' }).click();
    const newSecret = await page.getByTestId('new-secret').inputValue();
    assert.ok(newSecret.length >= 20 && newSecret !== app.secret);
    await page.getByRole('button', { name: 'Delete old secret “default”' }).click();
    await page.getByText('The old secret “default” was deleted.').waitFor();
    assert.match(dialogs[0] ?? '', /Delete the secret “default”/);

    const secrets = await c.api.get(`/api/applications/${app.id}/secrets`);
    assertStatus(secrets, 200);
    assert.equal(secrets.body.length, 1);
    assert.match(secrets.body[0].name, /^default \(rotated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
    const old = await tokenRequest(app.id, app.secret);
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as Loose).error, 'invalid_client');
    assert.equal(
      ((await (await tokenRequest(app.id, newSecret)).json()) as Loose).error,
      'unauthorized_client',
    );
    app.newSecret = newSecret;
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("signs a user in with @logto/node using the Express guide's config and the new secret", async () => {
    // What @logto/express's handleAuthRoutes does with the guide's config: sign in with
    // `${baseUrl}/logto/sign-in-callback`, handle the callback, sign out back to baseUrl.
    const { endpoint = '', appId = '', baseUrl = '' } = app.config;
    const config = { endpoint, appId, appSecret: app.newSecret, baseUrl };
    const { logto, navigated } = logtoNodeClient({
      endpoint: config.endpoint,
      appId: config.appId,
      appSecret: config.appSecret,
    });
    await logto.signIn(`${config.baseUrl}/logto/sign-in-callback`);
    // Nothing listens on localhost:3000 here: the browser's request to the app is what the test reads.
    const page = await openConsolePage(c.browser, []);
    const toApp = (path: string) => (request: { url(): string }) =>
      request.url().startsWith(`http://localhost:3000${path}`);
    await page.goto(navigated());
    const submit = await fillPasswordForm(page, adminName);
    const [callback] = await Promise.all([
      page.waitForRequest(toApp('/logto/sign-in-callback')),
      submit.click(),
    ]);
    await logto.handleSignInCallback(callback.url());
    assert.equal(await logto.isAuthenticated(), true);
    assert.equal((await logto.getIdTokenClaims()).aud, app.id);
    // Sign-out goes to the end-session endpoint with the post sign-out URI the guide added.
    await logto.signOut(config.baseUrl);
    assert.equal(new URL(navigated()).pathname, '/oidc/session/end');
    assert.equal(new URL(navigated()).searchParams.get('post_logout_redirect_uri'), 'http://localhost:3000');
    await page.context().close();
  });

  it('sets token lifetimes, and refuses a bad one in the page with a visible error', async () => {
    const page = await openConsolePage(c.browser, errors);
    await signInToConsole(page, c.t, adminName);
    await page.goto(`${c.t.url}/console/applications/${app.id}`);
    await page.getByRole('heading', { name: 'Token lifetimes' }).waitFor();

    await page.getByLabel('Access token lifetime (seconds)').fill('30');
    await page.getByLabel('Refresh token lifetime (days)').fill('400');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.getByText('Enter a number from 60 to 86400.').waitFor();
    await page.getByText('Enter a number from 1 to 365.').waitFor();
    assert.equal(
      await page.getByLabel('Access token lifetime (seconds)').getAttribute('aria-invalid'),
      'true',
    );
    const untouched = await c.api.get(`/api/applications/${app.id}`);
    assert.equal(untouched.body.customClientMetadata.accessTokenTtl, undefined, 'nothing was sent');

    await page.getByLabel('Access token lifetime (seconds)').fill('900');
    await page.getByLabel('Refresh token lifetime (days)').fill('30');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(await page.getByText('Enter a number from').count(), 0);
    const saved = await c.api.get(`/api/applications/${app.id}`);
    assert.equal(saved.body.customClientMetadata.accessTokenTtl, 900);
    assert.equal(saved.body.customClientMetadata.refreshTokenTtlInDays, 30);
    // The server keeps the same limits for anyone bypassing the page.
    assertStatus(
      await c.api.patch(`/api/applications/${app.id}`, { customClientMetadata: { accessTokenTtl: 30 } }),
      400,
    );
    // A reload that cuts a token refresh short would leave the console with a used refresh token: let it finish.
    await page.waitForLoadState('networkidle');
    await page.reload();
    await page.getByRole('heading', { name: 'Token lifetimes' }).waitFor();
    assert.equal(await page.getByLabel('Access token lifetime (seconds)').inputValue(), '900');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows the Applications screen and its details in Thai with locale th', async () => {
    const page = await openConsolePage(c.browser, errors, { locale: 'th-TH' });
    await signInToConsole(page, c.t, adminName);
    await page.getByRole('heading', { name: 'แอปพลิเคชัน', exact: true }).waitFor();
    await page.getByRole('button', { name: 'สร้างแอปพลิเคชัน' }).click();
    await page.getByRole('group', { name: 'เฟรมเวิร์ก' }).waitFor();
    await page.goto(`${c.t.url}/console/applications/${app.id}`);
    await page.getByRole('heading', { name: 'คู่มือการเชื่อมต่อ' }).waitFor();
    await page.getByRole('heading', { name: 'อายุของโทเค็น' }).waitFor();
    await page.getByLabel('อายุ access token (วินาที)').waitFor();
    await page.getByRole('button', { name: /^หมุนเวียนรหัสลับ / }).waitFor();
    await page.getByRole('link', { name: '← แอปพลิเคชัน' }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('runs the M2M Node.js guide as shown: a token for the chosen API resource', async () => {
    const resource = await c.api.post('/api/resources', {
      name: 'Orders API',
      indicator: 'https://orders.example',
    });
    assertStatus(resource, 201);
    const scope = await c.api.post(`/api/resources/${resource.body.id}/scopes`, { name: 'read:orders' });
    assertStatus(scope, 201);

    const page = await openConsolePage(c.browser, errors);
    await signInToConsole(page, c.t, adminName);
    await openScreen(page, 'Applications');
    await createApplicationInConsole(page, 'Order sync', /Machine-to-machine/, /^Node\.js/);
    const id = await page.getByTestId('app-id').inputValue();
    const secret = await page.getByTestId('app-secret').inputValue();
    const role = await c.api.post('/api/roles', {
      name: 'Order reader',
      description: 'Reads orders',
      type: 'MachineToMachine',
      scopeIds: [scope.body.id],
    });
    assertStatus(role, 201);
    assertStatus(await c.api.post(`/api/roles/${role.body.id}/applications`, { applicationIds: [id] }), 201);

    await page.getByLabel('API resource').selectOption('https://orders.example');
    await page.getByTestId('guide-call').getByText("scope: 'read:orders'").waitFor();
    const code = (await page.getByTestId('guide-call').textContent()) ?? '';
    assert.match(
      (await page.getByTestId('guide-token').textContent()) ?? '',
      /resource=https:\/\/orders\.example/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-guide-'));
    try {
      const file = join(dir, 'token.mjs');
      await writeFile(file, `${code}\nconsole.log(JSON.stringify({ access_token, expires_in }));\n`);
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        env: { ...process.env, APP_SECRET: secret },
      });
      const answer = JSON.parse(stdout) as { access_token: string; expires_in: number };
      const payload = JSON.parse(
        Buffer.from(answer.access_token.split('.')[1] ?? '', 'base64url').toString(),
      );
      assert.equal(payload.aud, 'https://orders.example');
      assert.equal(payload.client_id, id);
      assert.equal(payload.scope, 'read:orders');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
