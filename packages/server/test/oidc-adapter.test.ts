import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { errors } from 'oidc-provider';
import type { Db } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import { createAdapterClass, digest, purgeExpired } from '../src/oidc/adapter.ts';
import { testBackends } from './support/db.ts';

for (const backend of testBackends()) {
  describe(`oidc-provider storage adapter on ${backend.name}`, () => {
    let db: Db;
    let Adapter: ReturnType<typeof createAdapterClass>;
    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
      Adapter = createAdapterClass({ db: db.kysely, tenantId: defaultTenantId, refreshGraceSeconds: 10 });
    });
    after(() => db.close());

    it('stores ids and uids only as SHA-256 digests, without the jti in the payload, and finds by the real values', async () => {
      const sessions = new Adapter('Session');
      await sessions.upsert(
        'session-id-value-1',
        { jti: 'session-id-value-1', uid: 'session-uid-1', accountId: 'u1' },
        60,
      );
      const row = await db.kysely
        .selectFrom('oidc_model_instances')
        .selectAll()
        .where('model_name', '=', 'Session')
        .executeTakeFirstOrThrow();
      assert.equal(row.id, digest('session-id-value-1'));
      assert.equal(row.uid, digest('session-uid-1'));
      assert.doesNotMatch(JSON.stringify(row.payload), /session-id-value-1/);
      assert.deepEqual(await sessions.find('session-id-value-1'), {
        jti: 'session-id-value-1',
        uid: 'session-uid-1',
        accountId: 'u1',
      });
      assert.equal((await sessions.findByUid('session-uid-1'))?.accountId, 'u1');
      assert.equal(await sessions.find('another-id'), undefined);
    });

    it('consumes a code exactly once: a second consume is invalid_grant', async () => {
      const codes = new Adapter('AuthorizationCode');
      await codes.upsert('code-1', { jti: 'code-1', grantId: 'grant-1' }, 60);
      await codes.consume('code-1');
      await assert.rejects(codes.consume('code-1'), errors.InvalidGrant);
      assert.ok((await codes.find('code-1'))?.consumed, 'a consumed code is reported as consumed');
    });

    it('lets exactly one of 20 concurrent consumes of one code succeed', async () => {
      const codes = new Adapter('AuthorizationCode');
      await codes.upsert('code-race', { jti: 'code-race', grantId: 'grant-race' }, 60);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume('code-race')));
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    });

    it('refuses a rotated refresh token replayed within the grace window without reporting it consumed (no family revocation)', async () => {
      const tokens = new Adapter('RefreshToken');
      await tokens.upsert('rt-1', { jti: 'rt-1', grantId: 'grant-rt' }, 600);
      await tokens.consume('rt-1');
      await assert.rejects(tokens.find('rt-1'), errors.InvalidGrant);
      // After the grace window the replay is reported as consumed, and oidc-provider revokes the grant.
      await sql`update oidc_model_instances set consumed_at = now() - interval '1 minute' where id = ${digest('rt-1')}`.execute(
        db.kysely,
      );
      assert.ok((await tokens.find('rt-1'))?.consumed);
    });

    it('revokes everything issued under a grant', async () => {
      const access = new Adapter('AccessToken');
      const refresh = new Adapter('RefreshToken');
      const grants = new Adapter('Grant');
      await grants.upsert('grant-x', { jti: 'grant-x' }, 600);
      await access.upsert('at-x', { jti: 'at-x', grantId: 'grant-x' }, 600);
      await refresh.upsert('rt-x', { jti: 'rt-x', grantId: 'grant-x' }, 600);
      await access.upsert('at-other', { jti: 'at-other', grantId: 'grant-other' }, 600);
      await access.revokeByGrantId('grant-x');
      assert.equal(await access.find('at-x'), undefined);
      assert.equal(await refresh.find('rt-x'), undefined);
      assert.equal(await grants.find('grant-x'), undefined);
      assert.ok(await access.find('at-other'), 'other grants are untouched');
    });

    it('hides expired rows at once and purges them in the background', async () => {
      const access = new Adapter('AccessToken');
      await access.upsert('at-expired', { jti: 'at-expired' }, -1);
      await access.upsert('at-live', { jti: 'at-live' }, 600);
      assert.equal(await access.find('at-expired'), undefined);
      const purged = await purgeExpired(db.kysely);
      assert.ok(purged >= 1);
      const left = await db.kysely
        .selectFrom('oidc_model_instances')
        .select('id')
        .where('id', 'in', [digest('at-expired'), digest('at-live')])
        .execute();
      assert.deepEqual(left, [{ id: digest('at-live') }]);
    });
  });
}
