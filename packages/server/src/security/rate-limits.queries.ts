import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';

/** SQL for fixed-window rate-limit counters. No policy here. */
export const createRateLimitQueries = (db: Kysely<Database>, tenantId: string) => ({
  /**
   * Counts one hit in the current window of `windowSeconds` (aligned on the database clock) and answers the
   * count so far with the seconds until the window ends. One upsert: atomic across connections and instances.
   */
  hit: async (key: string, windowSeconds: number) => {
    const window = sql`to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}::int) * ${windowSeconds}::int)`;
    const { rows } = await sql<{ count: number; ends_in: number }>`
      insert into rate_limits as r (tenant_id, key, window_seconds, window_start, count, expires_at)
      values (
        ${tenantId}, ${key}, ${windowSeconds}::int, ${window}, 1,
        ${window} + make_interval(secs => ${windowSeconds}::int)
      )
      on conflict (tenant_id, key, window_seconds, window_start)
        -- Stops counting near the integer limit; such a count is long past any limit anyway.
        do update set count = r.count + (case when r.count < 2000000000 then 1 else 0 end)
      returning count, greatest(0, ceil(extract(epoch from (expires_at - now()))))::int as ends_in`.execute(
      db,
    );
    const row = rows[0];
    if (!row) throw new Error('rate limit upsert returned no row');
    return { count: Number(row.count), endsInSeconds: Number(row.ends_in) };
  },

  deleteExpired: () =>
    db
      .deleteFrom('rate_limits')
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '<', sql<Date>`now()`)
      .execute(),
});
