import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { digest } from '../src/oidc/adapter.ts';
import { oidcLifetimes } from '../src/oidc/index.ts';
import { testBackends } from './support/db.ts';
import {
  backdateSessionLogin,
  beginAuthorization,
  claimsOf,
  createPageBrowser,
  createUserWithPassword,
  type ExperienceHarness,
  finishAtClient,
  followToCallback,
  type PageBrowser,
  postLogoutRedirectUri,
  redirectUri,
  sessionCookieName,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';
import { authorizationUrl, pkcePair, redeem } from './support/protocol.ts';

const password = 'session passphrase 1';

for (const backend of testBackends()) {
  describe(`sessions of the hosted sign-in (SECURITY-TESTS B6, A4, A14) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let username: string;
    let userId: string;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
      username = uniqueName('session');
      userId = (await createUserWithPassword(h.api, { username, password })).id;
    });
    after(() => h.stop());

    /** Signs in through the pages in `browser` (or a new one); answers the browser and the ID token claims. */
    const signIn = async (browser?: PageBrowser, params: Record<string, string> = {}) => {
      const flow = await beginAuthorization(h.t, h.app, { browser, params });
      assert.match(flow.page.url, /\/sign-in$/, 'the sign-in page');
      const tokens = await finishAtClient(h.t, h.app, flow, await submitSignIn(flow, username, password));
      const claims = claimsOf(tokens.id_token);
      assert.equal(claims.sub, userId);
      return { browser: flow.browser, claims };
    };

    /**
     * An authorization request in a browser that may already hold a session: answers either the callback's
     * parameters (no page shown: silent sign-in or an error) or the page it stopped at.
     */
    const authorize = async (browser: PageBrowser, params: Record<string, string>) => {
      const { verifier, challenge } = pkcePair();
      const state = uniqueName('state');
      const returned = await browser.follow(
        authorizationUrl(h.t, {
          client_id: h.app.id,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          ...params,
        }),
      );
      const callback = returned.url.startsWith(redirectUri) ? new URL(returned.url).searchParams : undefined;
      if (callback) assert.equal(callback.get('state'), state, 'the state comes back');
      return { callback, page: returned.page, verifier };
    };

    it('B6: signing in issues a new session id (≥ 128 bits), also over a planted one and at a second sign-in', async () => {
      const name = sessionCookieName(h.t);
      const browser = createPageBrowser(h.t);
      browser.jar.set(name, 'planted-by-an-attacker-0123456789abcdef0123');
      await signIn(browser);
      const first = browser.jar.get(name);
      const firstSignature = browser.jar.get(`${name}.sig`);
      assert.ok(
        first && first !== 'planted-by-an-attacker-0123456789abcdef0123',
        'a fresh id, not the planted one',
      );
      assert.ok(Buffer.from(first, 'base64url').length >= 16, `at least 128 bits: ${first}`);
      await signIn(browser, { prompt: 'login' });
      const second = browser.jar.get(name);
      assert.ok(second);
      assert.notEqual(second, first, 'a second sign-in rotates the session id');

      // The old id is dead: a browser presenting it has no session (while a copy of the current cookies has).
      const copy = createPageBrowser(h.t);
      for (const [cookie, value] of browser.jar) copy.jar.set(cookie, value);
      assert.ok((await authorize(copy, { prompt: 'none' })).callback?.get('code'), 'the current id works');
      const stale = createPageBrowser(h.t);
      for (const [cookie, value] of browser.jar) stale.jar.set(cookie, value);
      stale.jar.set(name, first);
      stale.jar.set(`${name}.sig`, firstSignature ?? '');
      const { callback } = await authorize(stale, { prompt: 'none' });
      assert.equal(callback?.get('error'), 'login_required', 'the rotated-out session id is not accepted');
    });

    it('A4: with a session, a request signs in silently; prompt=login shows the sign-in page anyway', async () => {
      const { browser } = await signIn();
      const silent = await authorize(browser, {});
      assert.ok(silent.callback?.get('code'), 'no page: a code at once');
      const forced = await authorize(browser, { prompt: 'login' });
      assert.equal(forced.callback, undefined, 'no code without signing in again');
      assert.match(forced.page?.url ?? '', /\/sign-in$/);
      assert.equal(forced.page?.status, 200);
    });

    it('A4: max_age=0 forces re-authentication, and the ID token carries auth_time', async () => {
      const { browser, claims } = await signIn();
      const forced = await authorize(browser, { max_age: '0' });
      assert.equal(forced.callback, undefined, 'max_age=0: no silent sign-in');
      assert.match(forced.page?.url ?? '', /\/sign-in$/);
      const answer = await submitSignIn(
        { browser, state: '', verifier: forced.verifier, page: forced.page ?? assert.fail('a page') },
        username,
        password,
      );
      const params = await followToCallback(browser, answer);
      const tokens = await redeem(h.t, h.app, params.get('code') ?? '', redirectUri, forced.verifier);
      const reauthenticated = claimsOf(tokens.id_token);
      assert.equal(typeof reauthenticated.auth_time, 'number', 'auth_time present');
      assert.ok(Number(reauthenticated.auth_time) >= Number(claims.iat) - 1, 'a fresh authentication');
    });

    it('A4: a max_age the session is older than forces re-authentication; a younger session signs in silently with auth_time', async () => {
      const { browser } = await signIn();
      const fresh = await authorize(browser, { max_age: '300' });
      const code = fresh.callback?.get('code');
      assert.ok(code, 'the session is younger than 5 minutes: silent');
      const tokens = await redeem(h.t, h.app, code, redirectUri, fresh.verifier);
      assert.equal(typeof claimsOf(tokens.id_token).auth_time, 'number', 'auth_time present with max_age');

      await backdateSessionLogin(h.t, browser.jar.get(sessionCookieName(h.t)) ?? '', 600);
      const old = await authorize(browser, { max_age: '300' });
      assert.equal(old.callback, undefined, 'a 10-minute-old sign-in does not satisfy max_age=300');
      assert.match(old.page?.url ?? '', /\/sign-in$/);
    });

    /** The stored session's expiry, seconds from now (database clock). */
    const sessionExpiresIn = async (browser: PageBrowser) => {
      const { rows } = await sql<{ seconds: number }>`
        select extract(epoch from (expires_at - now()))::int as seconds from oidc_model_instances
        where model_name = 'Session' and id = ${digest(browser.jar.get(sessionCookieName(h.t)) ?? '')}`.execute(
        h.t.registry.db.kysely,
      );
      return Number(rows[0]?.seconds ?? Number.NaN);
    };

    it('B6: an idle session ends after 3 days; each use extends it again (idle timeout)', async () => {
      const { browser } = await signIn();
      const idle = oidcLifetimes.sessionIdle;
      const atSignIn = await sessionExpiresIn(browser);
      assert.ok(Math.abs(atSignIn - idle) <= 5, `expires in ~3 days after sign-in: ${atSignIn}`);

      // Let a day pass unused (expiry moved a day closer), then use the session: the idle window restarts.
      await sql`update oidc_model_instances set expires_at = expires_at - interval '1 day'
        where model_name = 'Session' and id = ${digest(browser.jar.get(sessionCookieName(h.t)) ?? '')}`.execute(
        h.t.registry.db.kysely,
      );
      assert.ok((await authorize(browser, { prompt: 'none' })).callback?.get('code'), 'still signed in');
      const afterUse = await sessionExpiresIn(browser);
      assert.ok(Math.abs(afterUse - idle) <= 5, `a use slides the idle expiry back to ~3 days: ${afterUse}`);

      // Unused past its idle expiry: gone.
      await sql`update oidc_model_instances set expires_at = now() - interval '1 second'
        where model_name = 'Session' and id = ${digest(browser.jar.get(sessionCookieName(h.t)) ?? '')}`.execute(
        h.t.registry.db.kysely,
      );
      const { callback } = await authorize(browser, { prompt: 'none' });
      assert.equal(callback?.get('error'), 'login_required', 'an idle-expired session does not sign in');
    });

    it('B6: however often used, a session ends 14 days after its sign-in (absolute timeout)', async () => {
      const { browser } = await signIn();
      // Signed in 13 days and 23 hours ago, used every day since: one hour left, whatever the idle window says.
      const absolute = oidcLifetimes.sessionAbsolute;
      await backdateSessionLogin(h.t, browser.jar.get(sessionCookieName(h.t)) ?? '', absolute - 3600);
      assert.ok((await authorize(browser, { prompt: 'none' })).callback?.get('code'), 'still within 14 days');
      const left = await sessionExpiresIn(browser);
      assert.ok(left <= 3600 && left > 3590, `capped at the absolute limit: ${left} s left, not 3 days`);
      const cookie = browser.jar.get(sessionCookieName(h.t));
      assert.ok(cookie, 'the session cookie is kept until then');

      // Past the absolute limit, the next use finds no session.
      await backdateSessionLogin(h.t, cookie, 3601);
      await sql`update oidc_model_instances set expires_at = now() - interval '1 second'
        where model_name = 'Session' and id = ${digest(cookie)}`.execute(h.t.registry.db.kysely);
      const { callback } = await authorize(browser, { prompt: 'none' });
      assert.equal(callback?.get('error'), 'login_required');
    });

    it('A14: the sign-out confirmation is our page (translated, branded, never framed); "stay signed in" keeps the session', async () => {
      const { browser } = await signIn();
      const end = await browser.get(
        `/oidc/session/end?${new URLSearchParams({ client_id: h.app.id, post_logout_redirect_uri: postLogoutRedirectUri, ui_locales: 'th' })}`,
      );
      assert.equal(end.status, 200);
      assert.match(end.html, /<html lang="th">/);
      assert.match(end.html, /ออกจากระบบ/);
      assert.match(end.html, /\/assets\/branding\.css/, 'our stylesheet, with the branding colours');
      const csp = end.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /form-action 'self' https:\/\/app\.example\.com/, 'the form may end at the app');
      assert.doesNotMatch(csp, /unsafe-inline/, 'no inline script or style needed');
      assert.equal(end.headers.get('cache-control'), 'no-store');
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(end.html)?.[1];
      assert.ok(xsrf, 'the confirmation form carries the anti-CSRF value');

      // "Stay signed in" posts without logout=yes: the session stays.
      const stayed = await browser.post('/oidc/session/end/confirm', { xsrf });
      assert.ok([302, 303].includes(stayed.status), `${stayed.status}`);
      assert.ok((await authorize(browser, { prompt: 'none' })).callback?.get('code'), 'still signed in');

      // Without a post-logout URI the user lands on our "signed out" page, in their language.
      const again = await browser.get('/oidc/session/end', { 'accept-language': 'th' });
      const token = /name="xsrf" value="([^"]+)"/.exec(again.html)?.[1] ?? assert.fail('a form');
      const done = await browser.post('/oidc/session/end/confirm', { xsrf: token, logout: 'yes' });
      const landed = await browser.get(done.location ?? assert.fail('a redirect'), {
        'accept-language': 'th',
      });
      assert.equal(landed.status, 200);
      assert.match(landed.html, /ออกจากระบบแล้ว/, 'the signed-out page, in Thai');
      const { callback } = await authorize(browser, { prompt: 'none' });
      assert.equal(callback?.get('error'), 'login_required', 'signed out');
    });

    it('A4, A14: after sign-out, prompt=none → login_required (with state and iss)', async () => {
      const { browser } = await signIn();
      const before = await authorize(browser, { prompt: 'none' });
      assert.ok(before.callback?.get('code'), 'signed in: prompt=none gives a code');

      const end = await browser.get(
        `/oidc/session/end?${new URLSearchParams({ client_id: h.app.id, post_logout_redirect_uri: postLogoutRedirectUri })}`,
      );
      assert.equal(end.status, 200, 'a confirmation page (a cross-site GET alone does not sign out)');
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(end.html)?.[1];
      assert.ok(xsrf, 'the confirmation form');
      const confirmed = await browser.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' });
      assert.ok([302, 303].includes(confirmed.status), `${confirmed.status}`);
      assert.ok(confirmed.location?.startsWith(postLogoutRedirectUri), `${confirmed.location}`);

      const after = await authorize(browser, { prompt: 'none' });
      assert.equal(after.callback?.get('error'), 'login_required');
      assert.equal(after.callback?.get('iss'), `${h.t.registry.config.endpoint}/oidc`);
      assert.equal(after.callback?.get('code'), null);
    });
  });
}

describe('cookies over https (SECURITY-TESTS B6; ENDPOINT https://…, TLS ended at a trusted proxy)', () => {
  let h: ExperienceHarness;
  before(async () => {
    // The server listens on plain http on 127.0.0.1, as behind a TLS-terminating proxy; ENDPOINT is the public
    // https URL, and every request says X-Forwarded-Proto: https (believed from loopback: TRUST_PROXY).
    h = await startExperience({ env: { ENDPOINT: 'https://id.example.test', TRUST_PROXY: 'loopback' } });
  });
  after(() => h.stop());

  const attributes = (line: string) => {
    const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
    return {
      name: pair.slice(0, pair.indexOf('=')),
      flags: rest.map((part) => part.toLowerCase()),
    };
  };

  it('the session and interaction cookies are __Host-: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const username = uniqueName('https');
    await createUserWithPassword(h.api, { username, password });
    const browser = createPageBrowser(h.t, { headers: { 'x-forwarded-proto': 'https' } });
    const { challenge, verifier } = pkcePair();
    const start = await browser.fetch(
      authorizationUrl(h.t, {
        client_id: h.app.id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid',
        state: 'https-state',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(start.status, 303);
    assert.equal(start.headers.get('location'), 'https://id.example.test/sign-in');
    const set = start.headers.getSetCookie().map(attributes);
    const interaction = set.filter((cookie) => cookie.name.startsWith('__Host-gh_interaction'));
    assert.equal(interaction.length, 2, 'the interaction cookie and its signature');

    const page = await browser.get('/sign-in');
    assert.equal(page.status, 200);
    const answer = await browser.post('/sign-in', { _csrf: page.csrf ?? '', identifier: username, password });
    assert.equal(answer.status, 303);
    const resume = await browser.fetch(answer.location ?? '');
    const session = resume.headers
      .getSetCookie()
      .map(attributes)
      .filter((cookie) => cookie.name.startsWith('__Host-gh_session'));
    assert.equal(session.length, 2, 'the session cookie and its signature');

    for (const cookie of [...interaction, ...session]) {
      assert.ok(cookie.flags.includes('secure'), `${cookie.name} Secure`);
      assert.ok(cookie.flags.includes('httponly'), `${cookie.name} HttpOnly`);
      assert.ok(cookie.flags.includes('samesite=lax'), `${cookie.name} SameSite=Lax`);
      assert.ok(cookie.flags.includes('path=/'), `${cookie.name} Path=/`);
      assert.ok(!cookie.flags.some((flag) => flag.startsWith('domain=')), `${cookie.name} has no Domain`);
    }
    // No cookie of the flow keeps a plain name over https.
    assert.ok(
      ![...browser.jar.keys()].some((name) => name.startsWith('gh_')),
      [...browser.jar.keys()].join(),
    );

    const location = resume.headers.get('location') ?? '';
    assert.ok(location.startsWith(redirectUri), location);
    const params = new URL(location).searchParams;
    assert.equal(params.get('iss'), 'https://id.example.test/oidc');
    const tokens = await redeem(h.t, h.app, params.get('code') ?? '', redirectUri, verifier);
    assert.equal(claimsOf(tokens.id_token).iss, 'https://id.example.test/oidc');
    assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=\d+/, 'HSTS over https');
  });
});
