import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus, type Loose } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  beginAuthorization,
  claimsOf,
  createPageBrowser,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  errorsOf,
  finishAtClient,
  followToCallback,
  htmlLang,
  inputValue,
  latestCode,
  type Page,
  redirectUri,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';
import { createApplication } from './support/oidc.ts';
import { authorizationUrl, pkcePair } from './support/protocol.ts';

const en = translator('en');
const th = translator('th');

/** The path of a Location (the pages answer absolute URLs built from ENDPOINT, or paths). */
const pathOf = (location: string | null) => {
  assert.ok(location, 'a Location');
  const url = new URL(location, 'http://placeholder.invalid');
  return `${url.pathname}${url.search}`;
};

const assert303 = (answer: Page, path: RegExp) => {
  assert.equal(
    answer.status,
    303,
    `expected 303, got ${answer.status}: ${errorsOf(answer.html).join(' | ')}`,
  );
  assert.match(pathOf(answer.location), path);
};

const resumePath = /^\/oidc\/auth\/[A-Za-z0-9_-]+$/;

for (const backend of testBackends()) {
  describe(`hosted sign-in pages end to end, no browser (SPEC §5, SECURITY-TESTS A5) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(() => resetSignInExperience(h.t));

    describe('the flows', () => {
      it('sign-up with a username and a password: 303 to the resume URL, a code at the callback, tokens for the new user', async () => {
        const flow = await beginAuthorization(h.t, h.app);
        const page = await flow.browser.get('/register');
        assert.equal(page.status, 200);
        assert.match(page.html, /autocomplete="new-password"/);
        const username = uniqueName('signup');
        const answer = await flow.browser.post('/register', {
          _csrf: page.csrf ?? '',
          username,
          password: 'a long passphrase of mine',
        });
        assert303(answer, resumePath);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        const claims = claimsOf(tokens.id_token);
        assert.equal(claims.username, username);

        const listed = await h.api.get(`/api/users?search=${username}`);
        assertStatus(listed, 200);
        assert.equal(listed.body.length, 1);
        assert.equal(listed.body[0].id, claims.sub);
        assert.equal(listed.body[0].hasPassword, true);
        const me = await fetch(`${h.t.url}/oidc/me`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
        assert.equal(me.status, 200, 'the access token works at userinfo');
        assert.equal(((await me.json()) as Loose).sub, claims.sub);
      });

      it('sign-in with a username or an email and the password', async () => {
        const username = uniqueName('signin');
        const user = await createUserWithPassword(h.api, {
          username,
          primaryEmail: `${username}@example.com`,
          password: 'correct horse battery staple',
        });
        for (const identifier of [username, `  ${username.toUpperCase()}@Example.com `]) {
          const flow = await beginAuthorization(h.t, h.app);
          assert.equal(flow.page.status, 200);
          assert.match(flow.page.html, /autocomplete="current-password"/);
          assert.match(flow.page.html, /<button type="submit">/);
          const answer = await submitSignIn(flow, identifier, 'correct horse battery staple');
          assert303(answer, resumePath);
          const tokens = await finishAtClient(h.t, h.app, flow, answer);
          assert.equal(claimsOf(tokens.id_token).sub, user.id);
        }
        const read = await h.api.get(`/api/users/${user.id}`);
        assert.equal(typeof read.body.lastSignInAt, 'number', 'the sign-in is recorded');
      });

      it('sign-up with email verification: details → 303 → code from the email → 303 → tokens, email verified', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const email = `${uniqueName('verify')}@example.com`;
        const flow = await beginAuthorization(h.t, h.app, { params: { first_screen: 'register' } });
        assert.match(flow.page.url, /\/register$/);
        assert.match(flow.page.html, /name="email"/);
        const details = await flow.browser.post('/register', {
          _csrf: flow.page.csrf ?? '',
          email,
          password: 'a long passphrase of mine',
        });
        assert303(details, /^\/register\/verify\?lang=en$/);
        assert.equal(
          (await h.api.get(`/api/users?search=${encodeURIComponent(email)}`)).body.length,
          0,
          'no user before the code',
        );
        const codePage = await flow.browser.get(details.location ?? '');
        assert.equal(codePage.status, 200);
        assert.match(codePage.html, /autocomplete="one-time-code"/);
        const answer = await flow.browser.post('/register/verify', {
          _csrf: codePage.csrf ?? '',
          code: await latestCode(h.api, email),
        });
        assert303(answer, resumePath);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        const claims = claimsOf(tokens.id_token);
        assert.equal(claims.email, email);
        assert.equal(claims.email_verified, true);
        const [user] = (await h.api.get(`/api/users?search=${encodeURIComponent(email)}`)).body;
        assert.equal(user.id, claims.sub);
        assert.equal(user.hasPassword, true, 'the password given before the code was kept');
      });

      it('passwordless sign-in with an email code', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const email = `${uniqueName('passwordless')}@example.com`;
        const user = await createUserWithPassword(h.api, {
          primaryEmail: email,
          password: 'never used here 123',
        });
        const flow = await beginAuthorization(h.t, h.app);
        assert.match(flow.page.html, /href="\/sign-in\/code\?lang=en"/, 'the sign-in page offers codes');
        const request = await flow.browser.get('/sign-in/code');
        assert.equal(request.status, 200);
        const sent = await flow.browser.post('/sign-in/code', { _csrf: request.csrf ?? '', email });
        assert303(sent, /^\/sign-in\/code\/verify\?lang=en$/);
        const codePage = await flow.browser.get(sent.location ?? '');
        assert.equal(codePage.status, 200);
        const answer = await flow.browser.post('/sign-in/code/verify', {
          _csrf: codePage.csrf ?? '',
          code: await latestCode(h.api, email),
        });
        assert303(answer, resumePath);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        assert.equal(claimsOf(tokens.id_token).sub, user.id);
      });

      it('forgot password: code → new password → 303 to sign-in; the new password works, the old one fails', async () => {
        const email = `${uniqueName('reset')}@example.com`;
        const user = await createUserWithPassword(h.api, {
          primaryEmail: email,
          password: 'the old passphrase',
        });
        const flow = await beginAuthorization(h.t, h.app);
        assert.match(flow.page.html, /href="\/forgot-password\?lang=en"/);
        const ask = await flow.browser.get('/forgot-password');
        assert.equal(ask.status, 200);
        const sent = await flow.browser.post('/forgot-password', { _csrf: ask.csrf ?? '', email });
        assert303(sent, /^\/forgot-password\/verify\?lang=en$/);
        const codePage = await flow.browser.get(sent.location ?? '');
        const verified = await flow.browser.post('/forgot-password/verify', {
          _csrf: codePage.csrf ?? '',
          code: await latestCode(h.api, email),
        });
        assert303(verified, /^\/forgot-password\/new\?lang=en$/);
        const newPage = await flow.browser.get(verified.location ?? '');
        assert.equal(newPage.status, 200);
        assert.match(newPage.html, /autocomplete="new-password"/);
        const changed = await flow.browser.post('/forgot-password/new', {
          _csrf: newPage.csrf ?? '',
          password: 'the brand new passphrase',
        });
        assert303(changed, /^\/sign-in\?reset=1&lang=en$/);
        const signIn = await flow.browser.get(changed.location ?? '');
        assert.equal(signIn.status, 200);
        assert.ok(signIn.html.includes(en('forgot.done')), 'the sign-in page says the password changed');

        const old = await submitSignIn(flow, email, 'the old passphrase', signIn);
        assert.equal(old.status, 400);
        assert.deepEqual(errorsOf(old.html), [en('sign_in.failed')]);
        const answer = await submitSignIn(flow, email, 'the brand new passphrase', signIn);
        assert303(answer, resumePath);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        assert.equal(claimsOf(tokens.id_token).sub, user.id);
      });

      it('consent for a third-party app: approve gives a code, deny gives access_denied with state and iss', async () => {
        const created = await createApplication(h.t, {
          type: 'Traditional',
          name: 'Partner app',
          redirectUris: [redirectUri],
          isThirdParty: true,
        });
        const partner = { id: created.id, secret: created.secret };
        const username = uniqueName('consent');
        await createUserWithPassword(h.api, { username, password: 'consent passphrase 1' });

        for (const decision of ['approve', 'deny'] as const) {
          const flow = await beginAuthorization(h.t, partner);
          const signedIn = await submitSignIn(flow, username, 'consent passphrase 1');
          assert303(signedIn, resumePath);
          const returned = await flow.browser.follow(signedIn.location ?? '');
          const consent = returned.page;
          assert.ok(consent, `a consent page, not ${returned.url}`);
          assert.equal(consent.status, 200);
          assert.match(consent.url, /\/consent$/);
          assert.ok(consent.html.includes('Partner app'), 'the page names the app');
          assert.ok(consent.html.includes(en('scope.email')), 'the page lists the scopes');
          const answer = await flow.browser.post('/consent', { _csrf: consent.csrf ?? '', decision });
          assert303(answer, resumePath);
          const params = await followToCallback(flow.browser, answer);
          assert.equal(params.get('state'), flow.state);
          assert.equal(params.get('iss'), `${h.t.registry.config.endpoint}/oidc`);
          if (decision === 'approve') {
            assert.ok(params.get('code'), `a code: ${params}`);
            assert.equal(params.get('error'), null);
          } else {
            assert.equal(params.get('error'), 'access_denied');
            assert.equal(params.get('code'), null);
          }
        }
      });
    });

    describe('where a request starts, and in which language (SPEC §2, §5)', () => {
      it('first_screen=register, first_screen=identifier:register and interaction_mode=signUp open /register', async () => {
        for (const params of [
          { first_screen: 'register' },
          { first_screen: 'identifier:register' },
          { interaction_mode: 'signUp' },
        ]) {
          const flow = await beginAuthorization(h.t, h.app, { params });
          assert.match(flow.page.url, /\/register$/, JSON.stringify(params));
          assert.equal(flow.page.status, 200);
          assert.ok(flow.page.html.includes(en('register.title')));
        }
        for (const params of [{}, { first_screen: 'sign_in' }, { interaction_mode: 'signIn' }]) {
          const flow = await beginAuthorization(h.t, h.app, { params });
          assert.match(flow.page.url, /\/sign-in$/, JSON.stringify(params));
        }
      });

      it('login_hint prefills the identifier (escaped)', async () => {
        const flow = await beginAuthorization(h.t, h.app, { params: { login_hint: 'somchai@example.com' } });
        assert.equal(inputValue(flow.page.html, 'identifier'), 'somchai@example.com');
        const hostile = await beginAuthorization(h.t, h.app, {
          params: { login_hint: '"><script>x</script>' },
        });
        assert.equal(
          inputValue(hostile.page.html, 'identifier'),
          '&#34;&#62;&#60;script&#62;x&#60;/script&#62;',
        );
        assert.doesNotMatch(hostile.page.html, /<script>/);
        const none = await beginAuthorization(h.t, h.app);
        assert.equal(inputValue(none.page.html, 'identifier'), undefined);
      });

      it('ui_locales=th, or Accept-Language: th, gives Thai; ui_locales comes first; otherwise English', async () => {
        const cases: Array<[string, Record<string, string>, Record<string, string>, 'en' | 'th']> = [
          ['ui_locales=th', { ui_locales: 'th' }, {}, 'th'],
          ['ui_locales=th-TH en', { ui_locales: 'th-TH en' }, {}, 'th'],
          ['Accept-Language: th', {}, { 'accept-language': 'th' }, 'th'],
          ['Accept-Language: th-TH,en;q=0.5', {}, { 'accept-language': 'th-TH,en;q=0.5' }, 'th'],
          ['ui_locales=en over Accept-Language: th', { ui_locales: 'en' }, { 'accept-language': 'th' }, 'en'],
          ['ui_locales=th over Accept-Language: en', { ui_locales: 'th' }, { 'accept-language': 'en' }, 'th'],
          ['nothing', {}, {}, 'en'],
          ['an unsupported language', { ui_locales: 'fr' }, { 'accept-language': 'de' }, 'en'],
        ];
        for (const [name, params, headers, expected] of cases) {
          const flow = await beginAuthorization(h.t, h.app, { params, headers });
          assert.equal(htmlLang(flow.page.html), expected, name);
          const t = expected === 'th' ? th : en;
          assert.ok(flow.page.html.includes(t('sign_in.title')), `${name}: the title in ${expected}`);
          const register = await flow.browser.get('/register');
          assert.equal(htmlLang(register.html), expected, `${name}: /register too`);
        }
      });
    });

    describe('HTTP hygiene of the pages (SECURITY-TESTS A5, B6)', () => {
      const assertPageHeaders = (page: Page, name: string) => {
        assert.equal(page.headers.get('x-frame-options'), 'DENY', name);
        assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, name);
        assert.equal(page.headers.get('cache-control'), 'no-store', name);
        assert.equal(page.headers.get('access-control-allow-origin'), null, `${name}: no CORS`);
        assert.equal(page.headers.get('access-control-allow-credentials'), null, `${name}: no CORS`);
      };

      it('every page: X-Frame-Options DENY, CSP frame-ancestors none, Cache-Control no-store, no Access-Control-Allow-Origin', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const origin = { origin: 'https://evil.example' };
        const flow = await beginAuthorization(h.t, h.app, { headers: origin });
        assertPageHeaders(flow.page, 'sign-in');
        for (const path of ['/register', '/sign-in/code', '/forgot-password']) {
          const page = await flow.browser.get(path);
          assert.equal(page.status, 200, path);
          assertPageHeaders(page, path);
        }
        const refused = await flow.browser.post('/sign-in', { identifier: 'x', password: 'y' });
        assert.equal(refused.status, 403);
        assertPageHeaders(refused, 'the CSRF error page');
        const failed = await submitSignIn(flow, 'nobody', 'wrong password');
        assert.equal(failed.status, 400);
        assertPageHeaders(failed, 'a failed sign-in');
        const expired = await createPageBrowser(h.t, { headers: origin }).get('/sign-in');
        assert.equal(expired.status, 400);
        assertPageHeaders(expired, 'the expired page');

        // No CORS on /oidc/auth either, also for a preflight.
        const { challenge } = pkcePair();
        const auth = await fetch(
          authorizationUrl(h.t, {
            client_id: h.app.id,
            redirect_uri: redirectUri,
            response_type: 'code',
            scope: 'openid',
            code_challenge: challenge,
            code_challenge_method: 'S256',
          }),
          { headers: origin, redirect: 'manual' },
        );
        assert.equal(auth.headers.get('access-control-allow-origin'), null, '/oidc/auth');
        const preflight = await fetch(`${h.t.url}/oidc/auth`, {
          method: 'OPTIONS',
          headers: { ...origin, 'access-control-request-method': 'POST' },
        });
        assert.equal(preflight.headers.get('access-control-allow-origin'), null, '/oidc/auth preflight');
      });

      it('the consent page has the same headers', async () => {
        const created = await createApplication(h.t, {
          type: 'Traditional',
          redirectUris: [redirectUri],
          isThirdParty: true,
        });
        const username = uniqueName('headers');
        await createUserWithPassword(h.api, { username, password: 'consent passphrase 2' });
        const flow = await beginAuthorization(h.t, { id: created.id, secret: created.secret });
        const signedIn = await submitSignIn(flow, username, 'consent passphrase 2');
        const consent = (await flow.browser.follow(signedIn.location ?? '')).page;
        assert.ok(consent);
        assert.equal(consent.status, 200);
        assertPageHeaders(consent, 'consent');
      });
    });
  });
}
