import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  accountClient,
  addLinkConnector,
  allAccountScopes,
  allFieldsEditable,
  auditEntries,
  linkRedirectUri,
  setAccountCenter,
  signedInUser,
  startSocialVerification,
  verifyPassword,
  verifySocialIdentity,
} from './support/account.ts';
import { assertApiError, assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  claimsOf,
  type ExperienceHarness,
  finishAtClient,
  resetSignInExperience,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { showConnectors, signInWithConnector, type TestConnector } from './support/social.ts';
import { signInUpstream, startUpstream, type Upstream } from './support/upstream.ts';

const upstreamPassword = 'upstream passphrase';

for (const backend of testBackends()) {
  describe(`Account API: linking and unlinking social identities, stored provider tokens (SPEC §7, issue 6) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let upstream: Upstream;
    let acme: TestConnector;
    let vault: TestConnector;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
      upstream = await startUpstream({ consent: 'auto' });
      acme = await addLinkConnector(h, upstream);
      vault = await addLinkConnector(h, upstream, { enableTokenStorage: true });
    });
    after(async () => {
      await upstream.stop();
      await h.stop();
    });
    beforeEach(async () => {
      await resetSignInExperience(h.t);
      await setAccountCenter(h.api, { enabled: true, fields: allFieldsEditable });
    });

    /** A new upstream account (its email verified unless said otherwise). */
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

    const link = (user: Awaited<ReturnType<typeof signedInUser>>, recordId: string, presence: string) =>
      user.api
        .verified(presence)
        .post('/api/my-account/identities', { newIdentifierVerificationRecordId: recordId });

    describe('linking through the verification flow (Logto: verifications/social, then my-account/identities)', () => {
      it("links a provider end to end: Gatehouse's nonce and PKCE go upstream, the app's state comes back as is", async () => {
        const user = await signedInUser(h);
        const account = upstreamAccount();
        const started = await startSocialVerification(user.api, acme, 'the-apps-own-state');
        const authorization = new URL(started.authorizationUri);
        assert.equal(authorization.origin + authorization.pathname, upstream.authorizationEndpoint);
        assert.equal(authorization.searchParams.get('state'), 'the-apps-own-state');
        assert.equal(authorization.searchParams.get('redirect_uri'), linkRedirectUri);
        assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
        assert.ok(authorization.searchParams.get('nonce'), 'a nonce');

        const callback = await signInUpstream(started.authorizationUri, account);
        assert.ok(callback.url.startsWith(linkRedirectUri));
        assert.equal(callback.params.state, 'the-apps-own-state');
        const verified = await user.api.post('/api/verifications/social/verify', {
          verificationRecordId: started.verificationRecordId,
          connectorData: callback.params,
        });
        assertStatus(verified, 200);
        assert.deepEqual(verified.body, { verificationRecordId: started.verificationRecordId });

        const link = { newIdentifierVerificationRecordId: started.verificationRecordId };
        assertApiError(
          await user.api.post('/api/my-account/identities', link),
          401,
          'verification_record.permission_denied',
        );
        assertStatus(
          await user.api.verified(await verifyPassword(user)).post('/api/my-account/identities', link),
          204,
        );

        const me = await user.api.get('/api/my-account');
        assert.equal(me.body.identities[acme.target]?.userId, account.login);
        for (const secret of [callback.params.code, user.accessToken, user.password]) {
          assert.ok(secret && !h.t.logs.text().includes(secret), 'no code, token or password in the logs');
        }
        const entry = (await auditEntries(h, user.id)).find((row) => row.action === 'identity.linked');
        assert.ok(entry, 'audited');
        assert.equal(entry.actor_type, 'user');
        assert.equal(entry.actor_id, user.id);
        assert.equal(entry.target, acme.target);
        assert.deepEqual(entry.data, { applicationId: h.app.id });

        // The link is real: "Continue with …" on the sign-in page now signs this user in.
        await showConnectors(h, [acme.target]);
        const { flow, answer } = await signInWithConnector(h, acme, account);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        assert.equal(claimsOf(tokens.id_token).sub, user.id);
      });

      it('answers 409 identity.taken for an identity linked to another user, and identity.already_linked for a second one at the same provider', async () => {
        const first = await signedInUser(h);
        const second = await signedInUser(h);
        const account = upstreamAccount();
        assertStatus(
          await link(
            first,
            await verifySocialIdentity(first.api, acme, account),
            await verifyPassword(first),
          ),
          204,
        );

        const record = await verifySocialIdentity(second.api, acme, account);
        const presence = await verifyPassword(second);
        assertApiError(await link(second, record, presence), 409, 'identity.taken');
        assert.deepEqual((await second.api.get('/api/my-account')).body.identities, {});

        const another = await verifySocialIdentity(first.api, acme, upstreamAccount());
        assertApiError(
          await link(first, another, await verifyPassword(first)),
          409,
          'identity.already_linked',
        );
        assert.equal(
          (await first.api.get('/api/my-account')).body.identities[acme.target]?.userId,
          account.login,
        );
      });

      it("refuses another attempt's callback (state, then nonce and PKCE), a replayed verify, and another user's record", async () => {
        const user = await signedInUser(h);
        const account = upstreamAccount();

        // Another attempt's callback, with another state: refused before the code is used.
        const one = await startSocialVerification(user.api, acme, 'state-one');
        const two = await startSocialVerification(user.api, acme, 'state-two');
        const oneCallback = await signInUpstream(one.authorizationUri, account);
        const crossed = await user.api.post('/api/verifications/social/verify', {
          verificationRecordId: two.verificationRecordId,
          connectorData: oneCallback.params,
        });
        assertApiError(crossed, 400, 'social.verification_failed');
        assert.equal(crossed.body.data.reason, 'state_mismatch');
        // A failed attempt uses the record up: it cannot be tried again, even with a right callback.
        const twoCallback = await signInUpstream(two.authorizationUri, account);
        assertApiError(
          await user.api.post('/api/verifications/social/verify', {
            verificationRecordId: two.verificationRecordId,
            connectorData: twoCallback.params,
          }),
          401,
          'verification_record.used',
        );

        // The same state in two attempts (a careless app): the code is still bound to its own attempt by
        // Gatehouse's PKCE verifier and nonce, sealed in the record.
        const three = await startSocialVerification(user.api, acme, 'same-state');
        const four = await startSocialVerification(user.api, acme, 'same-state');
        const threeCallback = await signInUpstream(three.authorizationUri, account);
        const swapped = await user.api.post('/api/verifications/social/verify', {
          verificationRecordId: four.verificationRecordId,
          connectorData: threeCallback.params,
        });
        assertApiError(swapped, 400, 'social.verification_failed');
        assert.equal(swapped.body.data.reason, 'social.token_request_failed');
        const own = await user.api.post('/api/verifications/social/verify', {
          verificationRecordId: three.verificationRecordId,
          connectorData: threeCallback.params,
        });
        assertStatus(own, 200);
        const replayed = await user.api.post('/api/verifications/social/verify', {
          verificationRecordId: three.verificationRecordId,
          connectorData: threeCallback.params,
        });
        assertApiError(replayed, 401, 'verification_record.used');

        // Records belong to the token's user: another user can neither verify nor link with this one.
        const other = await signedInUser(h);
        assertApiError(
          await other.api.post('/api/verifications/social/verify', {
            verificationRecordId: four.verificationRecordId,
            connectorData: threeCallback.params,
          }),
          400,
          'verification_record.not_found',
        );
        assertApiError(
          await link(other, three.verificationRecordId, await verifyPassword(other)),
          400,
          'verification_record.not_found',
        );
        // The verified record still links for its owner, once.
        const presence = await verifyPassword(user);
        assertStatus(await link(user, three.verificationRecordId, presence), 204);
        assertApiError(
          await link(user, three.verificationRecordId, await verifyPassword(user)),
          401,
          'verification_record.used',
        );
      });

      it('refuses an unknown connector (404) and a redirect URI that is not absolute (400)', async () => {
        const user = await signedInUser(h);
        assertApiError(
          await user.api.post('/api/verifications/social', {
            connectorId: 'nope',
            redirectUri: linkRedirectUri,
            state: 's',
          }),
          404,
          'connector.not_found',
        );
        assertApiError(
          await user.api.post('/api/verifications/social', {
            connectorId: acme.id,
            redirectUri: '/relative',
            state: 's',
          }),
          400,
          'request.invalid_body',
        );
      });
    });

    describe('unlinking', () => {
      it('unlinks with a verification (audited) and the identity no longer signs in', async () => {
        const user = await signedInUser(h);
        const account = upstreamAccount();
        assertStatus(
          await link(user, await verifySocialIdentity(user.api, acme, account), await verifyPassword(user)),
          204,
        );
        assertApiError(
          await user.api.del(`/api/my-account/identities/${acme.target}`),
          401,
          'verification_record.permission_denied',
        );
        assertStatus(
          await user.api
            .verified(await verifyPassword(user))
            .del(`/api/my-account/identities/${acme.target}`),
          204,
        );
        assert.deepEqual((await user.api.get('/api/my-account')).body.identities, {});
        await showConnectors(h, [acme.target]);
        const { flow, answer } = await signInWithConnector(h, acme, account);
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        assert.notEqual(
          claimsOf(tokens.id_token).sub,
          user.id,
          'the upstream account is no way into this user',
        );
        assert.ok(
          (await auditEntries(h, user.id)).some(
            (row) => row.action === 'identity.unlinked' && row.target === acme.target,
          ),
        );
        assertApiError(
          await user.api
            .verified(await verifyPassword(user))
            .del(`/api/my-account/identities/${acme.target}`),
          404,
          'identity.not_found',
        );
      });

      it('refuses to unlink the last way to sign in: no other identity, no email, no password with an identifier', async () => {
        // A social-only account: signed up with a provider that shows no verified email, so it has no email.
        await showConnectors(h, [acme.target]);
        const account = upstreamAccount({ email_verified: false });
        const { flow, answer } = await signInWithConnector(h, acme, account, {
          params: { scope: allAccountScopes, prompt: 'consent' },
        });
        const tokens = await finishAtClient(h.t, h.app, flow, answer);
        const api = await accountClient(h, tokens.access_token);
        const me = await api.get('/api/my-account');
        assertStatus(me, 200);
        assert.equal(me.body.primaryEmail, null);
        assert.equal(me.body.hasPassword, false);

        // Nothing to verify with yet: Logto lets such a user set a first password without a record.
        const password = 'first passphrase of mine';
        assertStatus(await api.post('/api/my-account/password', { password }), 204);
        const presence = async () => {
          const response = await api.post('/api/verifications/password', { password });
          assertStatus(response, 201);
          return response.body.verificationRecordId as string;
        };
        // A password with no username, email or phone to type it after is no way in.
        assertApiError(
          await api.verified(await presence()).del(`/api/my-account/identities/${acme.target}`),
          400,
          'identity.last_sign_in_method',
        );
        const username = uniqueName('named');
        assertStatus(await api.verified(await presence()).patch('/api/my-account', { username }), 200);
        assertStatus(
          await api.verified(await presence()).del(`/api/my-account/identities/${acme.target}`),
          204,
        );
      });
    });

    describe('stored provider tokens: GET /api/my-account/identities/{target}/access-token', () => {
      it("links with token storage on, then answers the upstream's access token, audited without the token", async () => {
        const user = await signedInUser(h);
        const account = upstreamAccount();
        const record = await verifySocialIdentity(user.api, vault, account);
        assertStatus(await link(user, record, await verifyPassword(user)), 204);

        const read = await user.api.send('GET', `/api/my-account/identities/${vault.target}/access-token`, {
          headers: { 'user-agent': 'account-test/1.0' },
        });
        assertStatus(read, 200);
        assert.deepEqual(Object.keys(read.body).sort(), [
          'access_token',
          'expires_in',
          'scope',
          'token_type',
        ]);
        assert.equal(read.body.token_type, 'Bearer');
        assert.ok(read.body.expires_in > 0 && read.body.expires_in <= 3600);
        // The real upstream accepts it: it is the provider's token for this account.
        const userinfo = await fetch(upstream.userinfoEndpoint, {
          headers: { authorization: `Bearer ${read.body.access_token}` },
        });
        assert.equal(userinfo.status, 200);
        assert.equal(((await userinfo.json()) as { sub: string }).sub, account.login);

        const entry = (await auditEntries(h, user.id)).find((row) => row.action === 'identity_token.read');
        assert.ok(entry, 'the read is audited');
        assert.equal(entry.actor_id, user.id);
        assert.equal(entry.target, vault.target);
        assert.equal(entry.user_agent, 'account-test/1.0');
        assert.ok(entry.ip, 'with the address');
        assert.deepEqual(entry.data, { applicationId: h.app.id });

        // The token is nowhere in plaintext: not in the logs, the audit log, the records or the token table.
        const token = read.body.access_token as string;
        assert.ok(!h.t.logs.text().includes(token), 'not in the logs');
        const db = h.t.registry.db.kysely;
        for (const table of [
          'audit_logs',
          'verification_records',
          'identity_tokens',
          'user_identities',
        ] as const) {
          const rows = await db.selectFrom(table).selectAll().execute();
          assert.ok(!JSON.stringify(rows).includes(token), `not in ${table}`);
        }

        // Logto: the token read answers even while the rest of the Account API is off.
        await setAccountCenter(h.api, { enabled: false });
        assertStatus(await user.api.get(`/api/my-account/identities/${vault.target}/access-token`), 200);
      });

      it("never reaches another user's tokens: the path has no user id, the token's user decides", async () => {
        const owner = await signedInUser(h);
        assertStatus(
          await link(
            owner,
            await verifySocialIdentity(owner.api, vault, upstreamAccount()),
            await verifyPassword(owner),
          ),
          204,
        );
        const other = await signedInUser(h);
        assertApiError(
          await other.api.get(`/api/my-account/identities/${vault.target}/access-token`),
          404,
          'identity_token.not_found',
        );
        // Without token storage nothing is kept, and an unlink deletes what was.
        const plain = await signedInUser(h);
        assertStatus(
          await link(
            plain,
            await verifySocialIdentity(plain.api, acme, upstreamAccount()),
            await verifyPassword(plain),
          ),
          204,
        );
        assertApiError(
          await plain.api.get(`/api/my-account/identities/${acme.target}/access-token`),
          404,
          'identity_token.not_found',
        );
        assertStatus(
          await owner.api
            .verified(await verifyPassword(owner))
            .del(`/api/my-account/identities/${vault.target}`),
          204,
        );
        assertApiError(
          await owner.api.get(`/api/my-account/identities/${vault.target}/access-token`),
          404,
          'identity_token.not_found',
        );
      });
    });
  });
}
