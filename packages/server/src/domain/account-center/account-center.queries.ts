import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { jsonb } from '../shared.ts';

/** SQL for the Account API settings: one row per tenant. No policy here. */
export const createAccountCenterQueries = (db: Kysely<Database>, tenantId: string) => ({
  /** The stored row, or `undefined` while the tenant has the defaults. */
  find: () =>
    db
      .selectFrom('account_centers')
      .select(['enabled', 'fields'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst(),

  save: async (values: { enabled: boolean; fields: unknown }) => {
    await db
      .insertInto('account_centers')
      .values({ tenant_id: tenantId, enabled: values.enabled, fields: jsonb(values.fields) })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          enabled: values.enabled,
          fields: jsonb(values.fields),
          updated_at: sql`now()`,
        }),
      )
      .execute();
  },

  /** Serialises read-merge-write updates, so two PATCHes (one of `enabled`, one of `fields`) both land. */
  lock: async () => {
    await sql`select pg_advisory_xact_lock(hashtext(${`gatehouse.account_center:${tenantId}`}))`.execute(db);
  },
});
