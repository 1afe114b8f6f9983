import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiClient, assertApiError, assertStatus, managementClient } from './support/api-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { addDisplayedConnector } from './support/sign-in-experience.ts';

/**
 * `POST /api/sign-in-exp/preview` (docs/sign-in-experience.md, "Preview"): the console's live preview of the hosted
 * pages. Token-guarded like the rest of the Management API, validated like PATCH, an inert text/html page that
 * shows the previewed settings, and never a change to the stored ones.
 */

describe('sign-in experience preview: POST /api/sign-in-exp/preview', () => {
  let t: TestServer;
  let api: ApiClient;

  before(async () => {
    t = await startTestServer();
    api = await managementClient(t);
  });
  after(async () => {
    await t?.stop();
  });

  const preview = (body: unknown) => api.post('/api/sign-in-exp/preview', body);

  it('needs a Management API token (401 without one, or with a bad one)', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Array<Record<string, string>>) {
      const response = await fetch(`${t.url}/api/sign-in-exp/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      assert.equal(response.status, 401);
      assert.doesNotMatch(await response.text(), /<form|<html/);
    }
  });

  it('refuses a body PATCH would refuse, and unknown preview options, with 400 request.invalid_body', async () => {
    for (const body of [
      { passwordPolicy: { length: { min: 300 } } },
      { color: { primaryColor: 'red' } },
      { branding: { logoUrl: 'javascript:alert(1)' } },
      { mode: 'dim' },
      { language: 'fr' },
      { page: 'consent' },
    ]) {
      assertApiError(await preview(body), 400, 'request.invalid_body');
    }
    const notJson = await api.send('POST', '/api/sign-in-exp/preview', {
      body: 'mode=dark',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(notJson.status, 415);
  });

  it('answers the sign-in page as text/html with the previewed settings, inert: no form action, no CSRF token', async () => {
    const response = await preview({
      color: { primaryColor: '#0A7A3B', darkPrimaryColor: '#7BE0A5', isDarkModeEnabled: false },
      signIn: {
        methods: [
          { identifier: 'username', password: true, verificationCode: false, isPasswordPrimary: true },
          { identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: true },
        ],
      },
      branding: { logoUrl: 'https://cdn.example.com/logo.png' },
    });
    assertStatus(response, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    const page = String(response.body);
    assert.match(page, /<h1>Sign in<\/h1>/);
    // The colour reaches the page through the branding stylesheet it links.
    assert.match(page, /href="\/assets\/branding\.css\?primary=0A7A3B&#38;dark=7BE0A5"/);
    assert.match(page, /Sign in with an email code/);
    assert.match(page, /<img class="logo" src="https:\/\/cdn\.example\.com\/logo\.png" alt="">/);
    assert.match(page, /<body inert>/);
    assert.doesNotMatch(page, /action=/);
    assert.doesNotMatch(page, /method="post"/);
    assert.doesNotMatch(page, /_csrf/);
    assert.doesNotMatch(page, /<script/i);

    // The linked stylesheet answers those colours, and the button text follows them.
    const css = await fetch(`${t.url}/assets/branding.css?primary=0A7A3B&dark=7BE0A5`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(
      await css.text(),
      ':root{--primary:#0A7A3B;--primary-dark:#7BE0A5;--on-primary:#ffffff;--on-primary-dark:#101114}',
    );
    // Anything but six hex digits is ignored: the stored colours.
    const injected = await fetch(`${t.url}/assets/branding.css?primary=red;}body{x:y&dark=000000`);
    assert.match(await injected.text(), /--primary:#5D34F2;/);
  });

  it('renders the sign-up page, in Thai, dark only when dark mode is on', async () => {
    const thai = String(
      (
        await preview({
          page: 'register',
          language: 'th',
          mode: 'dark',
          color: { primaryColor: '#5D34F2', isDarkModeEnabled: true },
        })
      ).body,
    );
    assert.match(thai, /<html lang="th">/);
    assert.match(thai, /<h1>สร้างบัญชีของคุณ<\/h1>/);
    assert.match(thai, /<body class="preview-dark" inert>/);
    assert.match(thai, /content="dark"/);

    const light = String((await preview({ mode: 'dark', color: { primaryColor: '#5D34F2' } })).body);
    assert.match(light, /<body inert>/, 'dark mode off: visitors see the light page');
  });

  it('shows the social buttons in the order given, and a social-only sign-up', async () => {
    await addDisplayedConnector(api, 'first-idp', { en: 'First ID', th: 'บัญชี First' });
    await addDisplayedConnector(api, 'second-idp', { en: 'Second ID', th: 'บัญชี Second' });
    const page = String(
      (
        await preview({
          language: 'th',
          socialSignInConnectorTargets: ['second-idp', 'first-idp'],
          signUp: { identifiers: [], password: false, verify: false },
          signIn: { methods: [] },
        })
      ).body,
    );
    const second = page.indexOf('บัญชี Second');
    const first = page.indexOf('บัญชี First');
    assert.ok(second > 0 && first > second, 'second-idp, then first-idp');
    assert.doesNotMatch(page, /name="password"/, 'no password form: social sign-in only');
  });

  it('does not change the stored settings', async () => {
    const before = await api.get('/api/sign-in-exp');
    assertStatus(
      await preview({
        color: { primaryColor: '#123456' },
        signInMode: 'SignIn',
        socialSignInConnectorTargets: ['first-idp'],
      }),
      200,
    );
    // Settings PATCH would refuse as a whole still preview (the console shows the server's verdict on save).
    assertStatus(await preview({ signIn: { methods: [] }, socialSignInConnectorTargets: [] }), 200);
    const afterwards = await api.get('/api/sign-in-exp');
    assert.deepEqual(afterwards.body, before.body);
    const signInPage = await fetch(`${t.url}/assets/branding.css`);
    assert.match(await signInPage.text(), /--primary:#5D34F2;/);
  });
});
