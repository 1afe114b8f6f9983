import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  beginAuthorization,
  claimsOf,
  createPageBrowser,
  createUserWithPassword,
  type ExperienceHarness,
  errorsOf,
  finishAtClient,
  type Page,
  redirectUri,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { authorizationUrl, pkcePair } from './support/protocol.ts';
import {
  addOidcConnector,
  pressSocialButton,
  returnFromUpstream,
  showConnectors,
  signInWithConnector,
  storedCounts,
  type TestConnector,
} from './support/social.ts';
import { signInUpstream, startUpstream, type Upstream } from './support/upstream.ts';

const en = translator('en');
const upstreamPassword = 'upstream passphrase';

/** The text of the error page's message paragraph. */
const messageOf = (page: Page) => /<h1>[^<]*<\/h1>\s*<p>([^<]*)<\/p>/.exec(page.html)?.[1] ?? '';

for (const backend of testBackends()) {
  describe(`"Continue with …" through the generic OIDC connector (SPEC §6, issue 5) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let upstream: Upstream;
    let acme: TestConnector;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
      upstream = await startUpstream({ consent: 'auto' });
    });
    after(async () => {
      await upstream.stop();
      await h.stop();
    });
    beforeEach(async () => {
      await resetSignInExperience(h.t);
      acme = await addOidcConnector(h, upstream, { name: { en: 'Acme ID', th: 'แอคมี ไอดี' } });
    });

    /** A new upstream account; its email verified unless said otherwise. */
    const upstreamAccount = (claims: Record<string, unknown> = {}) => {
      const login = uniqueName('up');
      upstream.accounts.set(login, {
        password: upstreamPassword,
        claims: {
          email: `${login}@upstream.example`,
          email_verified: true,
          name: `Name of ${login}`,
          ...claims,
        },
      });
      return { login, password: upstreamPassword };
    };

    const identityOf = async (target: string, sub: string) =>
      h.t.registry.db.kysely
        .selectFrom('user_identities')
        .selectAll()
        .where('target', '=', target)
        .where('identity_id', '=', sub)
        .executeTakeFirst();

    const getUser = async (id: string) => {
      const response = await h.api.get(`/api/users/${id}`);
      assertStatus(response, 200);
      return response.body as {
        id: string;
        name: string | null;
        primaryEmail: string | null;
        username: string | null;
        identities: Record<string, { userId: string; details: Record<string, unknown> }>;
      };
    };

    it('the sign-in page shows the button with the connector name in the page language, and may post to the provider (CSP)', async () => {
      const flow = await beginAuthorization(h.t, h.app);
      assert.match(
        flow.page.html,
        new RegExp(`data-connector="${acme.id}"[^>]*>[\\s\\S]*?Continue with Acme ID`),
      );
      const csp = flow.page.headers.get('content-security-policy') ?? '';
      assert.ok(csp.includes(`form-action 'self' https://app.example.com ${upstream.issuer}`), csp);
      const thai = await beginAuthorization(h.t, h.app, { params: { ui_locales: 'th' } });
      assert.match(thai.page.html, /ดำเนินการต่อด้วย แอคมี ไอดี/);
    });

    it('signs up a new user on the first sign-in: identity keyed on (target, sub), verified email and name taken, signed in to the app', async () => {
      const account = upstreamAccount();
      const before = await storedCounts(h);
      const { flow, upstreamUrl, answer } = await signInWithConnector(h, acme, account);

      const sent = new URL(upstreamUrl);
      assert.equal(sent.searchParams.get('response_type'), 'code');
      assert.equal(
        sent.searchParams.get('redirect_uri'),
        `${h.t.registry.config.endpoint}/callback/${acme.id}`,
      );
      assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
      assert.ok((sent.searchParams.get('state') ?? '').length >= 43, 'a 256-bit state');
      assert.ok((sent.searchParams.get('nonce') ?? '').length >= 43, 'a 256-bit nonce');

      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      const sub = String(claimsOf(tokens.id_token).sub);
      const user = await getUser(sub);
      assert.equal(user.primaryEmail, `${account.login}@upstream.example`);
      assert.equal(user.name, `Name of ${account.login}`);
      assert.equal(
        user.identities[acme.target]?.userId,
        account.login,
        'Logto shape: {target: {userId: sub}}',
      );
      assert.equal(user.identities[acme.target]?.details.email, `${account.login}@upstream.example`);
      assert.deepEqual(await storedCounts(h), { users: before.users + 1, identities: before.identities + 1 });
    });

    it('a second sign-in with the same upstream account signs in to the same user (no new account)', async () => {
      const account = upstreamAccount();
      const first = await signInWithConnector(h, acme, account);
      const firstSub = claimsOf((await finishAtClient(h.t, h.app, first.flow, first.answer)).id_token).sub;
      const counts = await storedCounts(h);
      const second = await signInWithConnector(h, acme, account);
      const secondSub = claimsOf((await finishAtClient(h.t, h.app, second.flow, second.answer)).id_token).sub;
      assert.equal(secondSub, firstSub);
      assert.deepEqual(await storedCounts(h), counts);
    });

    it('an upstream email change never re-keys the identity: the same user, still found by sub (C9)', async () => {
      const account = upstreamAccount();
      const first = await signInWithConnector(h, acme, account);
      const sub = claimsOf((await finishAtClient(h.t, h.app, first.flow, first.answer)).id_token).sub;
      const stored = upstream.accounts.get(account.login);
      assert.ok(stored);
      stored.claims.email = `changed-${account.login}@upstream.example`;
      const again = await signInWithConnector(h, acme, account);
      assert.equal(claimsOf((await finishAtClient(h.t, h.app, again.flow, again.answer)).id_token).sub, sub);
      const identity = await identityOf(acme.target, account.login);
      assert.equal(identity?.user_id, sub);
    });

    it('syncProfile false takes the name at sign-up only; true refreshes it at every sign-in', async () => {
      const account = upstreamAccount({ name: 'First Name' });
      const first = await signInWithConnector(h, acme, account);
      const sub = String(claimsOf((await finishAtClient(h.t, h.app, first.flow, first.answer)).id_token).sub);
      const stored = upstream.accounts.get(account.login);
      assert.ok(stored);
      stored.claims.name = 'Renamed Upstream';
      const second = await signInWithConnector(h, acme, account);
      await finishAtClient(h.t, h.app, second.flow, second.answer);
      assert.equal((await getUser(sub)).name, 'First Name', 'syncProfile false: kept');
      const details = (await identityOf(acme.target, account.login))?.details as Record<string, unknown>;
      assert.equal(details.name, 'Renamed Upstream', 'the identity details are refreshed either way');

      assertStatus(await h.api.patch(`/api/connectors/${acme.id}`, { syncProfile: true }), 200);
      await h.t.registry.changes.publish({ topic: '*' });
      const third = await signInWithConnector(h, acme, account);
      await finishAtClient(h.t, h.app, third.flow, third.answer);
      assert.equal((await getUser(sub)).name, 'Renamed Upstream', 'syncProfile true: refreshed');
    });

    it('social-only sign-up (sign-up identifiers: none) creates the account with no username or password asked', async () => {
      await setSignInExperience(h.t, h.api, {
        signUp: { identifiers: [], password: false, verify: false },
        socialSignInConnectorTargets: [acme.target],
      });
      const account = upstreamAccount();
      const flow = await beginAuthorization(h.t, h.app, { params: { interaction_mode: 'signUp' } });
      assert.doesNotMatch(flow.page.html, /new-password/, 'no password asked');
      assert.match(flow.page.html, /Continue with Acme ID/, 'the social buttons are the way to sign up');
      assert.ok(!errorsOf(flow.page.html).length);
      const { answer } = await signInWithConnector(h, acme, account, { flow });
      const sub = String(claimsOf((await finishAtClient(h.t, h.app, flow, answer)).id_token).sub);
      const user = await getUser(sub);
      assert.equal(user.username, null);
      assert.equal(user.primaryEmail, `${account.login}@upstream.example`);
    });

    it('an upstream email owned by an existing account is never linked silently: the owner signs in to it first (B8, CVE-2026-15611)', async () => {
      const account = upstreamAccount();
      const email = `${account.login}@upstream.example`;
      const existing = await createUserWithPassword(h.api, {
        primaryEmail: email,
        password: 'existing passphrase 1',
      });
      const before = await storedCounts(h);

      const { flow, answer } = await signInWithConnector(h, acme, account);
      assert.equal(answer.status, 303);
      assert.match(answer.location ?? '', /^\/sign-in\/social\/link/);
      assert.deepEqual(await storedCounts(h), before, 'nothing linked or created yet');
      const link = await flow.browser.get(answer.location ?? '');
      assert.equal(link.status, 200);
      assert.ok(link.html.includes(email), 'names the existing account');

      const wrong = await flow.browser.post('/sign-in/social/link', {
        _csrf: link.csrf ?? '',
        password: 'not it',
      });
      assert.equal(wrong.status, 400);
      assert.deepEqual(errorsOf(wrong.html), [en('sign_in.failed')]);
      assert.deepEqual(await storedCounts(h), before, 'a wrong password links nothing');

      const right = await flow.browser.post('/sign-in/social/link', {
        _csrf: link.csrf ?? '',
        password: 'existing passphrase 1',
      });
      const tokens = await finishAtClient(h.t, h.app, flow, right);
      assert.equal(claimsOf(tokens.id_token).sub, existing.id, 'signed in to the existing account');
      assert.equal((await identityOf(acme.target, account.login))?.user_id, existing.id, 'linked');

      const next = await signInWithConnector(h, acme, account);
      assert.equal(
        claimsOf((await finishAtClient(h.t, h.app, next.flow, next.answer)).id_token).sub,
        existing.id,
      );
    });

    it('an unverified upstream email (email_verified false) is not used: no link offered, a new account without that email (B8)', async () => {
      const account = upstreamAccount({ email_verified: false });
      const email = `${account.login}@upstream.example`;
      const existing = await createUserWithPassword(h.api, {
        primaryEmail: email,
        password: 'existing passphrase 1',
      });
      const { flow, answer } = await signInWithConnector(h, acme, account);
      const sub = String(claimsOf((await finishAtClient(h.t, h.app, flow, answer)).id_token).sub);
      assert.notEqual(sub, existing.id, 'never merged with the account holding that email');
      assert.equal(
        (await getUser(sub)).primaryEmail,
        null,
        'the unverified email is not kept as the primary email',
      );
    });

    it('direct_sign_in=social:<target> skips the sign-in page and goes straight to the provider', async () => {
      const account = upstreamAccount();
      const browser = createPageBrowser(h.t);
      const { challenge, verifier } = pkcePair();
      const state = uniqueName('state');
      const start = await browser.follow(
        authorizationUrl(h.t, {
          client_id: h.app.id,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          direct_sign_in: `social:${acme.target}`,
        }),
        upstream.issuer,
      );
      assert.equal(start.page, undefined, 'no page of ours on the way');
      assert.ok(start.url.startsWith(upstream.authorizationEndpoint), `went to the provider: ${start.url}`);
      const flow = { browser, state, verifier, page: {} as Page };
      const answer = await returnFromUpstream(flow, await signInUpstream(start.url, account));
      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      const user = await getUser(String(claimsOf(tokens.id_token).sub));
      assert.equal(user.identities[acme.target]?.userId, account.login);
    });

    it('form_post: the provider posts to /callback/<id>, Gatehouse answers 303 to the GET, and the sign-in completes', async () => {
      const formPost = await addOidcConnector(h, upstream, { responseMode: 'form_post' });
      const account = upstreamAccount();
      const { flow, callback, answer } = await signInWithConnector(h, formPost, account);
      assert.equal(callback.method, 'POST', 'the provider answered with a form_post page');
      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      assert.equal(
        (await identityOf(formPost.target, account.login))?.user_id,
        claimsOf(tokens.id_token).sub,
      );
    });

    it('the generic OAuth 2.0 connector signs up and in through the userinfo endpoint and its profile map', async () => {
      const oauth2 = await addOidcConnector(h, upstream, { factory: 'oauth2' });
      const account = upstreamAccount();
      const first = await signInWithConnector(h, oauth2, account);
      const sub = String(claimsOf((await finishAtClient(h.t, h.app, first.flow, first.answer)).id_token).sub);
      const user = await getUser(sub);
      assert.equal(user.identities[oauth2.target]?.userId, account.login, 'the id from profileMap.id (sub)');
      assert.equal(user.primaryEmail, `${account.login}@upstream.example`, 'email with emailVerified true');
      assert.equal(user.name, `Name of ${account.login}`);
      const again = await signInWithConnector(h, oauth2, account);
      assert.equal(claimsOf((await finishAtClient(h.t, h.app, again.flow, again.answer)).id_token).sub, sub);
    });

    for (const method of ['client_secret_post', 'client_secret_jwt'] as const) {
      it(`authenticates to the provider's token endpoint with ${method} (the provider saw ${method})`, async () => {
        const connector = await addOidcConnector(h, upstream, { tokenEndpointAuthMethod: method });
        const account = upstreamAccount();
        const seenBefore = upstream.seen.tokenRequests.length;
        const { flow, answer } = await signInWithConnector(h, connector, account);
        await finishAtClient(h.t, h.app, flow, answer);
        const requests = upstream.seen.tokenRequests.slice(seenBefore);
        assert.ok(
          requests.some(
            (request) =>
              request.clientId === connector.clientId &&
              request.authMethod === method &&
              request.status === 200,
          ),
        );
      });
    }

    describe('refused callbacks store nothing (SECURITY-TESTS C1, C10)', () => {
      /** Up to the provider's answer, not yet back at Gatehouse. */
      const atProvider = async (connector = acme) => {
        const flow = await beginAuthorization(h.t, h.app);
        const callback = await signInUpstream(await pressSocialButton(flow, connector), upstreamAccount());
        return { flow, callback };
      };
      const assertRefused = async (
        answer: Page,
        counts: { users: number; identities: number },
        status = 400,
      ) => {
        assert.equal(
          answer.status,
          status,
          `refused with ${status}, got ${answer.status} ${answer.location ?? ''}`,
        );
        assert.equal(answer.location, null, 'no redirect to the app');
        assert.match(answer.html, /href="\/sign-in\?fallback=1/, 'a way back');
        assert.deepEqual(await storedCounts(h), counts, 'nothing stored');
      };

      it('a callback without state is refused', async () => {
        const { flow, callback } = await atProvider();
        const counts = await storedCounts(h);
        const url = new URL(callback.url);
        url.searchParams.delete('state');
        await assertRefused(await flow.browser.get(url.href), counts);
      });

      it('a callback with another state is refused, and the real one cannot be used after it', async () => {
        const { flow, callback } = await atProvider();
        const counts = await storedCounts(h);
        const url = new URL(callback.url);
        url.searchParams.set('state', `${url.searchParams.get('state')}x`);
        await assertRefused(await flow.browser.get(url.href), counts);
        await assertRefused(await flow.browser.get(callback.url), counts);
      });

      it('a replayed callback is refused (the state is used up by the first)', async () => {
        const { flow, callback } = await atProvider();
        const first = await flow.browser.get(callback.url);
        assert.equal(first.status, 303, 'the first one signs in');
        const counts = await storedCounts(h);
        await assertRefused(await flow.browser.get(callback.url), counts);
      });

      it("another browser's callback is refused (the state is bound to the browser's sign-in)", async () => {
        const { callback } = await atProvider();
        const counts = await storedCounts(h);
        const other = await beginAuthorization(h.t, h.app);
        await assertRefused(await other.browser.get(callback.url), counts);
        const noSession = createPageBrowser(h.t);
        const answer = await noSession.get(callback.url);
        assert.equal(answer.status, 400, 'no sign-in in progress at all: the expired page');
        assert.deepEqual(await storedCounts(h), counts);
      });

      it("a callback arriving at another connector's URL is refused", async () => {
        const other = await addOidcConnector(h, upstream, { show: false });
        await showConnectors(h, [acme.target, other.target]);
        const { flow, callback } = await atProvider();
        const counts = await storedCounts(h);
        const url = new URL(callback.url);
        url.pathname = `/callback/${other.id}`;
        await assertRefused(await flow.browser.get(url.href), counts);
      });

      it('the provider answers error=access_denied: a clear page with a way back, nothing stored', async () => {
        const counts = await storedCounts(h);
        const { answer } = await signInWithConnector(h, acme, { ...upstreamAccount(), deny: 'at-login' });
        await assertRefused(answer, counts);
        assert.equal(messageOf(answer), en('social.denied').replace('{{name}}', 'Acme ID'));
      });

      it('an unknown identity with sign-up closed (signInMode SignIn) gets no account: 403, nothing stored', async () => {
        await setSignInExperience(h.t, h.api, {
          signInMode: 'SignIn',
          socialSignInConnectorTargets: [acme.target],
        });
        const counts = await storedCounts(h);
        const { answer } = await signInWithConnector(h, acme, upstreamAccount());
        await assertRefused(answer, counts, 403);
        assert.equal(messageOf(answer), en('social.no_account').replace('{{name}}', 'Acme ID'));
      });

      it('a suspended user linked to the identity is refused at the callback', async () => {
        const account = upstreamAccount();
        const first = await signInWithConnector(h, acme, account);
        const sub = String(
          claimsOf((await finishAtClient(h.t, h.app, first.flow, first.answer)).id_token).sub,
        );
        assertStatus(await h.api.patch(`/api/users/${sub}/is-suspended`, { isSuspended: true }), 200);
        const counts = await storedCounts(h);
        const { answer } = await signInWithConnector(h, acme, account);
        await assertRefused(answer, counts);
      });

      it('a connector the sign-in experience does not list cannot be started', async () => {
        const hidden = await addOidcConnector(h, upstream, { show: false });
        const flow = await beginAuthorization(h.t, h.app);
        const answer = await flow.browser.post('/sign-in/social', {
          _csrf: flow.page.csrf ?? '',
          connector: hidden.id,
        });
        assert.equal(answer.status, 400);
        assert.equal(answer.location, null);
      });

      it('starting a social sign-in without the CSRF token is refused (403)', async () => {
        const flow = await beginAuthorization(h.t, h.app);
        const answer = await flow.browser.post('/sign-in/social', { connector: acme.id });
        assert.equal(answer.status, 403);
      });
    });
  });
}

describe('outbound safety in production: a connector on a private address is refused end to end (SECURITY-TESTS C8)', () => {
  let h: ExperienceHarness;
  let upstream: Upstream;
  before(async () => {
    [h, upstream] = await Promise.all([
      startExperience({ env: { NODE_ENV: 'production' } }),
      startUpstream({ consent: 'auto' }),
    ]);
  });
  after(async () => {
    await upstream.stop();
    await h.stop();
  });

  it('the token request to 127.0.0.1 is never made: a clear page, nothing stored, the refusal logged', async () => {
    const local = await addOidcConnector(h, upstream);
    const login = uniqueName('ssrf');
    upstream.accounts.set(login, { password: upstreamPassword, claims: { email: `${login}@x.example` } });
    const counts = await storedCounts(h);
    const tokenRequests = upstream.seen.tokenRequests.length;
    const { answer } = await signInWithConnector(h, local, { login, password: upstreamPassword });
    assert.equal(answer.status, 400);
    assert.equal(messageOf(answer), en('social.failed').replace('{{name}}', local.name));
    assert.deepEqual(await storedCounts(h), counts, 'nothing stored');
    assert.equal(
      upstream.seen.tokenRequests.length,
      tokenRequests,
      'Gatehouse never reached the token endpoint',
    );
    const refusal = h.t.logs.lines().find((line) => line.msg === 'social sign-in failed');
    assert.ok(refusal, 'logged');
    assert.match(JSON.stringify(refusal), /address_not_allowed|outbound/);
  });

  it('the same host listed in OUTBOUND_ALLOWED_HOSTS is reached', async () => {
    const allowed = await startExperience({
      env: { NODE_ENV: 'production', OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' },
    });
    try {
      const connector = await addOidcConnector(allowed, upstream);
      const login = uniqueName('allowed');
      upstream.accounts.set(login, {
        password: upstreamPassword,
        claims: { email: `${login}@x.example`, email_verified: true },
      });
      const { flow, answer } = await signInWithConnector(allowed, connector, {
        login,
        password: upstreamPassword,
      });
      const tokens = await finishAtClient(allowed.t, allowed.app, flow, answer);
      assert.equal(claimsOf(tokens.id_token).email, `${login}@x.example`);
    } finally {
      await allowed.stop();
    }
  });
});
