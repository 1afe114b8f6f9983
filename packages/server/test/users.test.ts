import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { Change } from '../src/db/changes.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import { createUserService, type UserService } from '../src/domain/users/users.service.ts';
import { findAccount } from '../src/oidc/account.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let counter = 0;
/** A fresh tag per call: tests share one database per backend. */
const tag = () => `u${++counter}${randomBytes(3).toString('hex')}`;

const userKeys = [
  'avatar',
  'createdAt',
  'customData',
  'hasPassword',
  'id',
  'identities',
  'isSuspended',
  'lastSignInAt',
  'name',
  'primaryEmail',
  'primaryPhone',
  'profile',
  'updatedAt',
  'username',
];

const goodPassword = 'glacier violin 1987 tangent';

for (const backend of testBackends()) {
  describe(`Management API: users (SPEC §4, SECURITY-TESTS B1, B2) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    let users: UserService;
    const published: Change[] = [];

    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
      users = createUserService({
        db: t.registry.db.kysely,
        changes: t.registry.changes,
        tenantId: defaultTenantId,
        passwords: t.registry.passwords,
      });
      t.registry.changes.subscribe((change) => published.push(change));
    });
    after(() => t.stop());

    const createUser = async (body: Record<string, unknown> = {}) => {
      const response = await api.post('/api/users', { username: tag(), ...body });
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const storedRow = (id: string) =>
      t.registry.db.kysely
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', defaultTenantId)
        .where('id', '=', id)
        .executeTakeFirst();
    const insertOidcRow = async (modelName: string, accountId: string) => {
      const id = randomBytes(32).toString('hex');
      await t.registry.db.kysely
        .insertInto('oidc_model_instances')
        .values({
          tenant_id: defaultTenantId,
          model_name: modelName,
          id,
          payload: JSON.stringify({ accountId, kind: modelName }),
          expires_at: new Date(Date.now() + 3_600_000),
        })
        .execute();
      return id;
    };
    const oidcRowsOf = async (accountId: string) =>
      (
        await t.registry.db.kysely
          .selectFrom('oidc_model_instances')
          .select('model_name')
          .where('tenant_id', '=', defaultTenantId)
          .where(sql`payload ->> 'accountId'`, '=', accountId)
          .execute()
      )
        .map((row) => row.model_name)
        .sort();

    describe('POST /api/users', () => {
      it('creates a user in Logto’s shape, with epoch-ms dates and never the hash', async () => {
        const username = `Somchai_${tag()}`;
        const before = Date.now();
        const response = await api.post('/api/users', {
          username,
          primaryEmail: `  ${username.toUpperCase()}@Example.COM `,
          primaryPhone: '+66 81-234-5678'.replace('5678', String(1000 + counter)),
          name: 'Somchai K.',
          avatar: 'https://cdn.example.com/a.png',
          password: goodPassword,
          profile: { givenName: 'Somchai', address: { country: 'TH' }, unknownKey: 'dropped' },
          customData: { plan: 'pro', nested: { a: [1, 2, { b: null }] } },
        });
        assertStatus(response, 201);
        const user = response.body;
        assert.deepEqual(Object.keys(user).sort(), userKeys);
        assert.equal(user.username, username);
        assert.equal(user.primaryEmail, `${username.toLowerCase()}@example.com`);
        assert.match(user.primaryPhone, /^66812\d{5,}$/);
        assert.equal(user.name, 'Somchai K.');
        assert.equal(user.avatar, 'https://cdn.example.com/a.png');
        assert.deepEqual(user.profile, { givenName: 'Somchai', address: { country: 'TH' } });
        assert.deepEqual(user.customData, { plan: 'pro', nested: { a: [1, 2, { b: null }] } });
        assert.deepEqual(user.identities, {});
        assert.equal(user.isSuspended, false);
        assert.equal(user.hasPassword, true);
        assert.equal(user.lastSignInAt, null);
        assert.equal(typeof user.createdAt, 'number');
        assert.ok(user.createdAt >= before - 5_000 && user.createdAt <= Date.now() + 5_000);
        assert.equal(typeof user.updatedAt, 'number');
        assert.ok(!JSON.stringify(user).includes('argon2'));
        assert.deepEqual((await api.get(`/api/users/${user.id}`)).body, user);
        assert.ok(published.some((change) => change.topic === 'users' && change.key === user.id));
      });

      it('creates a user with a single identifier and no password', async () => {
        const email = await createUser({ username: undefined, primaryEmail: `${tag()}@example.org` });
        assert.equal(email.username, null);
        assert.equal(email.hasPassword, false);
        const phone = await createUser({
          username: undefined,
          primaryPhone: `1555${String(counter).padStart(7, '0')}`,
        });
        assert.equal(phone.primaryEmail, null);
        assert.deepEqual((await api.get(`/api/users/${phone.id}/has-password`)).body, { hasPassword: false });
      });

      it('answers 400 user.identifier_required without username, email or phone', async () => {
        for (const body of [
          {},
          { name: 'Nobody' },
          { username: null, primaryEmail: null },
          { password: goodPassword },
        ]) {
          assertApiError(await api.post('/api/users', body), 400, 'user.identifier_required');
        }
      });

      it('answers 400 request.invalid_body to malformed fields, creating nothing', async () => {
        const deep: Record<string, unknown> = {};
        let cursor = deep;
        for (let i = 0; i < 40; i++) {
          cursor.next = {};
          cursor = cursor.next as Record<string, unknown>;
        }
        for (const body of [
          { username: 'has space' },
          { username: '1starts_with_digit' },
          { username: 'dash-ed' },
          { username: 'x'.repeat(129) },
          { username: 42 },
          { username: ['a'] },
          { primaryEmail: 'not-an-email' },
          { primaryEmail: 'a@b' },
          { primaryEmail: `${'x'.repeat(120)}@example.com` },
          { primaryEmail: 'nul\u0000@example.com' },
          { primaryEmail: 7 },
          { primaryPhone: 'call me' },
          { primaryPhone: '1234567890123456' },
          { primaryPhone: '12' },
          { primaryPhone: 66812345678 },
          { username: tag(), name: 'x'.repeat(129) },
          { username: tag(), name: 'bell\u0007' },
          { username: tag(), avatar: 'javascript:alert(1)' },
          { username: tag(), avatar: 'not a url' },
          { username: tag(), avatar: `https://x.example/${'a'.repeat(2048)}` },
          { username: tag(), profile: 'text' },
          { username: tag(), profile: { givenName: 5 } },
          { username: tag(), profile: { givenName: 'x'.repeat(257) } },
          { username: tag(), customData: [] },
          { username: tag(), customData: 'text' },
          { username: tag(), customData: { bad: 'nul\u0000' } },
          { username: tag(), customData: { 'nul\u0000key': 1 } },
          { username: tag(), customData: { lone: '\ud800' } },
          { username: tag(), customData: deep },
          { username: tag(), customData: { big: 'x'.repeat(70_000) } },
          { username: tag(), password: 12345678 },
          { username: tag(), password: null },
        ]) {
          assertApiError(await api.post('/api/users', body), 400, 'request.invalid_body');
        }
        assertApiError(
          await api.send('POST', '/api/users', { body: '{"username":' }),
          400,
          'request.invalid_json',
        );
        assertApiError(await api.send('POST', '/api/users', { body: '[]' }), 400, 'request.invalid_body');
      });

      it('answers 422 password.rejected with the violations, creating nothing', async () => {
        const username = tag();
        for (const [password, code] of [
          ['short', 'password.too_short'],
          ['x'.repeat(257), 'password.too_long'],
          ['Password', 'password.breached'],
          [`my ${username} pass`, 'password.contains_identifier'],
        ] as const) {
          const response = await api.post('/api/users', { username, password });
          assertApiError(response, 422, 'password.rejected');
          assert.ok(
            response.body.data.violations.some((violation: Loose) => violation.code === code),
            JSON.stringify(response.body),
          );
          assert.equal(typeof response.body.data.violations[0].message, 'string');
        }
        assert.equal((await api.get(`/api/users?search=${username}`)).headers.get('total-number'), '0');
        // A passphrase with spaces and emoji is fine.
        const user = await createUser({ username, password: '🐢🚀 slow rocket to the moon 🌙' });
        assert.equal(user.hasPassword, true);
      });

      it('keeps usernames, emails and phones unique regardless of case: 409', async () => {
        const username = `Case_${tag()}`;
        const email = `${tag()}@example.com`;
        const phone = `4420${String(counter).padStart(7, '0')}`;
        await createUser({ username, primaryEmail: email, primaryPhone: phone });
        assertApiError(
          await api.post('/api/users', { username: username.toUpperCase() }),
          409,
          'user.username_taken',
        );
        assertApiError(
          await api.post('/api/users', { username: tag(), primaryEmail: ` ${email.toUpperCase()}` }),
          409,
          'user.email_taken',
        );
        assertApiError(
          await api.post('/api/users', { username: tag(), primaryPhone: `+${phone}` }),
          409,
          'user.phone_taken',
        );
        const other = await createUser();
        assertApiError(
          await api.patch(`/api/users/${other.id}`, { username: username.toLowerCase() }),
          409,
          'user.username_taken',
        );
        assertApiError(
          await api.patch(`/api/users/${other.id}`, { primaryEmail: email }),
          409,
          'user.email_taken',
        );
        assertApiError(
          await api.patch(`/api/users/${other.id}`, { primaryPhone: phone }),
          409,
          'user.phone_taken',
        );
      });

      it('settles concurrent creations of one username with exactly one 201', async () => {
        const username = tag();
        const responses = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            api.post('/api/users', { username: i % 2 ? username : username.toUpperCase() }),
          ),
        );
        assert.deepEqual(responses.map((response) => response.status).sort(), [201, 409, 409, 409, 409]);
      });

      it('gives new users the default user roles', async () => {
        const role = await api.post('/api/roles', {
          name: `Default ${tag()}`,
          description: 'd',
          isDefault: true,
        });
        assertStatus(role, 201);
        const user = await createUser();
        const members = await api.get(`/api/roles/${role.body.id}/users`);
        assert.ok(members.body.some((member: Loose) => member.id === user.id));
        assertStatus(await api.patch(`/api/roles/${role.body.id}`, { isDefault: false }), 200);
      });
    });

    describe('GET /api/users', () => {
      it('pages with page/page_size and Total-Number, newest first', async () => {
        const group = tag();
        const created = [];
        for (let i = 0; i < 3; i++) created.push(await createUser({ username: `${group}_${i}` }));
        const first = await api.get(`/api/users?search=${group}&page_size=2`);
        assertStatus(first, 200);
        assert.equal(first.headers.get('total-number'), '3');
        assert.equal(first.body.length, 2);
        const second = await api.get(`/api/users?search=${group}&page_size=2&page=2`);
        assert.equal(second.body.length, 1);
        const ids = [...first.body, ...second.body].map((user: Loose) => user.id);
        assert.deepEqual(new Set(ids), new Set(created.map((user) => user.id)));
        assert.deepEqual((await api.get(`/api/users?search=${group}&page=9`)).body, []);
        for (const query of ['page=0', 'page_size=101', 'page_size=x', `search=${'s'.repeat(257)}`]) {
          assertApiError(await api.get(`/api/users?${query}`), 400, 'request.invalid_query');
        }
      });

      it('searches usernames, emails, phones and names, ignoring case; wildcards are literal', async () => {
        const marker = tag();
        const byName = await createUser({ name: `Ms ${marker.toUpperCase()} Lee` });
        const byEmail = await createUser({ username: undefined, primaryEmail: `${marker}@mail.example` });
        const byUsername = await createUser({ username: `X_${marker}` });
        const phoneDigits = `9${String(counter).padStart(3, '0')}${marker.replace(/\D/g, '').padEnd(6, '7').slice(0, 6)}`;
        const byPhone = await createUser({ primaryPhone: phoneDigits });
        const found = await api.get(`/api/users?search=${marker.toUpperCase()}`);
        assert.equal(found.headers.get('total-number'), '3');
        assert.deepEqual(
          new Set(found.body.map((user: Loose) => user.id)),
          new Set([byName.id, byEmail.id, byUsername.id]),
        );
        const phone = await api.get(`/api/users?search=${phoneDigits}`);
        assert.deepEqual(
          phone.body.map((user: Loose) => user.id),
          [byPhone.id],
        );
        assert.equal(
          (await api.get(`/api/users?search=${encodeURIComponent('%')}`)).headers.get('total-number'),
          '0',
        );
        assert.equal((await api.get('/api/users?search=_')).status, 200);
      });
    });

    describe('GET, PATCH, DELETE /api/users/:id', () => {
      it('answers 404 user.not_found for unknown ids and 400 for malformed ones, on every route', async () => {
        const unknown = 'unknownUser0000000000';
        for (const [method, path, body] of [
          ['GET', `/api/users/${unknown}`],
          ['PATCH', `/api/users/${unknown}`, { name: 'x' }],
          ['DELETE', `/api/users/${unknown}`],
          ['PATCH', `/api/users/${unknown}/password`, { password: goodPassword }],
          ['POST', `/api/users/${unknown}/password/verify`, { password: goodPassword }],
          ['GET', `/api/users/${unknown}/has-password`],
          ['PATCH', `/api/users/${unknown}/is-suspended`, { isSuspended: true }],
        ] as const) {
          assertApiError(await api.send(method, path, { body }), 404, 'user.not_found');
        }
        assertApiError(await api.get('/api/users/bad%20id'), 400, 'request.invalid_params');
        assertApiError(await api.get(`/api/users/${'x'.repeat(129)}`), 400, 'request.invalid_params');
      });

      it('updates the fields given, clears with null, and keeps at least one identifier', async () => {
        const user = await createUser({
          name: 'Old',
          primaryEmail: `${tag()}@example.com`,
          customData: { a: 1 },
        });
        const updated = await api.patch(`/api/users/${user.id}`, {
          name: 'New Name',
          avatar: '',
          customData: { b: 2 },
          profile: { nickname: 'Nick' },
          primaryEmail: 'Mixed.Case@Example.com'.replace('Mixed', tag()),
        });
        assertStatus(updated, 200);
        assert.equal(updated.body.name, 'New Name');
        assert.equal(updated.body.avatar, null);
        assert.deepEqual(updated.body.customData, { b: 2 });
        assert.deepEqual(updated.body.profile, { nickname: 'Nick' });
        assert.equal(updated.body.primaryEmail, updated.body.primaryEmail.toLowerCase());
        assert.equal(updated.body.username, user.username);
        assert.ok(updated.body.updatedAt >= user.updatedAt);

        const cleared = await api.patch(`/api/users/${user.id}`, { name: null, username: null });
        assertStatus(cleared, 200);
        assert.equal(cleared.body.name, null);
        assert.equal(cleared.body.username, null);
        assertApiError(
          await api.patch(`/api/users/${user.id}`, { primaryEmail: null }),
          400,
          'user.identifier_required',
        );
        assertStatus(await api.patch(`/api/users/${user.id}`, {}), 200);
      });

      it('refuses a password in PATCH /api/users/:id and malformed fields', async () => {
        const user = await createUser();
        for (const body of [
          { password: goodPassword },
          { username: 'bad name' },
          { primaryEmail: 'nope' },
          { customData: [1] },
          { name: 5 },
        ]) {
          assertApiError(await api.patch(`/api/users/${user.id}`, body), 400, 'request.invalid_body');
        }
        assert.equal((await storedRow(user.id))?.password_hash, null);
      });

      it('deletes the user with its role links and everything oidc-provider stored for it', async () => {
        const user = await createUser({ password: goodPassword });
        const bystander = await createUser();
        for (const model of ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode']) {
          await insertOidcRow(model, user.id);
        }
        await insertOidcRow('Session', bystander.id);
        const role = await api.post('/api/roles', { name: `R ${tag()}`, description: 'r' });
        assertStatus(await api.post(`/api/roles/${role.body.id}/users`, { userIds: [user.id] }), 201);

        assertStatus(await api.del(`/api/users/${user.id}`), 204);
        assert.deepEqual(await oidcRowsOf(user.id), []);
        assert.deepEqual(await oidcRowsOf(bystander.id), ['Session']);
        assertApiError(await api.get(`/api/users/${user.id}`), 404, 'user.not_found');
        assert.deepEqual((await api.get(`/api/roles/${role.body.id}/users`)).body, []);
        assertApiError(await api.del(`/api/users/${user.id}`), 404, 'user.not_found');
        assert.ok(published.some((change) => change.topic === 'users' && change.key === user.id));
      });
    });

    describe('passwords', () => {
      it('sets a password through the policy, stores only an argon2id PHC string, and verifies it', async () => {
        const user = await createUser();
        const secret = `Plain ${tag()} text 🔑`;
        const set = await api.patch(`/api/users/${user.id}/password`, { password: secret });
        assertStatus(set, 200);
        assert.equal(set.body.hasPassword, true);
        assert.deepEqual((await api.get(`/api/users/${user.id}/has-password`)).body, { hasPassword: true });

        const stored = (await storedRow(user.id))?.password_hash ?? '';
        assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);

        // The plaintext appears in no column of any table.
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(t.registry.db.kysely);
        for (const { table_name } of tables.rows) {
          const dump = await sql<{
            row: string;
          }>`select t::text as row from ${sql.table(table_name)} t`.execute(t.registry.db.kysely);
          assert.ok(!dump.rows.some(({ row }) => row.includes(secret)), `plaintext found in ${table_name}`);
        }
        // Nor in the logs (SECURITY-TESTS D4).
        assert.ok(!t.logs.text().includes(secret), 'plaintext found in the logs');

        assertStatus(await api.post(`/api/users/${user.id}/password/verify`, { password: secret }), 204);
        // NFC: the same password typed with a decomposed character still matches.
        const composed = `Caf\u00e9 ${tag()} au lait`;
        assertStatus(await api.patch(`/api/users/${user.id}/password`, { password: composed }), 200);
        assertStatus(
          await api.post(`/api/users/${user.id}/password/verify`, { password: composed.normalize('NFD') }),
          204,
        );
        assertApiError(
          await api.post(`/api/users/${user.id}/password/verify`, { password: secret }),
          422,
          'user.password_mismatch',
        );
        assertApiError(
          await api.post(`/api/users/${user.id}/password/verify`, { password: 'x'.repeat(300) }),
          422,
          'user.password_mismatch',
        );
      });

      it('refuses a password against the policy (422) and malformed bodies (400), keeping the old one', async () => {
        const user = await createUser({ password: goodPassword });
        const before = (await storedRow(user.id))?.password_hash;
        for (const password of ['short', '12345678', user.username, `${'🔑'.repeat(257)}`]) {
          assertApiError(
            await api.patch(`/api/users/${user.id}/password`, { password }),
            422,
            'password.rejected',
          );
        }
        for (const body of [{}, { password: 5 }, { password: null }]) {
          assertApiError(
            await api.patch(`/api/users/${user.id}/password`, body),
            400,
            'request.invalid_body',
          );
          assertApiError(
            await api.post(`/api/users/${user.id}/password/verify`, body),
            400,
            'request.invalid_body',
          );
        }
        assert.equal((await storedRow(user.id))?.password_hash, before);
      });

      it('answers 422 password_mismatch for a user without a password', async () => {
        const user = await createUser();
        assertApiError(
          await api.post(`/api/users/${user.id}/password/verify`, { password: goodPassword }),
          422,
          'user.password_mismatch',
        );
      });

      it('signs the user out everywhere when an admin sets a new password', async () => {
        const user = await createUser({ password: goodPassword });
        await insertOidcRow('RefreshToken', user.id);
        assertStatus(
          await api.patch(`/api/users/${user.id}/password`, { password: `new ${goodPassword}` }),
          200,
        );
        assert.deepEqual(await oidcRowsOf(user.id), []);
      });

      it('upgrades a hash made with weaker parameters at the next successful sign-in (B2)', async () => {
        const user = await createUser();
        const weak = await argon2Hash(goodPassword, {
          algorithm: 2,
          memoryCost: 4096,
          timeCost: 3,
          parallelism: 1,
        });
        await t.registry.db.kysely
          .updateTable('users')
          .set({ password_hash: weak })
          .where('tenant_id', '=', defaultTenantId)
          .where('id', '=', user.id)
          .execute();
        assert.equal(await users.verifyPassword(user.id, 'wrong password'), false);
        assert.equal((await storedRow(user.id))?.password_hash, weak, 'no upgrade on a wrong password');
        assert.equal(await users.verifyPassword(user.id, goodPassword), true);
        const upgraded = (await storedRow(user.id))?.password_hash ?? '';
        assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        assert.equal(await users.verifyPassword(user.id, goodPassword), true);
      });
    });

    describe('suspension', () => {
      it('suspends a user, revoking sessions, grants and tokens; findAccount no longer finds it', async () => {
        const user = await createUser({ password: goodPassword });
        for (const model of ['Session', 'Grant', 'AccessToken']) await insertOidcRow(model, user.id);
        assert.ok(await findAccount(t.registry.db.kysely, defaultTenantId, user.id));

        const suspended = await api.patch(`/api/users/${user.id}/is-suspended`, { isSuspended: true });
        assertStatus(suspended, 200);
        assert.equal(suspended.body.isSuspended, true);
        assert.deepEqual(await oidcRowsOf(user.id), []);
        assert.equal(await findAccount(t.registry.db.kysely, defaultTenantId, user.id), undefined);

        const reinstated = await api.patch(`/api/users/${user.id}/is-suspended`, { isSuspended: false });
        assertStatus(reinstated, 200);
        assert.equal(reinstated.body.isSuspended, false);
        assert.equal((await findAccount(t.registry.db.kysely, defaultTenantId, user.id))?.accountId, user.id);

        for (const body of [{}, { isSuspended: 'true' }, { isSuspended: 1 }]) {
          assertApiError(
            await api.patch(`/api/users/${user.id}/is-suspended`, body),
            400,
            'request.invalid_body',
          );
        }
      });
    });

    describe('what the sign-in pages use', () => {
      it('finds a user by username, email or phone, however the identifier is typed', async () => {
        const username = `Find_${tag()}`;
        const phone = `6681${String(counter).padStart(7, '0')}`;
        const user = await createUser({
          username,
          primaryEmail: `${username}@example.com`,
          primaryPhone: phone,
        });
        assert.equal((await users.findByIdentifier('username', username.toUpperCase()))?.id, user.id);
        assert.equal(
          (await users.findByIdentifier('email', ` ${username.toUpperCase()}@EXAMPLE.com`))?.id,
          user.id,
        );
        assert.equal(
          (await users.findByIdentifier('phone', `+${phone.slice(0, 2)} ${phone.slice(2)}`))?.id,
          user.id,
        );
        assert.equal(await users.findByIdentifier('username', `${username}x`), undefined);
        assert.equal(await users.findByIdentifier('phone', 'not a phone'), undefined);
      });

      it('creates with a password, checks passwords at equal cost for unknown users, records sign-ins', async () => {
        const username = tag();
        const user = await users.createWithPassword({ username, password: goodPassword });
        assert.equal(user.hasPassword, true);
        const row = await users.findByIdentifier('username', username);
        assert.equal(await users.checkPassword(row, goodPassword), true);
        assert.equal(await users.checkPassword(row, 'wrong'), false);
        assert.equal(await users.checkPassword(undefined, goodPassword), false);
        await assert.rejects(
          users.createWithPassword({ username: tag(), password: 'qwerty123' }),
          (error: Loose) => error.code === 'password.rejected',
        );

        await users.touchLastSignIn(user.id);
        const signedIn = (await api.get(`/api/users/${user.id}`)).body;
        assert.equal(typeof signedIn.lastSignInAt, 'number');

        const phc = await t.registry.passwords.hash('another passphrase here');
        await users.setPasswordHash(user.id, phc);
        assert.equal((await storedRow(user.id))?.password_hash, phc);
        await assert.rejects(
          users.touchLastSignIn('unknownUser0000000000'),
          (error: Loose) => error.code === 'user.not_found',
        );
      });
    });
  });
}
