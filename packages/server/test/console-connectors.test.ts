import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertStatus, type Loose } from './support/api-client.ts';
import {
  type ConsoleHarness,
  consoleField,
  openConsolePage,
  signInToConsole,
  startConsole,
} from './support/console.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

/**
 * The console's Connectors screen (issue 7, "Connectors"; docs/console.md) in Debian's Chromium: an administrator
 * adds an OpenID Connect connector through the form generated from the `oidc` factory's JSON Schema, pointing at
 * a local upstream; inline validation refuses a bad URL before anything is sent; the connector is saved, its
 * callback URI copied, and it is shown on the sign-in page. The API then confirms the connector, its masked
 * secret and its target in socialSignInConnectorTargets. Then: list fields (`issuer`, `audience`), `crit` and
 * `currentDate` edited and saved as the schema wants them; the "Test" report against the local upstream (a pass,
 * then a fail for a wrong issuer) and the provider's sign-in page opened in a new tab; the test endpoint itself.
 */

const adminName = 'connector_admin';
const clientSecret = 'upstream-client-secret-0123456789';

const field = consoleField;

describe('the Connectors screen of the admin console in Chromium (issue 7)', () => {
  let c: ConsoleHarness;
  let upstream: Upstream;
  const pageErrors: string[] = [];

  before(async () => {
    [c, upstream] = await Promise.all([startConsole(adminName), startUpstream()]);
  });
  after(async () => {
    await upstream?.stop();
    await c?.stop();
  });

  const signIn = (page: Page) => signInToConsole(page, c.t, adminName);

  it('adds an OIDC connector through the generated form, copies its callback URI and shows it on the sign-in page', async () => {
    const page = await openConsolePage(c.browser, pageErrors, {
      grant: { permissions: ['clipboard-read', 'clipboard-write'], origin: c.t.url },
    });
    const context = page.context();
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
    assert.equal(((await c.api.get('/api/connectors')).body as Loose[]).length, 0, 'nothing was created');

    await field(page, 'Authorization endpoint').fill(upstream.authorizationEndpoint);
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: 'Local Upstream' }).waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    assert.ok(id, 'the connector id in the URL');
    const callback = page.getByTestId('connector-callback-uri');
    assert.equal(await callback.inputValue(), `${c.t.url}/callback/${id}`);
    await page.getByRole('button', { name: 'Copy Callback URI' }).click();
    await page.getByRole('button', { name: 'Copy Callback URI' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), `${c.t.url}/callback/${id}`);

    // On edit the secret input is empty: the stored one stays unless retyped.
    assert.equal(await field(page, 'Client secret').inputValue(), '');

    await page.getByRole('link', { name: '← Connectors' }).click();
    const toggle = page.getByRole('checkbox', { name: 'Show Local Upstream on the sign-in page' });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await page.getByText('Shown', { exact: true }).waitFor();

    // Through the API: the connector, its secret masked, and its target on the sign-in page.
    const connector = await c.api.get(`/api/connectors/${id}`);
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
    const settings = await c.api.get('/api/sign-in-exp');
    assert.deepEqual(settings.body.socialSignInConnectorTargets, ['local-upstream']);
    // And the hosted sign-in page (reached here through the console's own sign-in) shows the button.
    const visitor = await c.browser.newContext({ locale: 'en-US' });
    const signInPage = await visitor.newPage();
    await signInPage.goto(`${c.t.url}/console`);
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
    const edited = await c.api.get(`/api/connectors/${id}`);
    assert.equal(edited.body.config.scope, 'openid profile email');
    assert.equal(edited.body.config.clientSecret, '********');

    // Hidden again, then deleted after a confirmation.
    await page.getByRole('link', { name: '← Connectors' }).click();
    await page.getByRole('checkbox', { name: 'Show Local Upstream on the sign-in page' }).uncheck();
    await page.getByText('Hidden', { exact: true }).waitFor();
    assert.deepEqual((await c.api.get('/api/sign-in-exp')).body.socialSignInConnectorTargets, []);
    await page.getByRole('button', { name: 'Delete Local Upstream' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No social connector yet.').waitFor();
    assert.equal((await c.api.get(`/api/connectors/${id}`)).status, 404);

    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await context.close();
  });

  /** An OIDC connector at the local upstream, through the API. */
  const createOidcConnector = async (target: string, issuer = upstream.issuer) => {
    const created = await c.api.post('/api/connectors', {
      connectorId: 'oidc',
      config: {
        clientId: 'gatehouse-local',
        clientSecret,
        authorizationEndpoint: upstream.authorizationEndpoint,
        tokenEndpoint: `${upstream.issuer}/token`,
        idTokenVerificationConfig: { jwksUri: upstream.jwksUri, issuer },
      },
      metadata: { target, name: { en: target } },
    });
    assertStatus(created, 201);
    return created.body.id as string;
  };

  /** A signed-in page on a connector's own page, once `heading` shows. */
  const openConnectorPage = async (id: string, heading: string) => {
    const page = await openConsolePage(c.browser, pageErrors);
    await signIn(page);
    await page.goto(`${c.t.url}/console/connectors/${id}`);
    await page.getByRole('heading', { name: heading }).waitFor();
    return page;
  };

  it('edits "a string or a list" as one per line, crit as named flags and currentDate; lists are saved as arrays', async () => {
    const id = await createOidcConnector('list-fields');
    const page = await openConnectorPage(id, 'list-fields');

    const audience = field(page, 'Audience');
    assert.equal(await audience.evaluate((element) => element.tagName), 'TEXTAREA');
    assert.equal(await field(page, 'Issuer').inputValue(), upstream.issuer, 'one issuer: one line');
    await audience.fill('gatehouse-local\nbookstore\n');
    await field(page, 'Issuer').fill(`${upstream.issuer}\nhttps://id.example.com`);
    await page.getByRole('button', { name: 'Add crit entry' }).click();
    await page.getByLabel('Crit name 1').fill('b64');
    assert.equal(await page.getByLabel('Crit 1: processed').isChecked(), true);
    await field(page, 'Current date').fill('not a date');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Current date must be a date and time such as 2026-01-31T12:00:00Z').waitFor();
    await field(page, 'Current date').fill('2026-01-31T12:00:00Z');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    const saved = await c.api.get(`/api/connectors/${id}`);
    assertStatus(saved, 200);
    assert.deepEqual(saved.body.config.idTokenVerificationConfig, {
      jwksUri: upstream.jwksUri,
      issuer: [upstream.issuer, 'https://id.example.com'],
      audience: ['gatehouse-local', 'bookstore'],
      crit: { b64: true },
      currentDate: '2026-01-31T12:00:00.000Z',
    });
    assert.equal(saved.body.config.clientSecret, '********', 'the secret kept');
    // Reloaded, the lists come back one per line.
    await page.reload();
    assert.equal(await field(page, 'Audience').inputValue(), 'gatehouse-local\nbookstore');
    assert.equal(await page.getByLabel('Crit name 1').inputValue(), 'b64');
    assertStatus(await c.api.del(`/api/connectors/${id}`), 204);
    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('"Test" checks the saved settings against the upstream: a pass, then a fail for a wrong issuer', async () => {
    const id = await createOidcConnector('checked');
    const page = await openConnectorPage(id, 'Test the settings');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('No check failed.').waitFor();
    const results = page.getByRole('table', { name: 'Test results' });
    const row = (name: string) => results.getByRole('row', { name: new RegExp(`^${name}`) });
    await row('Discovery document Pass').waitFor();
    await row('Issuer Pass').waitFor();
    await row('Endpoints Pass').waitFor();
    await row('Signing keys \\(JWKS\\) Pass').waitFor();
    await row('Authorization endpoint Pass').waitFor();

    // "Open the provider's sign-in page": the upstream's own page, in a new tab, with the saved client id and the
    // callback URI. Unknown to the upstream, the client id is refused there; once registered, its login shows.
    const openProvider = async () => {
      const [opened] = await Promise.all([
        page.context().waitForEvent('page'),
        page.getByRole('link', { name: "Open the provider's sign-in page (opens in a new tab)" }).click(),
      ]);
      await opened.waitForLoadState();
      return opened;
    };
    const refused = await openProvider();
    await refused.getByText('invalid_client').first().waitFor();
    await refused.close();
    await upstream.registerClient({
      client_id: 'gatehouse-local',
      client_secret: clientSecret,
      redirect_uris: [`${c.t.url}/callback/${id}`],
    });
    const upstreamPage = await openProvider();
    await upstreamPage.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    const request = upstream.seen.authorizations.at(-1);
    assert.equal(request?.get('client_id'), 'gatehouse-local');
    assert.equal(request?.get('redirect_uri'), `${c.t.url}/callback/${id}`);
    assert.equal(request?.get('response_type'), 'code');
    assert.match(request?.get('scope') ?? '', /\bopenid\b/);
    assert.equal(request?.get('code_challenge_method'), 'S256');
    await upstreamPage.close();

    // A trailing slash: the discovery document names another issuer, so every ID token would be refused.
    await field(page, 'Issuer').fill(`${upstream.issuer}/`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('A check failed: sign-in will not work with these settings.').waitFor();
    await row('Issuer Fail').getByText(`The provider says its issuer is ${upstream.issuer};`).waitFor();
    assertStatus(await c.api.del(`/api/connectors/${id}`), 204);
    assert.deepEqual(pageErrors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('POST /api/connectors/:id/test answers a structured report, 404 for an unknown id, never sends the secret', async () => {
    assertStatus(await c.api.post('/api/connectors/nope/test', {}), 404);
    const id = await createOidcConnector('api-checked', 'http://127.0.0.1:9/unreachable');
    const before = upstream.seen.tokenRequests.length;
    const report = await c.api.post(`/api/connectors/${id}/test`, {});
    assertStatus(report, 200);
    assert.equal(report.body.ok, true, 'an unreachable discovery document is a warning, not a failure');
    const byName = Object.fromEntries(
      (report.body.checks as Loose[]).map((check) => [check.name, check.status]),
    );
    assert.deepEqual(byName, {
      discovery: 'warn',
      issuer: 'skip',
      jwks: 'pass',
      authorization_endpoint: 'pass',
    });
    assert.equal(typeof report.body.checkedAt, 'number');
    assert.equal(upstream.seen.tokenRequests.length, before, 'no token request: the secret never leaves');
    assert.ok(!JSON.stringify(report.body).includes(clientSecret));

    // A JWKS URI that answers no key set fails.
    assertStatus(
      await c.api.patch(`/api/connectors/${id}`, {
        config: {
          idTokenVerificationConfig: { jwksUri: `${upstream.issuer}/nowhere`, issuer: upstream.issuer },
        },
      }),
      200,
    );
    const failing = await c.api.post(`/api/connectors/${id}/test`, {});
    assert.equal(failing.body.ok, false);
    assert.equal((failing.body.checks as Loose[]).find((check) => check.name === 'jwks')?.status, 'fail');
    assertStatus(await c.api.del(`/api/connectors/${id}`), 204);
  });
});
