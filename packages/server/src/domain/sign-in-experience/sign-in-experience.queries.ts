import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { jsonb } from '../shared.ts';

/** SQL for the sign-in experience settings: one row per tenant. No policy here. */
export const createSignInExperienceQueries = (db: Kysely<Database>, tenantId: string) => ({
  /** The stored settings as parsed JSON, or `undefined` when the tenant still has the defaults. */
  find: async (): Promise<unknown> => {
    const row = await db
      .selectFrom('sign_in_experiences')
      .select('settings')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row?.settings;
  },

  /** Serialises the tenant's read-merge-write updates, so two PATCHes of different keys both land. */
  lock: async () => {
    await sql`select pg_advisory_xact_lock(hashtext(${`gatehouse.sign_in_experience:${tenantId}`}))`.execute(
      db,
    );
  },

  save: async (settings: unknown) => {
    await db
      .insertInto('sign_in_experiences')
      .values({ tenant_id: tenantId, settings: jsonb(settings) })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({ settings: jsonb(settings), updated_at: sql`now()` }),
      )
      .execute();
  },
});

export type SignInExperienceQueries = ReturnType<typeof createSignInExperienceQueries>;
