import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApplication, createBrowser, createUser, signInAs } from './support/oidc.ts';
import { authorizationUrl, authorize, type Browser, pkcePair } from './support/protocol.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Negative tests of the authorization and end-session endpoints (SECURITY-TESTS A1–A5, A14), over real HTTP.
 * Redirect URIs are https on a host nobody resolves: the tests read `Location` and never follow it there.
 */

const callback = 'https://app.example.com/app/callback';
const signedOut = 'https://app.example.com/signed-out';
const otherCallback = 'https://other.example.com/callback';
const otherSignedOut = 'https://other.example.com/signed-out';

let t: TestServer;
let issuer: string;
const signIn = signInAs();
const apps = {} as Record<'web' | 'spa' | 'other' | 'twoUris', { id: string; secret?: string }>;

before(async () => {
  t = await startTestServer({ extraRoutes: [signIn.routes] });
  issuer = `${t.url}/oidc`;
  signIn.state.accountId = await createUser(t, { email: 'protocol@example.com' });
  apps.web = await createApplication(t, {
    type: 'Traditional',
    redirectUris: [callback],
    postLogoutRedirectUris: [signedOut],
  });
  apps.spa = await createApplication(t, { type: 'SPA', redirectUris: [callback] });
  apps.other = await createApplication(t, {
    type: 'Traditional',
    redirectUris: [otherCallback],
    postLogoutRedirectUris: [otherSignedOut],
  });
  apps.twoUris = await createApplication(t, { type: 'Traditional', redirectUris: [callback, otherCallback] });
});
after(() => t.stop());

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { redirect: 'manual', headers });

/** A request to the web app with its registered callback; `overrides` replace or (undefined) remove params. */
const authParams = (overrides: Record<string, string | undefined> = {}) => ({
  client_id: apps.web.id,
  redirect_uri: callback,
  response_type: 'code',
  scope: 'openid',
  state: 'state-123',
  ...overrides,
});

/** The error page: HTML, 400, no redirect anywhere (RFC 6749 §4.1.2.1: "MUST NOT automatically redirect"). */
const assertErrorPage = async (response: Response, error: string) => {
  const body = await response.text();
  assert.equal(response.status, 400, body);
  assert.equal(response.headers.get('location'), null);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(body, new RegExp(`<code>${error}</code>`));
  assert.doesNotMatch(body, /evil\.example/, 'the page does not reflect the attacker URI');
};

/** The parameters of an error redirected to `redirectUri`, from its query or (implicit modes) its fragment. */
const redirectedError = (response: Response, redirectUri: string, where: 'query' | 'fragment') => {
  assert.equal(response.status, 303);
  const location = response.headers.get('location') ?? '';
  assert.ok(location.startsWith(redirectUri), `redirected to ${location}`);
  const url = new URL(location);
  const params = where === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  assert.equal(params.get('code'), null);
  assert.equal(params.get('state'), 'state-123', 'RFC 6749 §4.1.2.1: state is returned');
  assert.equal(params.get('iss'), issuer, 'RFC 9207 §2: iss is returned, byte-equal to the issuer');
  return params;
};

const signedInBrowser = async (): Promise<Browser> => {
  const browser = createBrowser();
  await authorize(t, browser, apps.web, { redirectUri: callback, pkce: false });
  return browser;
};

describe('redirect URI matching (RFC 6749 §3.1.2.3, §4.1.2.1; RFC 9700 §4.1.3)', () => {
  const altered = [
    ['an added query', `${callback}?x=1`],
    ['different case in the path', 'https://app.example.com/App/callback'],
    ['different case in the host', 'https://APP.example.com/app/callback'],
    ['a trailing slash', `${callback}/`],
    ['an encoded slash', 'https://app.example.com/app%2Fcallback'],
    ['a dot segment', 'https://app.example.com/app/../app/callback'],
    ['a double-encoded dot segment', 'https://app.example.com/app/%252e%252e/app/callback'],
    ['a fragment', `${callback}#frag`],
    ['userinfo before another host', 'https://app.example.com@evil.example/app/callback'],
    ['another host', 'https://evil.example/app/callback'],
    ['http instead of https', 'http://app.example.com/app/callback'],
    ['an explicit default port', 'https://app.example.com:443/app/callback'],
    ["another client's registered URI", otherCallback],
  ] as const;

  for (const [what, redirectUri] of altered) {
    it(`shows an error page, never a redirect, for a registered redirect_uri with ${what}`, async () => {
      await assertErrorPage(
        await get(authorizationUrl(t, authParams({ redirect_uri: redirectUri }))),
        'invalid_redirect_uri',
      );
    });
  }

  it('shows an error page for a redirect_uri that is not registered at all, even with an invalid request', async () => {
    // The redirect URI is checked before any other error may be redirected (RFC 6749 §4.1.2.1).
    await assertErrorPage(
      await get(
        authorizationUrl(
          t,
          authParams({ redirect_uri: 'https://evil.example/cb', response_type: 'token', prompt: 'none' }),
        ),
      ),
      'invalid_redirect_uri',
    );
  });

  it('shows an error page for an unknown client_id', async () => {
    await assertErrorPage(
      await get(authorizationUrl(t, authParams({ client_id: 'no-such-client' }))),
      'invalid_client',
    );
  });

  it('shows an error page when client_id is missing', async () => {
    await assertErrorPage(
      await get(authorizationUrl(t, authParams({ client_id: undefined }))),
      'invalid_request',
    );
  });

  it('shows an error page when redirect_uri is omitted and the client registered two', async () => {
    await assertErrorPage(
      await get(authorizationUrl(t, authParams({ client_id: apps.twoUris.id, redirect_uri: undefined }))),
      'invalid_request',
    );
  });
});

describe('authorization error responses (RFC 6749 §4.1.2.1, RFC 9207)', () => {
  for (const responseType of ['token', 'id_token token']) {
    it(`redirects response_type=${responseType} as unsupported_response_type to the verified redirect_uri, in the fragment`, async () => {
      const response = await get(authorizationUrl(t, authParams({ response_type: responseType })));
      // OAuth 2.0 Multiple Response Type Encoding Practices §5: the default mode of these types is the fragment.
      const params = redirectedError(response, callback, 'fragment');
      assert.equal(params.get('error'), 'unsupported_response_type');
      assert.equal(new URL(response.headers.get('location') ?? '').search, '');
    });
  }

  it('redirects a missing response_type as invalid_request with state and iss', async () => {
    const response = await get(authorizationUrl(t, authParams({ response_type: undefined })));
    assert.equal(redirectedError(response, callback, 'query').get('error'), 'invalid_request');
  });

  it('redirects a successful response with iss as well (RFC 9207 §2)', async () => {
    const { params } = await authorize(t, createBrowser(), apps.web, { redirectUri: callback });
    assert.equal(params.get('iss'), issuer);
  });
});

describe('PKCE at the authorization endpoint (RFC 7636 §4.4.1, RFC 9700 §2.1.1)', () => {
  const { challenge } = pkcePair();

  it('refuses a public client (SPA) without code_challenge with invalid_request', async () => {
    const response = await get(authorizationUrl(t, authParams({ client_id: apps.spa.id })));
    assert.equal(redirectedError(response, callback, 'query').get('error'), 'invalid_request');
  });

  for (const clientName of ['spa', 'web'] as const) {
    it(`refuses code_challenge_method=plain with invalid_request (${clientName})`, async () => {
      const response = await get(
        authorizationUrl(
          t,
          authParams({
            client_id: apps[clientName].id,
            code_challenge: challenge,
            code_challenge_method: 'plain',
          }),
        ),
      );
      assert.equal(redirectedError(response, callback, 'query').get('error'), 'invalid_request');
    });
  }

  const malformed = [
    ['too short (42 characters)', challenge.slice(0, 42)],
    ['too long (129 characters)', 'a'.repeat(129)],
    ['outside the unreserved alphabet', `${challenge.slice(0, 42)}+`],
  ] as const;
  for (const [what, value] of malformed) {
    it(`refuses a code_challenge ${what} with invalid_request`, async () => {
      const response = await get(
        authorizationUrl(
          t,
          authParams({ client_id: apps.spa.id, code_challenge: value, code_challenge_method: 'S256' }),
        ),
      );
      assert.equal(redirectedError(response, callback, 'query').get('error'), 'invalid_request');
    });
  }

  it('refuses a code_challenge without code_challenge_method, which would mean plain (RFC 7636 §4.3)', async () => {
    const response = await get(
      authorizationUrl(t, authParams({ client_id: apps.spa.id, code_challenge: challenge })),
    );
    assert.equal(redirectedError(response, callback, 'query').get('error'), 'invalid_request');
  });
});

describe('prompt=none (OIDC Core §3.1.2.1, §3.1.2.6)', () => {
  it('answers login_required without a session, redirected with state and iss', async () => {
    const response = await get(authorizationUrl(t, authParams({ prompt: 'none' })));
    assert.equal(redirectedError(response, callback, 'query').get('error'), 'login_required');
  });

  it('issues a code with a session and prompt=none', async () => {
    const browser = await signedInBrowser();
    const response = await browser.fetch(authorizationUrl(t, authParams({ prompt: 'none' })));
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, callback);
    assert.ok(location.searchParams.get('code'));
    assert.equal(location.searchParams.get('iss'), issuer);
  });
});

describe('framing and CORS of the authorization endpoint (RFC 9700 §4.16, SECURITY-TESTS A5)', () => {
  const cases = [
    ['a redirect to the sign-in page', () => authParams()],
    ['an error page', () => authParams({ redirect_uri: 'https://evil.example/cb' })],
    ['an error redirect', () => authParams({ response_type: 'token' })],
  ] as const;
  for (const [what, params] of cases) {
    it(`forbids framing of ${what} and sends no CORS headers to a foreign origin`, async () => {
      const response = await get(authorizationUrl(t, params()), { origin: 'https://evil.example' });
      assert.ok([303, 400].includes(response.status), String(response.status));
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    });
  }
});

describe('RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3)', () => {
  const endSession = (params: Record<string, string>) =>
    `${t.url}/oidc/session/end?${new URLSearchParams(params).toString()}`;

  const refused = [
    ['an unregistered URI', 'https://evil.example/signed-out'],
    ['a registered URI with an added query', `${signedOut}?x=1`],
    ['a registered URI with a trailing slash', `${signedOut}/`],
    ['a registered URI with different case', 'https://app.example.com/Signed-Out'],
    ["another client's registered URI", otherSignedOut],
  ] as const;
  for (const [what, uri] of refused) {
    it(`does not redirect to ${what}`, async () => {
      const browser = await signedInBrowser();
      const response = await browser.fetch(
        endSession({ client_id: apps.web.id, post_logout_redirect_uri: uri, state: 's' }),
      );
      const body = await response.text();
      assert.equal(response.status, 400, body);
      assert.equal(response.headers.get('location'), null);
      assert.equal(JSON.parse(body).error, 'invalid_request');
    });
  }

  it('does not redirect to a registered URI when the id_token_hint is forged', async () => {
    const forged = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ iss: issuer, aud: apps.web.id, sub: 'x', exp: 4e9 })).toString(
        'base64url',
      ),
      '',
    ].join('.');
    const response = await get(endSession({ id_token_hint: forged, post_logout_redirect_uri: signedOut }));
    assert.equal(response.status, 400, await response.text());
    assert.equal(response.headers.get('location'), null);
  });

  it('ignores post_logout_redirect_uri when neither client_id nor id_token_hint says whose it is', async () => {
    const browser = await signedInBrowser();
    const xsrf = await confirmationXsrf(browser, endSession({ post_logout_redirect_uri: signedOut }));
    const confirmed = await confirm(browser, xsrf);
    assert.equal(confirmed.status, 303);
    assert.equal(new URL(confirmed.headers.get('location') ?? '').pathname, '/oidc/session/end/success');
  });

  it('does not end the session on a GET alone: the user must confirm (cross-site logout CSRF)', async () => {
    const browser = await signedInBrowser();
    const page = await browser.fetch(
      endSession({ client_id: apps.web.id, post_logout_redirect_uri: signedOut }),
    );
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(await page.text(), /name="xsrf"/);
    const silent = await browser.fetch(authorizationUrl(t, authParams({ prompt: 'none' })));
    assert.ok(new URL(silent.headers.get('location') ?? '').searchParams.get('code'), 'still signed in');
  });

  it('refuses a confirmation without the xsrf token of the session', async () => {
    const browser = await signedInBrowser();
    await confirmationXsrf(browser, endSession({ client_id: apps.web.id }));
    const forged = await confirm(browser, 'forged-xsrf-value');
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.get('location'), null);
    const silent = await browser.fetch(authorizationUrl(t, authParams({ prompt: 'none' })));
    assert.ok(new URL(silent.headers.get('location') ?? '').searchParams.get('code'), 'still signed in');
  });

  it('after a confirmed logout, redirects to the registered URI and prompt=none answers login_required', async () => {
    const browser = await signedInBrowser();
    const xsrf = await confirmationXsrf(
      browser,
      endSession({ client_id: apps.web.id, post_logout_redirect_uri: signedOut, state: 'bye' }),
    );
    const confirmed = await confirm(browser, xsrf);
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get('location'), `${signedOut}?state=bye`);

    const silent = await browser.fetch(authorizationUrl(t, authParams({ prompt: 'none' })));
    assert.equal(redirectedError(silent, callback, 'query').get('error'), 'login_required');
  });
});

/** Opens the logout confirmation page and answers its xsrf value. */
const confirmationXsrf = async (browser: Browser, url: string) => {
  const page = await browser.fetch(url);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(xsrf, 'the confirmation form carries an xsrf token');
  return xsrf;
};

const confirm = (browser: Browser, xsrf: string) =>
  browser.fetch(`${t.url}/oidc/session/end/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
