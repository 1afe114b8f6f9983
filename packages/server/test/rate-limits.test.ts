import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { type Db, openDatabase } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Database, defaultTenantId } from '../src/db/schema.ts';
import { newId } from '../src/domain/ids.ts';
import { createLockout, defaultLockoutPolicy } from '../src/security/lockout.ts';
import { createRateLimiter } from '../src/security/rate-limiter.ts';
import { type ApiClient, assertApiError, assertStatus, managementClient } from './support/api-client.ts';
import { type TestBackend, testBackends } from './support/db.ts';
import { captureLogs } from './support/logs.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${newId()}`;
const tenant = { tenantId: defaultTenantId };

const lockoutRow = (db: Kysely<Database>, userId: string) =>
  db.selectFrom('account_lockouts').selectAll().where('user_id', '=', userId).executeTakeFirst();

/** Ends the current lock of `userId` by moving it into the past (time is faked in the database only). */
const expireLock = (db: Kysely<Database>, userId: string) =>
  sql`update account_lockouts set locked_until = now() - interval '1 second' where user_id = ${userId}`.execute(
    db,
  );

const within = (value: number, low: number, high: number, what: string) =>
  assert.ok(value >= low && value <= high, `${what}: ${value} not in [${low}, ${high}]`);

for (const backend of testBackends()) {
  describe(`rate limits: fixed windows counted in the database (SPEC §1, SECURITY-TESTS E5) on ${backend.name}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
    });
    after(() => db.close());
    const limiter = () => createRateLimiter({ db: db.kysely, ...tenant });

    it('allows `limit` hits per window, then refuses with the seconds until the window ends', async () => {
      const limits = limiter();
      const key = unique('ip');
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limits.hit(key, { limit: 3, windowSeconds: 60 }));
      assert.deepEqual(
        decisions.slice(0, 3).map((d) => [d.allowed, d.remaining, d.retryAfterSeconds]),
        [
          [true, 2, 0],
          [true, 1, 0],
          [true, 0, 0],
        ],
      );
      const refused = decisions[3];
      assert.equal(refused?.allowed, false);
      assert.equal(refused?.remaining, 0);
      within(refused?.retryAfterSeconds ?? 0, 1, 60, 'retryAfterSeconds');
    });

    it('keeps keys, and window sizes of one key, apart', async () => {
      const limits = limiter();
      const key = unique('ip');
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, true);
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, false);
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 3600 })).allowed, true);
      assert.equal((await limits.hit(unique('ip'), { limit: 1, windowSeconds: 60 })).allowed, true);
    });

    it('starts counting afresh in the next window', async () => {
      const limits = limiter();
      const key = unique('ip');
      await limits.hit(key, { limit: 1, windowSeconds: 60 });
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, false);
      await sql`update rate_limits set window_start = window_start - interval '60 seconds',
        expires_at = expires_at - interval '60 seconds' where key = ${key}`.execute(db.kysely);
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, true);
    });

    it('lets exactly `limit` of 50 parallel hits through', async () => {
      const limits = limiter();
      const key = unique('burst');
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => limits.hit(key, { limit: 5, windowSeconds: 60 })),
      );
      assert.equal(decisions.filter((d) => d.allowed).length, 5);
    });

    it('takes long keys (stored as digests)', async () => {
      const limits = limiter();
      const key = `code-send:email:${'a'.repeat(300)}@example.com`;
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, true);
      assert.equal((await limits.hit(key, { limit: 1, windowSeconds: 60 })).allowed, false);
      assert.equal((await limits.hit(`${key}x`, { limit: 1, windowSeconds: 60 })).allowed, true);
    });

    it('purges ended windows only', async () => {
      const limits = limiter();
      const ended = unique('old');
      const current = unique('new');
      await limits.hit(ended, { limit: 1, windowSeconds: 60 });
      await limits.hit(current, { limit: 1, windowSeconds: 60 });
      await sql`update rate_limits set expires_at = now() - interval '1 second' where key = ${ended}`.execute(
        db.kysely,
      );
      await limits.purge();
      const keys = await db.kysely
        .selectFrom('rate_limits')
        .select('key')
        .where('key', 'in', [ended, current])
        .execute();
      assert.deepEqual(
        keys.map((row) => row.key),
        [current],
      );
    });

    it('refuses nonsensical limits (a programming error, not a request error)', async () => {
      const limits = limiter();
      for (const limit of [
        { limit: 0, windowSeconds: 60 },
        { limit: 1.5, windowSeconds: 60 },
        { limit: 5, windowSeconds: 0 },
        { limit: 5, windowSeconds: 10 * 86_400 },
      ]) {
        await assert.rejects(limits.hit('k', limit), RangeError);
      }
    });
  });

  describe(`account lockout (SECURITY-TESTS B3) on ${backend.name}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
    });
    after(() => db.close());
    const lockout = (policy = defaultLockoutPolicy) => createLockout({ db: db.kysely, ...tenant, policy });
    const fail = async (userId: string, times: number) => {
      const accounts = lockout();
      for (let i = 0; i < times; i++) await accounts.recordFailure(userId);
    };

    it('locks after 5 consecutive failures, for 1 minute', async () => {
      const accounts = lockout();
      const userId = unique('user');
      assert.deepEqual(await accounts.check(userId), { locked: false, retryAfterSeconds: 0 });
      for (let i = 0; i < 4; i++) assert.equal((await accounts.recordFailure(userId)).locked, false);
      const fifth = await accounts.recordFailure(userId);
      assert.equal(fifth.locked, true);
      within(fifth.retryAfterSeconds, 59, 60, 'first lock');
      const checked = await accounts.check(userId);
      assert.equal(checked.locked, true);
      within(checked.retryAfterSeconds, 59, 60, 'check');
    });

    it('refuses attempts while locked without counting them, so a lock does not grow by itself', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await fail(userId, 5);
      for (let i = 0; i < 10; i++) assert.equal((await accounts.reserveAttempt(userId)).allowed, false);
      assert.equal((await lockoutRow(db.kysely, userId))?.failures, 5);
    });

    it('lets the lock expire, then locks progressively: 5 min, 15 min, 1 h, and 1 h again', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await fail(userId, 5);
      for (const expected of [300, 900, 3600, 3600]) {
        await expireLock(db.kysely, userId);
        assert.deepEqual(
          await accounts.check(userId),
          { locked: false, retryAfterSeconds: 0 },
          'the lock expired',
        );
        for (let i = 0; i < 4; i++) assert.equal((await accounts.reserveAttempt(userId)).allowed, true);
        const locking = await accounts.reserveAttempt(userId);
        assert.equal(locking.allowed, true, 'the attempt that reaches the threshold is still evaluated');
        assert.equal(locking.locked, true);
        within(locking.retryAfterSeconds, expected - 1, expected, `lock of ${expected} s`);
        assert.equal((await accounts.reserveAttempt(userId)).allowed, false);
      }
    });

    it('restarts the count after a success', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await fail(userId, 4);
      await accounts.recordSuccess(userId);
      await fail(userId, 4);
      assert.equal((await accounts.check(userId)).locked, false);
      await fail(userId, 1);
      assert.equal((await accounts.check(userId)).locked, true);
    });

    it('forgets consecutive failures after a day without attempts', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await fail(userId, 4);
      await sql`update account_lockouts set updated_at = now() - interval '25 hours' where user_id = ${userId}`.execute(
        db.kysely,
      );
      assert.equal((await accounts.recordFailure(userId)).locked, false);
      assert.equal((await lockoutRow(db.kysely, userId))?.failures, 1);
    });

    it('evaluates at most 5 of 50 parallel attempts (reserve before checking the password)', async () => {
      const accounts = lockout();
      const userId = unique('user');
      const reservations = await Promise.all(
        Array.from({ length: 50 }, () => accounts.reserveAttempt(userId)),
      );
      assert.equal(reservations.filter((r) => r.allowed).length, 5);
      assert.equal((await accounts.check(userId)).locked, true);
    });

    it('locks after 50 parallel failures recorded after the fact', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await Promise.all(Array.from({ length: 50 }, () => accounts.recordFailure(userId)));
      const state = await accounts.check(userId);
      assert.equal(state.locked, true);
      within(state.retryAfterSeconds, 59, 60, 'first lock');
      assert.equal(
        (await lockoutRow(db.kysely, userId))?.failures,
        5,
        'failures while locked are not counted',
      );
    });

    it('a success while evaluating clears the lock the same attempt set', async () => {
      const accounts = lockout();
      const userId = unique('user');
      await fail(userId, 4);
      const fifth = await accounts.reserveAttempt(userId);
      assert.equal(fifth.allowed, true);
      assert.equal(fifth.locked, true);
      await accounts.recordSuccess(userId);
      assert.deepEqual(await accounts.check(userId), { locked: false, retryAfterSeconds: 0 });
    });

    it('never counts more than 100 failures an hour, whatever the threshold', async () => {
      const accounts = lockout({ ...defaultLockoutPolicy, threshold: 1000 });
      const userId = unique('user');
      const reservations = await Promise.all(
        Array.from({ length: 150 }, () => accounts.reserveAttempt(userId)),
      );
      assert.equal(reservations.filter((r) => r.allowed).length, 100);
      const row = await lockoutRow(db.kysely, userId);
      assert.equal(row?.hour_failures, 100);
      const state = await accounts.check(userId);
      assert.equal(state.locked, true);
      within(state.retryAfterSeconds, 3590, 3600, 'until the hour ends');
      await sql`update account_lockouts set hour_start = now() - interval '1 hour' where user_id = ${userId}`.execute(
        db.kysely,
      );
      assert.equal((await accounts.reserveAttempt(userId)).allowed, true, 'a new hour counts afresh');
    });

    it('keeps accounts apart', async () => {
      const accounts = lockout();
      const locked = unique('user');
      await fail(locked, 5);
      assert.equal((await accounts.check(unique('user'))).locked, false);
      assert.equal((await accounts.reserveAttempt(unique('user'))).allowed, true);
    });

    it('refuses a policy that cannot work', () => {
      for (const policy of [
        { ...defaultLockoutPolicy, threshold: 1 },
        { ...defaultLockoutPolicy, lockSeconds: [] },
        { ...defaultLockoutPolicy, lockSeconds: [60, 0] },
        { ...defaultLockoutPolicy, maxFailuresPerHour: 0 },
      ]) {
        assert.throws(() => createLockout({ db: db.kysely, ...tenant, policy }), RangeError);
      }
    });
  });
}

const postgres = testBackends().find((backend): backend is TestBackend => backend.name === 'postgres');
if (postgres) {
  describe('two instances on one PostgreSQL share rate limits and lockouts (SECURITY-TESTS B3, E5)', () => {
    let first: Db & { url?: string };
    let second: Db;
    before(async () => {
      first = await postgres.create();
      await migrateToLatest(first.kysely);
      second = await openDatabase(
        { kind: 'postgres', url: first.url ?? '', poolSize: 5 },
        captureLogs('silent').logger,
      );
    });
    after(async () => {
      await second.close();
      await first.close();
    });

    it('counts rate-limit hits from both instances in one window', async () => {
      const a = createRateLimiter({ db: first.kysely, ...tenant });
      const b = createRateLimiter({ db: second.kysely, ...tenant });
      const key = unique('shared');
      const decisions = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit(key, { limit: 7, windowSeconds: 60 })),
      );
      assert.equal(decisions.filter((d) => d.allowed).length, 7);
    });

    it('locks an account whose attempts alternate between instances', async () => {
      const a = createLockout({ db: first.kysely, ...tenant });
      const b = createLockout({ db: second.kysely, ...tenant });
      const userId = unique('user');
      for (let i = 0; i < 5; i++) assert.equal((await (i % 2 ? a : b).reserveAttempt(userId)).allowed, true);
      assert.equal((await a.reserveAttempt(userId)).allowed, false);
      assert.equal((await b.check(userId)).locked, true);
    });

    it('evaluates at most 5 of 50 parallel attempts spread over both instances', async () => {
      const a = createLockout({ db: first.kysely, ...tenant });
      const b = createLockout({ db: second.kysely, ...tenant });
      const userId = unique('user');
      const reservations = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).reserveAttempt(userId)),
      );
      assert.equal(reservations.filter((r) => r.allowed).length, 5);
    });
  });
}

for (const backend of testBackends()) {
  describe(`POST /api/users/:id/unlock (SECURITY-TESTS B3: admin unlock, audited) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());

    const insertUser = async () => {
      const id = newId();
      await t.registry.db.kysely
        .insertInto('users')
        .values({ tenant_id: defaultTenantId, id, username: `locked-${id}` })
        .execute();
      return id;
    };

    it('unlocks a locked user, forgets the failures, answers 204 and writes an audit line', async () => {
      const userId = await insertUser();
      const accounts = createLockout({ db: t.registry.db.kysely, ...tenant });
      for (let i = 0; i < 5; i++) await accounts.recordFailure(userId);
      assert.equal((await accounts.check(userId)).locked, true);

      const response = await api.post(`/api/users/${userId}/unlock`);
      assertStatus(response, 204);
      assert.deepEqual(await accounts.check(userId), { locked: false, retryAfterSeconds: 0 });
      assert.equal(await lockoutRow(t.registry.db.kysely, userId), undefined);
      const audit = t.logs.lines().find((line) => line.audit === 'user.unlocked' && line.userId === userId);
      assert.ok(audit, 'an audit line names the user');
      assert.equal(audit.actor, 'test-admin');
      assert.ok(audit.requestId, 'and the request');
    });

    it('answers 204 for a user who was not locked', async () => {
      assertStatus(await api.post(`/api/users/${await insertUser()}/unlock`), 204);
    });

    it('answers 404 user.not_found for an unknown user', async () => {
      assertApiError(await api.post(`/api/users/${newId()}/unlock`), 404, 'user.not_found');
    });

    it('answers 400 request.invalid_params for a malformed id', async () => {
      for (const id of ['a%20b', 'x'.repeat(129), '%00', 'a%2Fb']) {
        assertApiError(await api.post(`/api/users/${id}/unlock`), 400, 'request.invalid_params');
      }
    });

    it('is guarded: 401 without a token, and nothing unlocked', async () => {
      const userId = await insertUser();
      const accounts = createLockout({ db: t.registry.db.kysely, ...tenant });
      for (let i = 0; i < 5; i++) await accounts.recordFailure(userId);
      for (const headers of [{}, { authorization: 'Bearer forged' }] as Array<Record<string, string>>) {
        const response = await fetch(`${t.url}/api/users/${userId}/unlock`, { method: 'POST', headers });
        assert.equal(response.status, 401);
      }
      assert.equal((await accounts.check(userId)).locked, true);
    });

    it('answers 405 to GET', async () => {
      assertApiError(await api.get(`/api/users/${newId()}/unlock`), 405, 'request.method_not_allowed');
    });
  });
}
