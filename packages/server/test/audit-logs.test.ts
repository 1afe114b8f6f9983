import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type AuditEntry, createAuditLog } from '../src/audit/audit-log.ts';
import { defaultTenantId, managementApi } from '../src/db/schema.ts';
import { newId } from '../src/domain/ids.ts';
import { managementAuditOrigin } from '../src/management/audit-context.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { managementHeaders, managementToken } from './support/management.ts';
import {
  machineApp,
  managementTokenOf,
  type RefusedTokens,
  refusedTokens,
} from './support/management-tokens.ts';
import { createUser, signInAs } from './support/oidc.ts';
import { startTestServer, type TestServer, testAdminClient } from './support/server.ts';

/**
 * The audit log (issue 6 item 5, docs/audit-log.md): who read or changed which secret or identity, when, from
 * where; read through the Management API at Logto's `/api/logs`, newest first, paged and filtered; never a
 * secret. Entries are written where the audited thing happens (the identity routes, the token service, the
 * admin unlock).
 */

const tag = () => randomBytes(5).toString('hex');
const userAgent = 'audit-tests/1.0';

for (const backend of testBackends()) {
  describe(`the audit log (GET /api/logs, issue 6 item 5) on ${backend.name}`, () => {
    const signIn = signInAs();
    let t: TestServer;
    let api: ApiClient;
    let refused: RefusedTokens;
    let readerOnly: string;
    const write = (entry: Partial<AuditEntry> & { target: string }) =>
      createAuditLog({ db: t.registry.db.kysely, tenantId: defaultTenantId }).record({
        action: 'identity_token.read',
        actor: { type: 'application', id: 'backend-app' },
        ...entry,
      });
    /** Entries with a unique target, at chosen times (the writer always stamps `now()`; the schema makes it read-only). */
    const writeAt = async (target: string, times: number[]) => {
      for (const time of times) {
        await sql`
          insert into audit_logs (tenant_id, id, created_at, action, actor_type, actor_id, target, data)
          values (${defaultTenantId}, ${newId()}, ${new Date(time)}, 'identity.linked', 'application', 'backend-app',
            ${target}, ${JSON.stringify({ at: time })})
        `.execute(t.registry.db.kysely);
      }
    };

    before(async () => {
      t = await startTestServer({ db: await backend.create(), extraRoutes: [signIn.routes] });
      api = await managementClient(t, { ...(await managementHeaders(t)), 'user-agent': userAgent });
      refused = await refusedTokens(t, signIn);
      const reader = await machineApp(t, [managementApi.identityTokensReadScopeId]);
      readerOnly = await managementTokenOf(t, reader, managementApi.identityTokensReadScope);
    });
    after(() => t.stop());

    describe('who may read it (SECURITY-TESTS A15)', () => {
      it('answers 401 without a token, with a user token or a token for another API, and 403 without `all` (identity-tokens:read is not enough)', async () => {
        const id = newId();
        for (const path of ['/api/logs', `/api/logs/${id}`]) {
          for (const token of [undefined, refused.user, refused.otherResource]) {
            const response = await fetch(`${t.url}${path}`, {
              headers: token ? { authorization: `Bearer ${token}` } : {},
            });
            assert.equal(response.status, 401, `${path} with ${token?.slice(0, 8)}`);
            assert.equal(((await response.json()) as Loose).code, 'auth.invalid_token');
          }
          for (const token of [refused.noScope, readerOnly]) {
            const response = await fetch(`${t.url}${path}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            assert.equal(response.status, 403, path);
            assert.equal(((await response.json()) as Loose).code, 'auth.insufficient_scope');
          }
        }
      });
    });

    describe("entries in Logto's log shape", () => {
      it('answers {id, key, payload: {key, result, actor, userId, applicationId, target, ip, userAgent, params}, createdAt}', async () => {
        const target = `idp-${tag()}`;
        const userId = newId();
        await write({
          target,
          userId,
          ip: '198.51.100.7',
          userAgent: 'backend/2.0',
          data: { refreshed: true },
        });
        const response = await api.get(`/api/logs?target=${target}`);
        assertStatus(response, 200);
        assert.equal(response.headers.get('total-number'), '1');
        const [entry] = response.body as Loose[];
        assert.equal(typeof entry.id, 'string');
        assert.ok(Math.abs(entry.createdAt - Date.now()) < 60_000, 'createdAt in epoch ms');
        assert.deepEqual(
          { ...entry, id: undefined, createdAt: undefined },
          {
            id: undefined,
            createdAt: undefined,
            key: 'identity_token.read',
            payload: {
              key: 'identity_token.read',
              result: 'Success',
              actor: { type: 'application', id: 'backend-app' },
              userId,
              applicationId: 'backend-app',
              target,
              ip: '198.51.100.7',
              userAgent: 'backend/2.0',
              params: { refreshed: true },
            },
          },
        );
        const one = await api.get(`/api/logs/${entry.id}`);
        assertStatus(one, 200);
        assert.deepEqual(one.body, entry);
      });

      it('marks refusals and failures (`…_denied`, `…_failed`) as result Error, and leaves out what is unknown', async () => {
        const target = `idp-${tag()}`;
        await write({
          target,
          action: 'identity_token.read_denied',
          data: { error: 'auth.insufficient_scope' },
        });
        await write({
          target,
          action: 'identity_token.read_failed',
          data: { error: 'identity_token.not_found' },
        });
        await write({ target, action: 'identity_token.deleted', actor: { type: 'system' } });
        const response = await api.get(`/api/logs?target=${target}`);
        const byKey = Object.fromEntries(
          (response.body as Loose[]).map((entry) => [entry.key, entry.payload]),
        );
        assert.equal(byKey['identity_token.read_denied'].result, 'Error');
        assert.equal(byKey['identity_token.read_failed'].result, 'Error');
        assert.deepEqual(byKey['identity_token.deleted'], {
          key: 'identity_token.deleted',
          result: 'Success',
          actor: { type: 'system' },
          target,
          params: {},
        });
      });

      it('answers 404 log.not_found for an unknown id and 400 for a malformed one', async () => {
        assertApiError(await api.get(`/api/logs/${newId()}`), 404, 'log.not_found');
        assertApiError(await api.get('/api/logs/not%20an%20id'), 400, 'request.invalid_params');
      });
    });

    describe('paging and filters (page, page_size, Total-Number; Logto query names)', () => {
      it('pages newest first without overlap, the total in Total-Number', async () => {
        const target = `idp-${tag()}`;
        const base = Date.UTC(2011, 0, 1);
        await writeAt(target, [base + 3000, base, base + 4000, base + 1000, base + 2000]);
        const seen: number[] = [];
        for (const [page, size] of [
          [1, 2],
          [2, 2],
          [3, 2],
        ] as const) {
          const response = await api.get(`/api/logs?target=${target}&page=${page}&page_size=${size}`);
          assertStatus(response, 200);
          assert.equal(response.headers.get('total-number'), '5');
          seen.push(...(response.body as Loose[]).map((entry) => entry.createdAt as number));
        }
        assert.deepEqual(seen, [base + 4000, base + 3000, base + 2000, base + 1000, base]);
        const past = await api.get(`/api/logs?target=${target}&page=4&page_size=2`);
        assert.deepEqual(past.body, []);
        assertApiError(await api.get('/api/logs?page_size=101'), 400, 'request.invalid_query');
        assertApiError(await api.get('/api/logs?page=0'), 400, 'request.invalid_query');
      });

      it('filters by start_time and end_time, both exclusive, in epoch milliseconds (as Logto)', async () => {
        const target = `idp-${tag()}`;
        const base = Date.UTC(2012, 5, 1);
        await writeAt(target, [base, base + 1000, base + 2000]);
        const times = async (query: string) =>
          ((await api.get(`/api/logs?target=${target}&${query}`)).body as Loose[]).map(
            (entry) => entry.createdAt - base,
          );
        assert.deepEqual(await times(`start_time=${base}`), [2000, 1000]);
        assert.deepEqual(await times(`start_time=${base - 1}`), [2000, 1000, 0]);
        assert.deepEqual(await times(`end_time=${base + 2000}`), [1000, 0]);
        assert.deepEqual(await times(`end_time=${base + 2001}`), [2000, 1000, 0]);
        assert.deepEqual(await times(`start_time=${base}&end_time=${base + 2000}`), [1000]);
        for (const query of [
          `start_time=${base}&end_time=${base}`,
          `start_time=${base + 1}&end_time=${base}`,
          'start_time=yesterday',
          'end_time=-1',
        ]) {
          assertApiError(await api.get(`/api/logs?${query}`), 400, 'request.invalid_query');
        }
      });

      it('filters by userId, logKey, applicationId, actorId and target, combined with AND', async () => {
        const target = `idp-${tag()}`;
        const [alice, bob] = [newId(), newId()];
        await write({
          target,
          userId: alice,
          action: 'identity_token.read',
          actor: { type: 'application', id: 'app-a' },
        });
        await write({
          target,
          userId: alice,
          action: 'identity.linked',
          actor: { type: 'application', id: 'app-b' },
        });
        await write({
          target,
          userId: bob,
          action: 'identity_token.read',
          actor: { type: 'application', id: 'app-a' },
        });
        await write({ target, userId: bob, action: 'identity.unlinked', actor: { type: 'user', id: bob } });
        const keys = async (query: string) => {
          const response = await api.get(`/api/logs?target=${target}&${query}`);
          assertStatus(response, 200);
          assert.equal(response.headers.get('total-number'), String(response.body.length));
          return (response.body as Loose[])
            .map((entry) => `${entry.key}:${entry.payload.userId === alice ? 'alice' : 'bob'}`)
            .sort();
        };
        assert.deepEqual(await keys(`userId=${alice}`), [
          'identity.linked:alice',
          'identity_token.read:alice',
        ]);
        assert.deepEqual(await keys('logKey=identity_token.read'), [
          'identity_token.read:alice',
          'identity_token.read:bob',
        ]);
        assert.deepEqual(await keys(`logKey=identity_token.read&userId=${bob}`), ['identity_token.read:bob']);
        assert.deepEqual(await keys('applicationId=app-b'), ['identity.linked:alice']);
        assert.deepEqual(
          await keys(`applicationId=${bob}`),
          [],
          'applicationId matches application actors only',
        );
        assert.deepEqual(
          await keys(`actorId=${bob}`),
          ['identity.unlinked:bob'],
          'actorId matches any actor',
        );
        assert.deepEqual(await keys('applicationId=app-a&actorId=app-b'), []);
        const other = await api.get(`/api/logs?target=idp-${tag()}`);
        assert.deepEqual([other.body, other.headers.get('total-number')], [[], '0']);
        for (const query of ['userId=a%20b', 'logKey=%00', 'target=x%07', `userId=${alice}&userId=${bob}`]) {
          assertApiError(await api.get(`/api/logs?${query}`), 400, 'request.invalid_query');
        }
      });
    });

    describe('POST /api/users/:id/unlock writes user.unlocked (SECURITY-TESTS B3)', () => {
      it('records the admin app, the client address (X-Forwarded-For ignored without TRUST_PROXY) and the user agent', async () => {
        const created = await api.post('/api/users', { username: `u_${tag()}` });
        assertStatus(created, 201);
        const userId = String(created.body.id);
        const response = await api.send('POST', `/api/users/${userId}/unlock`, {
          headers: { 'x-forwarded-for': '203.0.113.50' },
        });
        assertStatus(response, 204);
        const logs = await api.get(`/api/logs?userId=${userId}&logKey=user.unlocked`);
        assert.equal(logs.body.length, 1);
        assert.deepEqual(logs.body[0].payload, {
          key: 'user.unlocked',
          result: 'Success',
          actor: { type: 'application', id: testAdminClient.id },
          userId,
          applicationId: testAdminClient.id,
          ip: '127.0.0.1',
          userAgent,
          params: {},
        });
        // Still on the log stream too, as before.
        assert.ok(t.logs.lines().some((line) => line.audit === 'user.unlocked' && line.userId === userId));
        assertApiError(await api.post(`/api/users/${newId()}/unlock`), 404, 'user.not_found');
        assert.equal(
          (await api.get('/api/logs?logKey=user.unlocked')).body.length,
          1,
          'a 404 is not audited',
        );
      });
    });

    describe('who granted what through roles', () => {
      it("a role's scope grants and revocations, and its users and apps, are audited with the caller and its address", async () => {
        const user = await createUser(t);
        const createRole = async (type: 'User' | 'MachineToMachine') => {
          const response = await api.post('/api/roles', {
            name: `audited-${tag()}`,
            description: 'audited',
            type,
          });
          assertStatus(response, 201);
          return response.body as { id: string };
        };
        const userRole = await createRole('User');
        assertStatus(await api.post(`/api/roles/${userRole.id}/users`, { userIds: [user] }), 201);
        assertStatus(await api.del(`/api/roles/${userRole.id}/users/${user}`), 204);
        const machineRole = await createRole('MachineToMachine');
        const scopeId = managementApi.identityTokensReadScopeId;
        assertStatus(await api.post(`/api/roles/${machineRole.id}/scopes`, { scopeIds: [scopeId] }), 201);
        const app = await machineApp(t, []);
        assertStatus(
          await api.post(`/api/roles/${machineRole.id}/applications`, { applicationIds: [app.id] }),
          201,
        );
        assertStatus(await api.del(`/api/roles/${machineRole.id}/applications/${app.id}`), 204);
        assertStatus(await api.del(`/api/roles/${machineRole.id}/scopes/${scopeId}`), 204);

        const rows = await t.registry.db.kysely
          .selectFrom('audit_logs')
          .selectAll()
          .where(sql<boolean>`data->>'roleId' in (${userRole.id}, ${machineRole.id})`)
          .orderBy('created_at')
          .execute();
        assert.deepEqual(
          rows.map((row) => [row.action, row.user_id]),
          [
            ['role.user_assigned', user],
            ['role.user_removed', user],
            ['role.scopes_granted', null],
            ['role.applications_assigned', null],
            ['role.application_removed', null],
            ['role.scope_revoked', null],
          ],
        );
        for (const row of rows) {
          assert.equal(row.actor_type, 'application');
          assert.equal(row.actor_id, testAdminClient.id);
          assert.equal(row.user_agent, userAgent);
        }
        assert.deepEqual(rows[2]?.data, { roleId: machineRole.id, scopeIds: scopeId });
        assert.deepEqual(rows[3]?.data, { roleId: machineRole.id, applicationIds: app.id });
      });
    });

    describe('never a secret (SECURITY-TESTS D2)', () => {
      it('holds none of the bearer tokens that called the API, in the table or in GET /api/logs', async () => {
        const rows = await t.registry.db.kysely.selectFrom('audit_logs').selectAll().execute();
        const listed = await api.get('/api/logs?page_size=100');
        const text = JSON.stringify(rows) + JSON.stringify(listed.body);
        for (const token of [await managementToken(t), readerOnly, refused.noScope, refused.user]) {
          assert.ok(!text.includes(token), 'a bearer token in the audit log');
        }
      });
    });
  });
}

describe('the audit origin of a Management API request (TRUST_PROXY, SECURITY-TESTS B4)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
  });
  after(() => t.stop());

  it('records the X-Forwarded-For client address when the peer is a trusted proxy', async () => {
    const api = await managementClient(t, { ...(await managementHeaders(t)), 'user-agent': userAgent });
    const created = await api.post('/api/users', { username: `u_${tag()}` });
    assertStatus(created, 201);
    const userId = String(created.body.id);
    assertStatus(
      await api.send('POST', `/api/users/${userId}/unlock`, {
        headers: { 'x-forwarded-for': '203.0.113.50' },
      }),
      204,
    );
    const [entry] = (await api.get(`/api/logs?userId=${userId}`)).body as Loose[];
    assert.equal(entry.payload.ip, '203.0.113.50');
    assert.equal(entry.payload.userAgent, userAgent);
  });

  it("names a user as the actor when a user's token (a User role with Management API scopes) made the request", () => {
    const ctx = { state: { clientIp: '192.0.2.1' }, get: () => '' } as unknown as Parameters<
      typeof managementAuditOrigin
    >[0];
    assert.deepEqual(
      managementAuditOrigin(ctx, { subject: 'user-1', clientId: 'console', scopes: ['all'] }),
      {
        actor: { type: 'user', id: 'user-1' },
        ip: '192.0.2.1',
        userAgent: undefined,
      },
    );
    assert.deepEqual(managementAuditOrigin(ctx, { subject: 'm2m', clientId: 'm2m', scopes: ['all'] }).actor, {
      type: 'application',
      id: 'm2m',
    });
  });
});
