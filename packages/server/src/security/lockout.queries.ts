import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The thresholds the counting statement applies. */
export type LockoutPolicy = {
  /** Consecutive failures that lock the account: a lock at every multiple of this number. */
  threshold: number;
  /** Lock durations in seconds: the first lock, the second, …; the last one repeats. */
  lockSeconds: readonly number[];
  /** At most this many failures are counted (and evaluated) per account per hour. */
  maxFailuresPerHour: number;
  /** Consecutive failures older than this (no attempt since) are forgotten. */
  forgetAfterSeconds: number;
};

export type Outcome = 'counted' | 'locked' | 'capped';

export type LockoutRow = {
  failures: number;
  outcome: Outcome;
  /** Seconds the account stays locked, 0 when it is not. */
  lockedFor: number;
  /** Seconds until the hourly failure cap lets attempts through again, 0 when it is not reached. */
  cappedFor: number;
};

/** SQL for per-account lockout counters. No policy decisions beyond what the one counting statement encodes. */
export const createLockoutQueries = (db: Kysely<Database>, tenantId: string) => {
  const secondsUntil = (at: ReturnType<typeof sql>) =>
    sql<number>`greatest(0, ceil(extract(epoch from (${at} - now()))))::int`;
  const cappedFor = (maxPerHour: number) =>
    sql<number>`case when hour_start > now() - interval '1 hour' and hour_failures >= ${maxPerHour}::int
      then ${secondsUntil(sql`hour_start + interval '1 hour'`)} else 0 end`;

  return {
    /**
     * Counts one failed (or about to be evaluated) attempt, unless the account is locked or at its hourly cap,
     * and locks the account when the count reaches a multiple of the threshold. One upsert: PostgreSQL takes
     * the row lock, so concurrent calls on any instance are applied one after another, each seeing the last.
     * Every `case` below reads the row as it was before this statement.
     */
    countFailure: async (userId: string, policy: LockoutPolicy): Promise<LockoutRow> => {
      const locked = sql`coalesce(l.locked_until > now(), false)`;
      const freshHour = sql`(l.hour_start <= now() - interval '1 hour')`;
      const capped = sql`(not ${freshHour} and l.hour_failures >= ${policy.maxFailuresPerHour}::int)`;
      const refused = sql`(${locked} or ${capped})`;
      const failures = sql`(case when l.updated_at < now() - make_interval(secs => ${policy.forgetAfterSeconds}::int)
        then 1 else l.failures + 1 end)`;
      const durations = sql`array[${sql.join(policy.lockSeconds.map((seconds) => sql`${seconds}::int`))}]`;
      const lockFor = sql`(${durations})[least(${failures} / ${policy.threshold}::int, ${policy.lockSeconds.length}::int)]`;
      const { rows } = await sql<{
        failures: number;
        outcome: Outcome;
        locked_for: number;
        capped_for: number;
      }>`
        insert into account_lockouts as l
          (tenant_id, user_id, failures, locked_until, hour_start, hour_failures, last_outcome, updated_at)
        values (${tenantId}, ${userId}, 1, null, now(), 1, 'counted', now())
        on conflict (tenant_id, user_id) do update set
          failures = case when ${refused} then l.failures else ${failures} end,
          locked_until = case
            when not ${refused} and ${failures} % ${policy.threshold}::int = 0
              then now() + make_interval(secs => ${lockFor})
            else l.locked_until end,
          hour_start = case when not ${refused} and ${freshHour} then now() else l.hour_start end,
          hour_failures = case
            when ${refused} then l.hour_failures
            when ${freshHour} then 1
            else l.hour_failures + 1 end,
          last_outcome = case when ${locked} then 'locked' when ${capped} then 'capped' else 'counted' end,
          updated_at = now()
        returning failures, last_outcome as outcome,
          ${secondsUntil(sql`locked_until`)} as locked_for,
          ${cappedFor(policy.maxFailuresPerHour)} as capped_for`.execute(db);
      const row = rows[0];
      if (!row) throw new Error('lockout upsert returned no row');
      return {
        failures: Number(row.failures),
        outcome: row.outcome,
        lockedFor: Number(row.locked_for ?? 0),
        cappedFor: Number(row.capped_for),
      };
    },

    find: async (userId: string, maxFailuresPerHour: number) => {
      const row = await db
        .selectFrom('account_lockouts')
        .select([
          secondsUntil(sql`locked_until`).as('locked_for'),
          cappedFor(maxFailuresPerHour).as('capped_for'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && { lockedFor: Number(row.locked_for ?? 0), cappedFor: Number(row.capped_for) };
    },

    /** After a successful sign-in: consecutive failures and any lock end; the hourly count stays. */
    reset: (userId: string) =>
      db
        .updateTable('account_lockouts')
        .set({ failures: 0, locked_until: null, updated_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute(),

    /** An administrator's unlock: everything counted so far is forgotten, the account's device buckets too. */
    clear: (userId: string) =>
      db
        .deleteFrom('account_lockouts')
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            eb('user_id', '=', userId),
            eb('user_id', 'like', `${userId.replace(/[\\%_]/g, '\\$&')}#%`),
          ]),
        )
        .execute(),

    userExists: async (userId: string) =>
      (await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .executeTakeFirst()) !== undefined,
  };
};
