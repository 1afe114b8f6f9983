import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAuditLog } from '../src/audit/audit-log.ts';
import type { SocialTokens } from '../src/connectors/social/schemas.ts';
import { defaultTenantId, managementApi } from '../src/db/schema.ts';
import {
  createIdentityTokenService,
  type IdentityTokenService,
  identityTokenAad,
} from '../src/domain/identity-tokens/identity-tokens.service.ts';
import { createIdentityService, type IdentityService } from '../src/domain/users/identities.service.ts';
import {
  type ApiClient,
  type ApiResponse,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { type ExperienceHarness, finishAtClient, startExperience, uniqueName } from './support/experience.ts';
import { managementHeaders } from './support/management.ts';
import {
  machineApp,
  managementTokenOf,
  type RefusedTokens,
  refusedTokens,
} from './support/management-tokens.ts';
import { signInAs } from './support/oidc.ts';
import type { Client } from './support/protocol.ts';
import { startTestServer, type TestServer, testAdminClient } from './support/server.ts';
import { addOidcConnector, signInWithConnector, type TestConnector } from './support/social.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

/**
 * A user's social identities in the Management API (issue 6 item 4): Logto's paths and shapes, the stored
 * provider tokens' status and never the tokens, and the backend read of a stored access token, allowed only
 * with the dedicated scope `identity-tokens:read` (not implied by `all`) and audited (docs/decisions/0014).
 */

const tag = () => randomBytes(5).toString('hex');
const newTarget = () => `idp-${tag()}`;
const userAgent = 'identity-tests/1.0 (+https://gatehouse.example)';

/** Recognisable provider tokens: a test searches responses, audit rows, dumps and logs for them. */
const canaryTokens = (overrides: Partial<SocialTokens> = {}): Required<SocialTokens> => ({
  accessToken: `canary-at-${tag()}${tag()}`,
  refreshToken: `canary-rt-${tag()}${tag()}`,
  idToken: `canary-it-${tag()}${tag()}`,
  scope: 'openid calendar.read',
  tokenType: 'Bearer',
  expiresIn: 3600,
  ...overrides,
});

/** Every row of every table of the public schema, as one text (SECURITY-TESTS D2). */
const dumpDatabase = async (t: TestServer) => {
  const db = t.registry.db.kysely;
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
  `.execute(db);
  const parts: string[] = [];
  for (const { table_name: name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(db);
    parts.push(`${name}: ${JSON.stringify(rows.rows)}`);
  }
  return parts.join('\n');
};

const assertNoneIn = (text: string, secrets: Iterable<string>, where: string) => {
  for (const secret of secrets)
    assert.ok(!text.includes(secret), `${where} contains ${secret.slice(0, 14)}…`);
};

for (const backend of testBackends()) {
  describe(`a user's identities in the Management API (issue 6 item 4) on ${backend.name}`, () => {
    const signIn = signInAs();
    let t: TestServer;
    let api: ApiClient;
    let identities: IdentityService;
    let tokens: IdentityTokenService;
    let refused: RefusedTokens;
    /** A machine app given a role with `identity-tokens:read` (and nothing else). */
    let reader: Client;
    let readerApi: ApiClient;
    /** Every provider token this suite stored, for the canary checks at the end. */
    const stored = new Set<string>();

    before(async () => {
      t = await startTestServer({ db: await backend.create(), extraRoutes: [signIn.routes] });
      api = await managementClient(t, { ...(await managementHeaders(t)), 'user-agent': userAgent });
      const db = t.registry.db.kysely;
      identities = createIdentityService({
        db,
        changes: t.registry.changes,
        tenantId: defaultTenantId,
        passwords: t.registry.passwords,
      });
      tokens = createIdentityTokenService({
        db,
        tenantId: defaultTenantId,
        vault: t.registry.vault,
        social: t.registry.social,
        audit: createAuditLog({ db, tenantId: defaultTenantId }),
      });
      refused = await refusedTokens(t, signIn);
      reader = await machineApp(t, [managementApi.identityTokensReadScopeId]);
      readerApi = await managementClient(t, {
        authorization: `Bearer ${await managementTokenOf(t, reader, managementApi.identityTokensReadScope)}`,
        'user-agent': userAgent,
      });
    });
    after(() => t.stop());

    const newUser = async () => {
      const response = await api.post('/api/users', { username: `u_${tag()}` });
      assertStatus(response, 201);
      return String(response.body.id);
    };
    /** Links an upstream account at `target` and stores provider tokens for it, as a sign-in would. */
    const linkWithTokens = async (userId: string, target: string, overrides: Partial<SocialTokens> = {}) => {
      await identities.link(userId, target, `sub-${tag()}`, { email: 'someone@upstream.example' });
      const provider = canaryTokens(overrides);
      await tokens.store(userId, target, provider);
      for (const value of [provider.accessToken, provider.refreshToken, provider.idToken]) {
        if (value) stored.add(value);
      }
      return provider;
    };
    const auditRows = (where: { userId?: string; action?: string; target?: string }) => {
      let query = t.registry.db.kysely
        .selectFrom('audit_logs')
        .selectAll()
        .where('tenant_id', '=', defaultTenantId);
      if (where.userId) query = query.where('user_id', '=', where.userId);
      if (where.action) query = query.where('action', '=', where.action);
      if (where.target) query = query.where('target', '=', where.target);
      return query.orderBy('created_at').execute();
    };
    const tokenRows = (userId: string) =>
      t.registry.db.kysely.selectFrom('identity_tokens').selectAll().where('user_id', '=', userId).execute();
    const send = (method: string, path: string, authorization?: string) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: {
          ...(authorization && { authorization: `Bearer ${authorization}` }),
          ...(method === 'PUT' && { 'content-type': 'application/json' }),
        },
        ...(method === 'PUT' && { body: JSON.stringify({ userId: 'sub-should-not-link' }) }),
      });

    describe('who may call (SECURITY-TESTS A15, docs/decisions/0014)', () => {
      let userId: string;
      let target: string;
      const routes = () => [
        ['GET', `/api/users/${userId}/identities`],
        ['GET', `/api/users/${userId}/identities/${target}`],
        ['PUT', `/api/users/${userId}/identities/${target}`],
        ['DELETE', `/api/users/${userId}/identities/${target}`],
        ['GET', `/api/users/${userId}/identities/${target}/access-token`],
      ];
      before(async () => {
        userId = await newUser();
        target = newTarget();
        await linkWithTokens(userId, target);
      });

      it('refuses every identity route and the token read with 401 auth.invalid_token without a token, with a user token, or with a token for another API', async () => {
        for (const token of [undefined, refused.user, refused.otherResource]) {
          for (const [method, path] of routes()) {
            const response = await send(method as string, path as string, token);
            const body = (await response.json()) as Loose;
            assert.equal(response.status, 401, `${method} ${path}`);
            assert.equal(body.code, 'auth.invalid_token');
            assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
            assertNoneIn(JSON.stringify(body), stored, 'a refusal');
          }
        }
      });

      it('refuses the identity routes with 403 auth.insufficient_scope to a management token without `all`, even one holding identity-tokens:read', async () => {
        const readerToken = await managementTokenOf(t, reader, managementApi.identityTokensReadScope);
        for (const token of [refused.noScope, readerToken]) {
          for (const [method, path] of routes().slice(0, 4)) {
            const response = await send(method as string, path as string, token);
            assert.equal(response.status, 403, `${method} ${path}`);
            assert.equal(((await response.json()) as Loose).code, 'auth.insufficient_scope');
            assert.match(response.headers.get('www-authenticate') ?? '', /scope="all"/);
          }
        }
        assert.equal((await tokenRows(userId)).length, 1, 'nothing unlinked');
        const identity = await api.get(`/api/users/${userId}/identities/${target}`);
        assert.notEqual(identity.body.userId, 'sub-should-not-link', 'nothing linked');
      });

      it('refuses the token read with 403 to a token holding `all` (it does not imply identity-tokens:read) or no scope, and audits each attempt as identity_token.read_denied', async () => {
        const machine = await machineApp(t, []);
        const noScope = await managementTokenOf(t, machine, managementApi.scope, '');
        const before = (await auditRows({ userId, action: 'identity_token.read_denied' })).length;
        for (const [client, token] of [
          [testAdminClient.id, await managementTokenOf(t, testAdminClient, 'all')],
          [machine.id, noScope],
        ] as const) {
          const response = await fetch(`${t.url}/api/users/${userId}/identities/${target}/access-token`, {
            headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent },
          });
          const body = (await response.json()) as Loose;
          assert.equal(response.status, 403, JSON.stringify(body));
          assert.equal(body.code, 'auth.insufficient_scope');
          assert.deepEqual(body.data, { scope: 'identity-tokens:read' });
          assert.match(
            response.headers.get('www-authenticate') ?? '',
            /error="insufficient_scope", scope="identity-tokens:read"/,
          );
          assertNoneIn(JSON.stringify(body), stored, 'a refusal');
          const [denied] = (await auditRows({ userId, action: 'identity_token.read_denied' })).slice(-1);
          assert.ok(denied);
          assert.deepEqual(
            {
              actor: [denied.actor_type, denied.actor_id],
              target: denied.target,
              ip: denied.ip,
              userAgent: denied.user_agent,
              data: denied.data,
            },
            {
              actor: ['application', client],
              target,
              ip: '127.0.0.1',
              userAgent,
              data: { error: 'auth.insufficient_scope', scope: 'identity-tokens:read' },
            },
          );
        }
        assert.equal((await auditRows({ userId, action: 'identity_token.read_denied' })).length, before + 2);
        assert.equal((await auditRows({ userId, action: 'identity_token.read' })).length, 0, 'nothing read');
      });

      it('does not audit refusals that name no verified caller (no token, a forged one, a user token)', async () => {
        const before = (await auditRows({ action: 'identity_token.read_denied' })).length;
        const path = `/api/users/${userId}/identities/${target}/access-token`;
        for (const token of [undefined, 'forged.jwt.value', refused.user, refused.otherResource]) {
          assert.equal((await send('GET', path, token)).status, 401);
        }
        assert.equal((await auditRows({ action: 'identity_token.read_denied' })).length, before);
      });

      it('grants identity-tokens:read only through a role: the bootstrap app asking for it gets `all` alone', async () => {
        await managementTokenOf(t, testAdminClient, 'all identity-tokens:read', 'all');
        await managementTokenOf(t, reader, 'all identity-tokens:read', 'identity-tokens:read');
      });

      it('seeds identity-tokens:read on the Management API resource, in no role (migration 0009)', async () => {
        const scopes = await api.get('/api/resources/management-api/scopes');
        assertStatus(scopes, 200);
        const names = (scopes.body as Loose[]).map((scope) => scope.name).sort();
        assert.deepEqual(names, ['all', 'identity-tokens:read']);
        const builtIn = await api.get(`/api/roles/${managementApi.roleId}/scopes`);
        assert.deepEqual(
          (builtIn.body as Loose[]).map((scope) => scope.name),
          ['all'],
          'the built-in role does not grant it',
        );
      });
    });

    describe('GET /api/users/:userId/identities[/:target]', () => {
      it("lists a user's identities, each with its token status, and never a token", async () => {
        const userId = await newUser();
        const withTokens = newTarget();
        const without = newTarget();
        const provider = await linkWithTokens(userId, withTokens);
        await identities.link(userId, without, 'sub-plain', { name: 'Plain' });

        const response = await api.get(`/api/users/${userId}/identities`);
        assertStatus(response, 200);
        const byTarget = Object.fromEntries((response.body as Loose[]).map((item) => [item.target, item]));
        assert.deepEqual(Object.keys(byTarget).sort(), [withTokens, without].sort());
        assert.deepEqual(byTarget[without], {
          target: without,
          userId: 'sub-plain',
          details: { name: 'Plain' },
          tokenStatus: {
            stored: false,
            hasRefreshToken: false,
            scope: null,
            tokenType: null,
            expiresAt: null,
            updatedAt: null,
          },
        });
        const status = byTarget[withTokens].tokenStatus;
        assert.deepEqual(
          { ...status, expiresAt: typeof status.expiresAt, updatedAt: typeof status.updatedAt },
          {
            stored: true,
            hasRefreshToken: true,
            scope: provider.scope,
            tokenType: 'Bearer',
            expiresAt: 'number',
            updatedAt: 'number',
          },
        );
        assert.ok(Math.abs(status.expiresAt - (Date.now() + 3600_000)) < 60_000, 'expires in about an hour');
        assertNoneIn(JSON.stringify(response.body), stored, 'the list');
      });

      it('answers one identity with its token status, never a token', async () => {
        const userId = await newUser();
        const target = newTarget();
        const provider = await linkWithTokens(userId, target, {
          expiresIn: undefined,
          refreshToken: undefined,
        });
        const response = await api.get(`/api/users/${userId}/identities/${target}`);
        assertStatus(response, 200);
        assert.deepEqual(Object.keys(response.body).sort(), ['details', 'target', 'tokenStatus', 'userId']);
        assert.equal(response.body.target, target);
        assert.match(response.body.userId, /^sub-/);
        assert.deepEqual(response.body.details, { email: 'someone@upstream.example' });
        assert.equal(response.body.tokenStatus.stored, true);
        assert.equal(response.body.tokenStatus.hasRefreshToken, false);
        assert.equal(response.body.tokenStatus.expiresAt, null, 'the provider gave no lifetime');
        assertNoneIn(JSON.stringify(response.body), [provider.accessToken, provider.idToken], 'the identity');
      });

      it('answers 404 user.not_found, 404 identity.not_found, and 400 for a malformed target', async () => {
        const userId = await newUser();
        assertApiError(await api.get(`/api/users/no-such-user/identities`), 404, 'user.not_found');
        assertApiError(
          await api.get(`/api/users/no-such-user/identities/${newTarget()}`),
          404,
          'user.not_found',
        );
        assertApiError(
          await api.get(`/api/users/${userId}/identities/${newTarget()}`),
          404,
          'identity.not_found',
        );
        assertApiError(
          await api.get(`/api/users/${userId}/identities/${encodeURIComponent('no such target')}`),
          400,
          'request.invalid_params',
        );
      });
    });

    describe('targets named like Object.prototype members', () => {
      it('treats `constructor` and `__proto__` as plain targets: 404 until linked, then 201 and found', async () => {
        const userId = await newUser();
        for (const target of ['constructor', '__proto__', 'toString']) {
          const path = `/api/users/${userId}/identities/${target}`;
          assertApiError(await api.get(path), 404, 'identity.not_found');
          assertApiError(await api.del(path), 404, 'identity.not_found');
          assertStatus(await api.send('PUT', path, { body: { userId: `sub-${target}` } }), 201);
          const found = await api.get(path);
          assertStatus(found, 200);
          assert.equal(found.body.userId, `sub-${target}`);
        }
        const listed = await api.get(`/api/users/${userId}/identities`);
        assert.deepEqual((listed.body as Loose[]).map((item) => item.target).sort(), [
          '__proto__',
          'constructor',
          'toString',
        ]);
      });
    });

    describe('PUT /api/users/:userId/identities/:target (Logto: 201 created, 200 replaced)', () => {
      it("links an upstream account: 201 with the user's identities by target, audited as identity.linked", async () => {
        const userId = await newUser();
        const target = newTarget();
        const response = await api.send('PUT', `/api/users/${userId}/identities/${target}`, {
          body: { userId: 'sub-new', details: { email: 'new@upstream.example' } },
        });
        assertStatus(response, 201);
        assert.deepEqual(response.body, {
          [target]: { userId: 'sub-new', details: { email: 'new@upstream.example' } },
        });
        const [linked, ...more] = await auditRows({ userId, target });
        assert.equal(more.length, 0);
        assert.ok(linked);
        assert.equal(linked.action, 'identity.linked');
        assert.deepEqual([linked.actor_type, linked.actor_id], ['application', testAdminClient.id]);
        assert.equal(linked.ip, '127.0.0.1');
        assert.equal(linked.user_agent, userAgent);
        assert.deepEqual(linked.data, { identityId: 'sub-new' });
        const user = await api.get(`/api/users/${userId}`);
        assert.deepEqual(user.body.identities, response.body, 'the user shows it too');
      });

      it('replaces the details of the same upstream account: 200, its stored tokens kept, audited as identity.updated', async () => {
        const userId = await newUser();
        const target = newTarget();
        await linkWithTokens(userId, target);
        const { userId: sub } = (await api.get(`/api/users/${userId}/identities/${target}`)).body;
        const response = await api.send('PUT', `/api/users/${userId}/identities/${target}`, {
          body: { userId: sub, details: { email: 'changed@upstream.example' } },
        });
        assertStatus(response, 200);
        assert.deepEqual(response.body[target], {
          userId: sub,
          details: { email: 'changed@upstream.example' },
        });
        assert.equal((await tokenRows(userId)).length, 1, 'the tokens stay');
        const [updated] = await auditRows({ userId, target, action: 'identity.updated' });
        assert.deepEqual(updated?.data, { identityId: sub });
      });

      it("replaces the identity with another upstream account: 200, and the previous account's tokens are deleted", async () => {
        const userId = await newUser();
        const target = newTarget();
        await linkWithTokens(userId, target);
        const { userId: previous } = (await api.get(`/api/users/${userId}/identities/${target}`)).body;
        const response = await api.send('PUT', `/api/users/${userId}/identities/${target}`, {
          body: { userId: 'sub-another-account' },
        });
        assertStatus(response, 200);
        assert.deepEqual(response.body[target], { userId: 'sub-another-account', details: {} });
        assert.deepEqual(await tokenRows(userId), [], 'no token of another account stays attached');
        const status = await api.get(`/api/users/${userId}/identities/${target}`);
        assert.equal(status.body.tokenStatus.stored, false);
        const [linked] = await auditRows({ userId, target, action: 'identity.linked' });
        assert.deepEqual(linked?.data, {
          identityId: 'sub-another-account',
          previousIdentityId: previous,
          tokensDeleted: true,
        });
        const [deleted] = await auditRows({ userId, target, action: 'identity_token.deleted' });
        assert.deepEqual([deleted?.actor_type, deleted?.actor_id], ['application', testAdminClient.id]);
        assert.deepEqual(deleted?.data, { reason: 'identity_replaced' });
      });

      it('answers 409 identity.taken when another user has that upstream account, and changes nothing', async () => {
        const owner = await newUser();
        const other = await newUser();
        const target = newTarget();
        assertStatus(
          await api.send('PUT', `/api/users/${owner}/identities/${target}`, {
            body: { userId: 'sub-owned' },
          }),
          201,
        );
        const response = await api.send('PUT', `/api/users/${other}/identities/${target}`, {
          body: { userId: 'sub-owned' },
        });
        assertApiError(response, 409, 'identity.taken');
        assert.deepEqual((await api.get(`/api/users/${other}`)).body.identities, {});
        assert.equal((await api.get(`/api/users/${owner}/identities/${target}`)).body.userId, 'sub-owned');
        assert.deepEqual(await auditRows({ userId: other }), [], 'a refused link is not audited as one');
      });

      it('answers 404 user.not_found and 400 for a missing or malformed upstream subject', async () => {
        const userId = await newUser();
        const path = `/api/users/${userId}/identities/${newTarget()}`;
        assertApiError(
          await api.send('PUT', `/api/users/no-such-user/identities/${newTarget()}`, {
            body: { userId: 'x' },
          }),
          404,
          'user.not_found',
        );
        for (const body of [{}, { userId: '' }, { userId: 'x'.repeat(256) }, { userId: 'a', details: [] }]) {
          assertApiError(await api.send('PUT', path, { body }), 400, 'request.invalid_body');
        }
        assertApiError(
          await api.send('PUT', path, { body: { userId: 'bad\u0007sub' } }),
          400,
          'identity.invalid',
        );
        assert.deepEqual((await api.get(`/api/users/${userId}`)).body.identities, {});
      });
    });

    describe('DELETE /api/users/:userId/identities/:target', () => {
      it('unlinks the identity and answers the user; its stored tokens go with it (foreign key cascade)', async () => {
        const userId = await newUser();
        const target = newTarget();
        const kept = newTarget();
        await linkWithTokens(userId, target);
        await linkWithTokens(userId, kept);
        const { userId: sub } = (await api.get(`/api/users/${userId}/identities/${target}`)).body;

        const response = await api.del(`/api/users/${userId}/identities/${target}`);
        assertStatus(response, 200);
        assert.equal(response.body.id, userId);
        assert.deepEqual(Object.keys(response.body.identities), [kept]);
        assert.deepEqual(
          (await tokenRows(userId)).map((row) => row.target),
          [kept],
          "only the other identity's tokens are left",
        );
        const [unlinked] = await auditRows({ userId, target, action: 'identity.unlinked' });
        assert.deepEqual([unlinked?.actor_type, unlinked?.actor_id], ['application', testAdminClient.id]);
        assert.equal(unlinked?.user_agent, userAgent);
        assert.deepEqual(unlinked?.data, { identityId: sub, tokensDeleted: true });
        const [deleted] = await auditRows({ userId, target, action: 'identity_token.deleted' });
        assert.deepEqual(deleted?.data, { reason: 'identity_unlinked' });
        assertApiError(await api.del(`/api/users/${userId}/identities/${target}`), 404, 'identity.not_found');
        assert.equal((await auditRows({ userId, target, action: 'identity.unlinked' })).length, 1);
      });

      it('refuses (400 user.identifier_required) to remove the only way left to sign in', async () => {
        const target = newTarget();
        const { user } = await identities.createUserWithIdentity({}, { target, identityId: `sub-${tag()}` });
        assertApiError(
          await api.del(`/api/users/${user.id}/identities/${target}`),
          400,
          'user.identifier_required',
        );
        assert.ok((await api.get(`/api/users/${user.id}`)).body.identities[target], 'still linked');
        assertApiError(await api.del(`/api/users/no-such-user/identities/${target}`), 404, 'user.not_found');
      });
    });

    describe('GET /api/users/:userId/identities/:target/access-token (scope identity-tokens:read)', () => {
      it('answers the stored access token to an app given a role with identity-tokens:read, audited as identity_token.read', async () => {
        const userId = await newUser();
        const target = newTarget();
        const provider = await linkWithTokens(userId, target);
        const response = await readerApi.get(`/api/users/${userId}/identities/${target}/access-token`);
        assertStatus(response, 200);
        assert.deepEqual(Object.keys(response.body).sort(), [
          'access_token',
          'expires_in',
          'scope',
          'token_type',
        ]);
        assert.equal(response.body.access_token, provider.accessToken);
        assert.equal(response.body.scope, provider.scope);
        assert.equal(response.body.token_type, 'Bearer');
        assert.ok(response.body.expires_in > 3500 && response.body.expires_in <= 3600);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.ok(!JSON.stringify(response.body).includes(provider.refreshToken), 'never the refresh token');

        const [read, ...more] = await auditRows({ userId, target, action: 'identity_token.read' });
        assert.equal(more.length, 0);
        assert.deepEqual(
          {
            actor: [read?.actor_type, read?.actor_id],
            ip: read?.ip,
            userAgent: read?.user_agent,
            data: read?.data,
          },
          { actor: ['application', reader.id], ip: '127.0.0.1', userAgent, data: {} },
        );
      });

      it("refuses a suspended user's token with 403 user.suspended (nothing is done on their behalf), audited as identity_token.read_failed", async () => {
        const userId = await newUser();
        const target = newTarget();
        await linkWithTokens(userId, target);
        assertStatus(await api.patch(`/api/users/${userId}/is-suspended`, { isSuspended: true }), 200);
        const response = await readerApi.get(`/api/users/${userId}/identities/${target}/access-token`);
        assertApiError(response, 403, 'user.suspended');
        const [failed] = await auditRows({ userId, target, action: 'identity_token.read_failed' });
        assert.deepEqual(failed?.data, { error: 'user.suspended' });
        assert.deepEqual(await auditRows({ userId, target, action: 'identity_token.read' }), []);
        assertStatus(await api.patch(`/api/users/${userId}/is-suspended`, { isSuspended: false }), 200);
        assertStatus(await readerApi.get(`/api/users/${userId}/identities/${target}/access-token`), 200);
      });

      it('answers 404 identity_token.not_found when nothing is stored, audited as identity_token.read_failed', async () => {
        const userId = await newUser();
        const target = newTarget();
        await identities.link(userId, target, `sub-${tag()}`);
        const response = await readerApi.get(`/api/users/${userId}/identities/${target}/access-token`);
        assertApiError(response, 404, 'identity_token.not_found');
        const [failed] = await auditRows({ userId, target, action: 'identity_token.read_failed' });
        assert.deepEqual([failed?.actor_type, failed?.actor_id], ['application', reader.id]);
        assert.deepEqual(failed?.data, { error: 'identity_token.not_found' });
        assert.deepEqual(await auditRows({ userId, target, action: 'identity_token.read' }), []);
      });

      it('answers 401 identity_token.expired when an expired token cannot be refreshed (no connector), and deletes it', async () => {
        const userId = await newUser();
        const target = newTarget(); // no connector has this target: nothing can refresh
        await linkWithTokens(userId, target);
        await t.registry.db.kysely
          .updateTable('identity_tokens')
          .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
          .where('user_id', '=', userId)
          .execute();
        const response = await readerApi.get(`/api/users/${userId}/identities/${target}/access-token`);
        assertApiError(response, 401, 'identity_token.expired');
        assertNoneIn(JSON.stringify(response.body), stored, 'the error');
        assert.deepEqual(await tokenRows(userId), []);
        const actions = (await auditRows({ userId, target })).map((row) => [row.action, row.actor_type]);
        assert.deepEqual(actions.slice(-2), [
          ['identity_token.deleted', 'system'],
          ['identity_token.read_failed', 'application'],
        ]);
      });

      it('reads only the identity the path names: another user, or another target, is a 404', async () => {
        const alice = await newUser();
        const bob = await newUser();
        const target = newTarget();
        await linkWithTokens(alice, target);
        assertApiError(
          await readerApi.get(`/api/users/${bob}/identities/${target}/access-token`),
          404,
          'identity_token.not_found',
        );
        assertApiError(
          await readerApi.get(`/api/users/${alice}/identities/${newTarget()}/access-token`),
          404,
          'identity_token.not_found',
        );
      });
    });

    describe('no provider token anywhere but the vault (SECURITY-TESTS D2, D4)', () => {
      it('leaves none of the stored tokens in plaintext in a dump of the database (audit_logs included) or in the logs', async () => {
        assert.ok(stored.size >= 10, `the suite stored ${stored.size} tokens`);
        assertNoneIn(await dumpDatabase(t), stored, 'the database dump');
        assertNoneIn(JSON.stringify(await auditRows({})), stored, 'the audit log');
        assertNoneIn(t.logs.text(), stored, 'the logs');
        const logs = await api.get('/api/logs?page_size=100');
        assertStatus(logs, 200);
        assertNoneIn(JSON.stringify(logs.body), stored, 'GET /api/logs');
      });
    });
  });

  describe(`the backend token read through a real upstream provider (SPEC §7) on ${backend.name}`, () => {
    const password = 'upstream passphrase';
    let h: ExperienceHarness;
    let upstream: Upstream;
    let connector: TestConnector;
    let readerApi: ApiClient;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
      upstream = await startUpstream();
      connector = await addOidcConnector(h, upstream, {
        client: { grant_types: ['authorization_code', 'refresh_token'] },
      });
      // What an admin does for the calendar story: offline_access (with prompt=consent, OIDC Core §11) and storage.
      const patched = await h.api.patch(`/api/connectors/${connector.id}`, {
        config: {
          scope: 'openid profile email offline_access',
          authRequestOptionalConfig: { prompt: 'consent' },
        },
        enableTokenStorage: true,
      });
      assertStatus(patched, 200);
      const reader = await machineApp(h.t, [managementApi.identityTokensReadScopeId]);
      readerApi = await managementClient(h.t, {
        authorization: `Bearer ${await managementTokenOf(h.t, reader, managementApi.identityTokensReadScope)}`,
      });
    });
    after(async () => {
      await upstream.stop();
      await h.stop();
    });

    it('signs in with token storage on, reads the token, and after it expires reads a token refreshed upstream', async () => {
      const login = uniqueName('alice');
      upstream.accounts.set(login, {
        password,
        claims: { email: `${login}@upstream.example`, email_verified: true, name: 'Alice' },
      });
      const { flow, answer } = await signInWithConnector(h, connector, { login, password });
      await finishAtClient(h.t, h.app, flow, answer);
      const identity = await h.t.registry.db.kysely
        .selectFrom('user_identities')
        .selectAll()
        .where('target', '=', connector.target)
        .where('identity_id', '=', login)
        .executeTakeFirstOrThrow();
      const userId = identity.user_id;
      const path = `/api/users/${userId}/identities/${connector.target}`;

      const status = await h.api.get(path);
      assertStatus(status, 200);
      assert.equal(status.body.tokenStatus.stored, true);
      assert.equal(status.body.tokenStatus.hasRefreshToken, true, 'offline_access gave a refresh token');

      const first = await readerApi.get(`${path}/access-token`);
      assertStatus(first, 200);
      const refreshesBefore = upstream.seen.tokenRequests.length;

      await h.t.registry.db.kysely
        .updateTable('identity_tokens')
        .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
        .where('user_id', '=', userId)
        .execute();
      const second = await readerApi.get(`${path}/access-token`);
      assertStatus(second, 200);
      assert.notEqual(second.body.access_token, first.body.access_token, 'a new access token');
      const refresh = upstream.seen.tokenRequests.slice(refreshesBefore);
      assert.equal(refresh.length, 1, 'one refresh request upstream');
      assert.ok(refresh[0]?.params.includes('refresh_token'));
      assert.equal(refresh[0]?.status, 200);

      const audited = await h.t.registry.db.kysely
        .selectFrom('audit_logs')
        .select(['action', 'actor_type'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute();
      assert.deepEqual(
        audited.map((row) => `${row.action} by ${row.actor_type}`),
        [
          'identity_token.stored by user',
          'identity_token.read by application',
          'identity_token.refreshed by system',
          'identity_token.read by application',
        ],
      );

      // The canaries: every token the provider issued, opened from the vault only here.
      const row = await h.t.registry.db.kysely
        .selectFrom('identity_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      const sealed = JSON.parse(
        h.t.registry.vault
          .open(row.envelope, identityTokenAad(defaultTenantId, userId, connector.target))
          .toString('utf8'),
      ) as Record<string, string | null>;
      const secrets = [
        first.body.access_token,
        second.body.access_token,
        sealed.refreshToken,
        sealed.idToken,
      ].filter((value): value is string => typeof value === 'string' && value.length > 0);
      assert.equal(secrets.length, 4);
      assertNoneIn(await dumpDatabase(h.t), secrets, 'the database dump');
      assertNoneIn(h.t.logs.text(), secrets, 'the logs');
      const statusAgain: ApiResponse = await h.api.get(path);
      assertNoneIn(JSON.stringify(statusAgain.body), secrets, 'the token status');
    });
  });
}
