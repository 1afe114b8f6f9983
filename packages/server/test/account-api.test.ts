import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { digest } from '../src/oidc/adapter.ts';
import {
  accountClient,
  allFieldsEditable,
  setAccountCenter,
  signedInUser,
  signInForTokens,
  verifyPassword,
} from './support/account.ts';
import { assertApiError, assertStatus, managementClient } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  createUserWithPassword,
  type ExperienceHarness,
  redirectUri,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { managementToken } from './support/management.ts';
import { createApplication } from './support/oidc.ts';
import { basicAuth, postForm, tokenRequest } from './support/protocol.ts';

/** Every route of the Account API, with what it needs; each must refuse a caller who is not a signed-in user. */
const routes: Array<[method: string, path: string, body?: unknown]> = [
  ['GET', '/api/my-account'],
  ['PATCH', '/api/my-account', { name: 'x' }],
  ['PATCH', '/api/my-account/profile', { nickname: 'x' }],
  ['POST', '/api/my-account/password', { password: 'a new passphrase 1' }],
  [
    'POST',
    '/api/my-account/primary-email',
    { email: 'a@example.com', newIdentifierVerificationRecordId: 'x' },
  ],
  ['DELETE', '/api/my-account/primary-email'],
  ['POST', '/api/my-account/primary-phone', { phone: '+6612345678', newIdentifierVerificationRecordId: 'x' }],
  ['DELETE', '/api/my-account/primary-phone'],
  ['POST', '/api/my-account/identities', { newIdentifierVerificationRecordId: 'x' }],
  ['DELETE', '/api/my-account/identities/acme'],
  ['GET', '/api/my-account/identities/acme/access-token'],
  ['POST', '/api/verifications/password', { password: 'x' }],
  ['POST', '/api/verifications/verification-code', { identifier: { type: 'email', value: 'a@example.com' } }],
  [
    'POST',
    '/api/verifications/verification-code/verify',
    { identifier: { type: 'email', value: 'a@example.com' }, verificationId: 'x', code: '123456' },
  ],
  ['POST', '/api/verifications/social', { connectorId: 'x', redirectUri, state: 's' }],
  ['POST', '/api/verifications/social/verify', { verificationRecordId: 'x', connectorData: {} }],
];

for (const backend of testBackends()) {
  describe(`Account API: tokens, scopes, account center settings (issue 6 item 3) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(() => setAccountCenter(h.api, { enabled: true, fields: allFieldsEditable }));

    const callAll = async (headers: Record<string, string>) => {
      const api = await managementClient(h.t, headers);
      const answers = [];
      for (const [method, path, body] of routes) {
        answers.push({ route: `${method} ${path}`, response: await api.send(method, path, { body }) });
      }
      return answers;
    };

    describe('who may call: a signed-in user through a first-party app (SECURITY-TESTS A10)', () => {
      it('answers 401 auth.invalid_token with WWW-Authenticate: Bearer to no token, a malformed one and an unknown one', async () => {
        const attempts: Array<Record<string, string>> = [
          {},
          { authorization: 'Basic dXNlcjpwYXNz' },
          { authorization: 'Bearer' },
          { authorization: 'Bearer not a token' },
          { authorization: `Bearer ${'A'.repeat(43)}` },
        ];
        for (const headers of attempts) {
          for (const { route, response } of await callAll(headers)) {
            assertApiError(response, 401, 'auth.invalid_token');
            assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="gatehouse"/, route);
          }
        }
      });

      it('refuses machine tokens with 401: the Management API JWT and an opaque client_credentials token', async () => {
        const machine = await createApplication(h.t, { type: 'MachineToMachine', name: 'Backend' });
        const opaque = await tokenRequest(
          h.t,
          { id: machine.id, secret: machine.secret },
          { grant_type: 'client_credentials' },
        );
        assertStatus({ ...opaque, body: opaque.body }, 200);
        for (const token of [await managementToken(h.t), String(opaque.body.access_token)]) {
          for (const { route, response } of await callAll({ authorization: `Bearer ${token}` })) {
            assert.equal(response.status, 401, `${route}: ${JSON.stringify(response.body)}`);
            assert.equal(response.body.code, 'auth.invalid_token');
          }
        }
      });

      it("refuses a third-party app's user token with 403 auth.first_party_only", async () => {
        const partner = await createApplication(h.t, {
          type: 'Traditional',
          name: 'Partner app',
          redirectUris: [redirectUri],
          isThirdParty: true,
        });
        const username = uniqueName('partner');
        await createUserWithPassword(h.api, { username, password: 'partner passphrase 1' });
        const tokens = await signInForTokens(
          h,
          { username, password: 'partner passphrase 1' },
          { app: { id: partner.id, secret: partner.secret }, consent: true },
        );
        for (const { route, response } of await callAll({ authorization: `Bearer ${tokens.access_token}` })) {
          assert.equal(response.status, 403, `${route}: ${JSON.stringify(response.body)}`);
          assert.equal(response.body.code, 'auth.first_party_only');
        }
      });

      it('refuses a revoked token (RFC 7009), an expired one, one of a suspended user and one of a deleted app', async () => {
        const revoked = await signedInUser(h);
        assertStatus(await revoked.api.get('/api/my-account'), 200);
        const revocation = await postForm(
          h.t,
          '/oidc/token/revocation',
          { token: revoked.accessToken, token_type_hint: 'access_token' },
          { authorization: basicAuth(h.app.id, h.app.secret ?? '') },
        );
        assert.equal(revocation.status, 200);
        assertApiError(await revoked.api.get('/api/my-account'), 401, 'auth.invalid_token');

        // Expired by its own `exp` (the row itself still looks alive): the token's time decides, not the purge.
        const expired = await signedInUser(h);
        await sql`
          update oidc_model_instances
          set payload = jsonb_set(payload::jsonb, '{exp}', to_jsonb(extract(epoch from now())::int - 1))
          where model_name = 'AccessToken' and id = ${digest(expired.accessToken)}`.execute(
          h.t.registry.db.kysely,
        );
        assertApiError(await expired.api.get('/api/my-account'), 401, 'auth.invalid_token');

        const suspended = await signedInUser(h);
        assertStatus(await suspended.api.get('/api/my-account'), 200);
        assertStatus(
          await h.api.patch(`/api/users/${suspended.id}/is-suspended`, { isSuspended: true }),
          200,
        );
        assertApiError(await suspended.api.get('/api/my-account'), 401, 'auth.invalid_token');

        const app = await createApplication(h.t, {
          type: 'SPA',
          name: 'Short-lived',
          redirectUris: [redirectUri],
        });
        const username = uniqueName('gone');
        await createUserWithPassword(h.api, { username, password: 'gone passphrase 12' });
        const tokens = await signInForTokens(
          h,
          { username, password: 'gone passphrase 12' },
          { app: { id: app.id } },
        );
        const orphan = await accountClient(h, tokens.access_token);
        assertStatus(await orphan.get('/api/my-account'), 200);
        assertStatus(await h.api.del(`/api/applications/${app.id}`), 204);
        assertApiError(await orphan.get('/api/my-account'), 401, 'auth.invalid_token');
      });
    });

    describe('scopes: each route checks its own (Logto advisory GHSA-6g9q-qrx7-3jxf)', () => {
      it('with openid alone, shows only the id and answers 403 auth.insufficient_scope naming the missing scope', async () => {
        const user = await signedInUser(h, { scope: 'openid', email: true });
        const me = await user.api.get('/api/my-account');
        assertStatus(me, 200);
        assert.deepEqual(me.body, { id: user.id });

        const password = await verifyPassword(user);
        const refused: Array<[string, string, unknown, string]> = [
          ['PATCH', '/api/my-account', { name: 'x' }, 'profile'],
          ['PATCH', '/api/my-account/profile', { nickname: 'x' }, 'profile'],
          [
            'POST',
            '/api/my-account/primary-email',
            { email: 'b@example.com', newIdentifierVerificationRecordId: 'x' },
            'email',
          ],
          ['DELETE', '/api/my-account/primary-email', undefined, 'email'],
          [
            'POST',
            '/api/my-account/primary-phone',
            { phone: '+6612345678', newIdentifierVerificationRecordId: 'x' },
            'phone',
          ],
          ['DELETE', '/api/my-account/primary-phone', undefined, 'phone'],
          ['POST', '/api/my-account/identities', { newIdentifierVerificationRecordId: 'x' }, 'identities'],
          ['DELETE', '/api/my-account/identities/acme', undefined, 'identities'],
          ['GET', '/api/my-account/identities/acme/access-token', undefined, 'identities'],
          ['POST', '/api/verifications/social', { connectorId: 'x', redirectUri, state: 's' }, 'identities'],
          [
            'POST',
            '/api/verifications/social/verify',
            { verificationRecordId: 'x', connectorData: {} },
            'identities',
          ],
        ];
        for (const [method, path, body, scope] of refused) {
          // With a valid verification record too: the scope is checked first.
          const response = await user.api.verified(password).send(method, path, { body });
          assertApiError(response, 403, 'auth.insufficient_scope');
          assert.equal(response.body.data?.scope, scope, `${method} ${path}`);
          assert.match(response.headers.get('www-authenticate') ?? '', new RegExp(`scope="${scope}"`));
        }
      });

      it('needs custom_data for custom data, and shows identities only with identities', async () => {
        const user = await signedInUser(h, { scope: 'openid profile' });
        assertApiError(
          await user.api.patch('/api/my-account', { customData: { a: 1 } }),
          403,
          'auth.insufficient_scope',
        );
        const me = await user.api.get('/api/my-account');
        assertStatus(me, 200);
        assert.equal(me.body.username, user.username);
        assert.ok(!('identities' in me.body), 'no identities without the identities scope');
        assert.ok(!('customData' in me.body), 'no custom data without custom_data');
        assert.ok(!('primaryEmail' in me.body), 'no email without email');
      });
    });

    describe('the account center settings (Management API /api/account-center, Logto shape)', () => {
      it('is off by default with every field Off, and the Account API answers 400 account_center.not_enabled', async () => {
        await h.t.registry.db.kysely.deleteFrom('account_centers').execute();
        await h.t.registry.changes.publish({ topic: 'account_center' });
        const settings = await h.api.get('/api/account-center');
        assertStatus(settings, 200);
        assert.deepEqual(settings.body, { tenantId: 'default', id: 'default', enabled: false, fields: {} });
        const user = await signedInUser(h);
        assertApiError(await user.api.get('/api/my-account'), 400, 'account_center.not_enabled');
        assertApiError(
          await user.api.post('/api/verifications/password', { password: user.password }),
          400,
          'account_center.not_enabled',
        );
      });

      it('takes only a management token, and refuses unknown fields and values', async () => {
        const user = await signedInUser(h);
        assertApiError(await user.api.get('/api/account-center'), 401, 'auth.invalid_token');
        assertApiError(
          await h.api.patch('/api/account-center', { fields: { nickname: 'Edit' } }),
          400,
          'request.invalid_body',
        );
        assertApiError(
          await h.api.patch('/api/account-center', { fields: { name: 'Write' } }),
          400,
          'request.invalid_body',
        );
        const updated = await setAccountCenter(h.api, { fields: { name: 'ReadOnly' } });
        assert.deepEqual(updated.fields, { name: 'ReadOnly' }, '`fields` replaces the stored fields whole');
        assert.equal(updated.enabled, true, '`enabled` kept when not given');
      });

      it('ReadOnly shows a field and refuses its change; Off hides it too (400 account_center.field_not_editable)', async () => {
        const user = await signedInUser(h, { email: true });
        assertStatus(await user.api.patch('/api/my-account', { name: 'Before' }), 200);
        await setAccountCenter(h.api, {
          fields: { ...allFieldsEditable, name: 'ReadOnly', customData: 'Off', email: 'Off' },
        });
        const me = await user.api.get('/api/my-account');
        assertStatus(me, 200);
        assert.equal(me.body.name, 'Before');
        assert.ok(!('customData' in me.body) && !('primaryEmail' in me.body), 'Off fields are not shown');
        for (const [body, field] of [
          [{ name: 'After' }, 'name'],
          [{ customData: { a: 1 } }, 'customData'],
        ] as const) {
          const response = await user.api.patch('/api/my-account', body);
          assertApiError(response, 400, 'account_center.field_not_editable');
          assert.equal(response.body.data.field, field);
        }
        assertApiError(
          await user.api.del('/api/my-account/primary-email'),
          400,
          'account_center.field_not_editable',
        );
        assert.equal((await h.api.get(`/api/users/${user.id}`)).body.name, 'Before', 'nothing changed');
      });
    });

    describe('GET and PATCH /api/my-account, PATCH /api/my-account/profile', () => {
      it("answers the user in Logto's shape, never the password hash", async () => {
        const user = await signedInUser(h, { email: true });
        const me = await user.api.get('/api/my-account');
        assertStatus(me, 200);
        assert.equal(me.body.id, user.id);
        assert.equal(me.body.username, user.username);
        assert.equal(me.body.primaryEmail, user.email);
        assert.equal(me.body.hasPassword, true);
        assert.deepEqual(me.body.identities, {});
        assert.deepEqual(me.body.customData, {});
        assert.equal(typeof me.body.createdAt, 'number');
        assert.ok(!JSON.stringify(me.body).includes('argon2'), 'no hash');
        assert.equal(me.headers.get('cache-control'), 'no-store');
      });

      it('changes name, avatar and custom data (replaced whole), and refuses fields it does not take', async () => {
        const user = await signedInUser(h);
        assertStatus(
          await user.api.patch('/api/my-account', { customData: { theme: 'dark', old: true } }),
          200,
        );
        const patched = await user.api.patch('/api/my-account', {
          name: 'Ann Example',
          avatar: 'https://example.com/ann.png',
          customData: { theme: 'light' },
        });
        assertStatus(patched, 200);
        assert.equal(patched.body.name, 'Ann Example');
        assert.equal(patched.body.avatar, 'https://example.com/ann.png');
        assert.deepEqual(patched.body.customData, { theme: 'light' });
        for (const body of [
          { primaryEmail: 'x@example.com' },
          { password: 'a passphrase 123' },
          { avatar: 'javascript:alert(1)' },
        ]) {
          assertApiError(await user.api.patch('/api/my-account', body), 400, 'request.invalid_body');
        }
      });

      it('changes the username only with a verification record (401 without), 409 when taken', async () => {
        const user = await signedInUser(h);
        const other = await signedInUser(h);
        const wanted = uniqueName('renamed');
        assertApiError(
          await user.api.patch('/api/my-account', { username: wanted }),
          401,
          'verification_record.permission_denied',
        );
        assertApiError(
          await user.api
            .verified(await verifyPassword(user))
            .patch('/api/my-account', { username: other.username }),
          409,
          'user.username_taken',
        );
        const renamed = await user.api
          .verified(await verifyPassword(user))
          .patch('/api/my-account', { username: wanted });
        assertStatus(renamed, 200);
        assert.equal(renamed.body.username, wanted);
      });

      it('merges /profile into the stored profile claims', async () => {
        const user = await signedInUser(h);
        assertStatus(
          await user.api.patch('/api/my-account/profile', { nickname: 'Annie', locale: 'th-TH' }),
          200,
        );
        const merged = await user.api.patch('/api/my-account/profile', { nickname: 'Ann' });
        assertStatus(merged, 200);
        assert.deepEqual(merged.body, { nickname: 'Ann', locale: 'th-TH' });
        assertApiError(
          await user.api.patch('/api/my-account/profile', { unknown: 1 }),
          400,
          'request.invalid_body',
        );
      });
    });
  });
}
