import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ApiClient, assertStatus, type Loose, managementClient } from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

/**
 * The console's Connectors screen (issue 7, "Connectors"; docs/console.md) in Debian's Chromium: an administrator
 * adds an OpenID Connect connector through the form generated from the `oidc` factory's JSON Schema, pointing at
 * a local upstream; inline validation refuses a bad URL before anything is sent; the connector is saved, its
 * callback URI copied, and it is shown on the sign-in page. The API then confirms the connector, its masked
 * secret and its target in socialSignInConnectorTargets.
 */

const password = 'amber lantern harbor 4096';
const adminName = 'connector_admin';
const clientSecret = 'upstream-client-secret-0123456789';

/** A form field by its label, exactly, whether or not it carries the required mark. */
const field = (page: Page, label: string) =>
  page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));

describe('the Connectors screen of the admin console in Chromium (issue 7)', () => {
  let t: TestServer;
  let api: ApiClient;
  let upstream: Upstream;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const pageErrors: string[] = [];

  before(async () => {
    [t, upstream] = await Promise.all([startTestServer(), startUpstream()]);
    api = await managementClient(t);
    ({ browser, close: closeBrowser } = await launchChromium());
    const created = await fetch(`${t.url}/api/console/first-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: adminName, password }),
    });
    assert.equal(created.status, 201);
  });
  after(async () => {
    await closeBrowser?.();
    await upstream?.stop();
    await t?.stop();
  });

  const signIn = async (page: Page) => {
    await page.goto(`${t.url}/console`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/sign-in'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await page.locator('input[autocomplete=username]').fill(adminName);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/console') && url.pathname !== '/console/callback'),
      page.locator('button[type=submit]').click(),
    ]);
  };

  it('adds an OIDC connector through the generated form, copies its callback URI and shows it on the sign-in page', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 4'))
        pageErrors.push(message.text());
    });
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'Connectors', exact: true }).waitFor();
    await page.getByText('No social connector yet.').waitFor();

    await page.getByRole('link', { name: 'Add connector' }).click();
    await page.getByRole('button', { name: /\(oidc\)$/ }).click();
    await page.getByRole('heading', { name: /^New .* connector$/ }).waitFor();

    // The form is generated from the schema: required marks, help text, a password input, enums as selects.
    assert.equal(await field(page, 'Client secret').getAttribute('type'), 'password');
    assert.equal(await field(page, 'Token endpoint auth method').inputValue(), 'client_secret_basic');
    await page
      .getByText('An absolute http(s) URL; fetched through the outbound guard (SSRF-checked).')
      .first()
      .waitFor();
    await page.getByRole('group', { name: 'ID token verification config' }).waitFor();
    await page.getByRole('checkbox', { name: 'RS256', exact: true }).waitFor();

    await field(page, 'Target (IdP name)').fill('local-upstream');
    await field(page, 'Button name (English)').fill('Local Upstream');
    await field(page, 'Client ID').fill('gatehouse-local');
    await field(page, 'Client secret').fill(clientSecret);
    await field(page, 'Authorization endpoint').fill('not a url');
    // The first "Token endpoint" is the config's own; authRequestOptionalConfig has another, optional.
    await field(page, 'Token endpoint').first().fill(`${upstream.issuer}/token`);
    await field(page, 'JWKS URI').fill(upstream.jwksUri);
    await field(page, 'Issuer').fill(upstream.issuer);

    // Inline validation refuses the bad URL; nothing is sent.
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByText('Authorization endpoint must be an absolute http(s) URL').waitFor();
    assert.equal(await field(page, 'Authorization endpoint').getAttribute('aria-invalid'), 'true');
    assert.equal(((await api.get('/api/connectors')).body as Loose[]).length, 0, 'nothing was created');

    await field(page, 'Authorization endpoint').fill(upstream.authorizationEndpoint);
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: 'Local Upstream' }).waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    assert.ok(id, 'the connector id in the URL');
    const callback = page.getByTestId('connector-callback-uri');
    assert.equal(await callback.inputValue(), `${t.url}/callback/${id}`);
    await page.getByRole('button', { name: 'Copy Callback URI' }).click();
    await page.getByRole('button', { name: 'Copy Callback URI' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), `${t.url}/callback/${id}`);

    // On edit the secret input is empty: the stored one stays unless retyped.
    assert.equal(await field(page, 'Client secret').inputValue(), '');

    await page.getByRole('link', { name: '← Connectors' }).click();
    const toggle = page.getByRole('checkbox', { name: 'Show Local Upstream on the sign-in page' });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await page.getByText('Shown', { exact: true }).waitFor();

    // Through the API: the connector, its secret masked, and its target on the sign-in page.
    const connector = await api.get(`/api/connectors/${id}`);
    assertStatus(connector, 200);
    assert.equal(connector.body.connectorId, 'oidc');
    assert.equal(connector.body.target, 'local-upstream');
    assert.equal(connector.body.config.clientSecret, '********');
    assert.equal(connector.body.config.clientId, 'gatehouse-local');
    assert.equal(connector.body.config.authorizationEndpoint, upstream.authorizationEndpoint);
    assert.deepEqual(connector.body.config.idTokenVerificationConfig, {
      jwksUri: upstream.jwksUri,
      issuer: upstream.issuer,
    });
    assert.deepEqual(connector.body.metadata.name, { en: 'Local Upstream' });
    const settings = await api.get('/api/sign-in-exp');
    assert.deepEqual(settings.body.socialSignInConnectorTargets, ['local-upstream']);
    // And the hosted sign-in page (reached here through the console's own sign-in) shows the button.
    const visitor = await browser.newContext({ locale: 'en-US' });
    const signInPage = await visitor.newPage();
    await signInPage.goto(`${t.url}/console`);
    await Promise.all([
      signInPage.waitForURL((url) => url.pathname === '/sign-in'),
      signInPage.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await signInPage.getByRole('button', { name: 'Continue with Local Upstream' }).waitFor();
    await visitor.close();

    // Saving the edit form without retyping the secret keeps it (the sign-in page still shows it).
    await page.getByRole('link', { name: 'Local Upstream' }).click();
    await field(page, 'Scope').fill('openid profile email');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const edited = await api.get(`/api/connectors/${id}`);
    assert.equal(edited.body.config.scope, 'openid profile email');
    assert.equal(edited.body.config.clientSecret, '********');

    // Hidden again, then deleted after a confirmation.
    await page.getByRole('link', { name: '← Connectors' }).click();
    await page.getByRole('checkbox', { name: 'Show Local Upstream on the sign-in page' }).uncheck();
    await page.getByText('Hidden', { exact: true }).waitFor();
    assert.deepEqual((await api.get('/api/sign-in-exp')).body.socialSignInConnectorTargets, []);
    await page.getByRole('button', { name: 'Delete Local Upstream' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No social connector yet.').waitFor();
    assert.equal((await api.get(`/api/connectors/${id}`)).status, 404);

    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await context.close();
  });
});
