import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** SQL for verification codes. Times are the database's (SECURITY-TESTS E6). No policy here. */
export const createVerificationCodeQueries = (db: Kysely<Database>, tenantId: string) => {
  const codes = db.selectFrom('verification_codes').where('tenant_id', '=', tenantId);
  const live = (purpose: string, identifier: string) =>
    db
      .updateTable('verification_codes')
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .where('identifier', '=', identifier)
      .where('consumed_at', 'is', null)
      .where('invalidated_at', 'is', null);

  return {
    /** Serialises the sends to one identifier until the transaction ends (rate limit, one live code). */
    lockIdentifier: async (identifier: string) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`gatehouse.verification_codes:${tenantId}:${identifier}`}))`.execute(
        db,
      );
    },

    /** Sends to `identifier` in the last hour and minute, with the seconds until each allows one more. */
    recentSends: async (identifier: string, minuteSeconds: number) => {
      const row = await codes
        .select([
          sql<string>`count(*) filter (where created_at > now() - make_interval(secs => ${minuteSeconds}::int))`.as(
            'last_minute',
          ),
          sql<string>`count(*)`.as('last_hour'),
          sql<number>`ceil(extract(epoch from (max(created_at) + make_interval(secs => ${minuteSeconds}::int) - now())))::int`.as(
            'minute_retry',
          ),
          sql<number>`ceil(extract(epoch from (min(created_at) + interval '1 hour' - now())))::int`.as(
            'hour_retry',
          ),
        ])
        .where('identifier', '=', identifier)
        .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
        .executeTakeFirstOrThrow();
      return {
        lastMinute: Number(row.last_minute),
        lastHour: Number(row.last_hour),
        minuteRetrySeconds: Number(row.minute_retry ?? 0),
        hourRetrySeconds: Number(row.hour_retry ?? 0),
      };
    },

    invalidateLive: (purpose: string, identifier: string) =>
      live(purpose, identifier).set({ invalidated_at: sql`now()` }).execute(),

    invalidate: (id: string) =>
      db
        .updateTable('verification_codes')
        .set({ invalidated_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute(),

    insert: (row: { id: string; purpose: string; identifier: string; digest: string; ttlSeconds: number }) =>
      db
        .insertInto('verification_codes')
        .values({
          tenant_id: tenantId,
          id: row.id,
          purpose: row.purpose,
          identifier: row.identifier,
          digest: row.digest,
          expires_at: sql<Date>`now() + make_interval(secs => ${row.ttlSeconds}::int)`,
        })
        .execute(),

    /**
     * Takes one attempt on the live, unexpired code, if it has attempts left: the increment and the check are
     * one statement, so parallel guesses cannot evaluate more than `maxAttempts` times in all.
     */
    takeAttempt: (purpose: string, identifier: string, maxAttempts: number) =>
      live(purpose, identifier)
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('expires_at', '>', sql<Date>`now()`)
        .where('attempts', '<', maxAttempts)
        .returning(['id', 'digest'])
        .execute(),

    /** Marks the code used, if nothing else did first (single use under concurrency). */
    consume: async (id: string) =>
      (await db
        .updateTable('verification_codes')
        .set({ consumed_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('invalidated_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning('id')
        .executeTakeFirst()) !== undefined,

    /** The newest code for (purpose, identifier), to tell in logs why verification failed. */
    newest: (purpose: string, identifier: string) =>
      codes
        .select([
          'attempts',
          'consumed_at',
          'invalidated_at',
          sql<boolean>`expires_at <= now()`.as('expired'),
        ])
        .where('purpose', '=', purpose)
        .where('identifier', '=', identifier)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst(),

    /** Codes older than a day serve no purpose, not even for the hourly send limit. */
    deleteOld: () =>
      db
        .deleteFrom('verification_codes')
        .where('tenant_id', '=', tenantId)
        .where('created_at', '<', sql<Date>`now() - interval '1 day'`)
        .execute(),
  };
};

export type VerificationCodeQueries = ReturnType<typeof createVerificationCodeQueries>;
