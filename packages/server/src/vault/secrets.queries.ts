import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** SQL only for the `secrets` table: no policy, no crypto. */
export const createSecretQueries = (db: Kysely<Database>) => ({
  find: (tenantId: string, id: string) =>
    db
      .selectFrom('secrets')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst(),
  upsert: (row: { tenant_id: string; id: string; purpose: string; kek_id: string; envelope: string }) =>
    db
      .insertInto('secrets')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['tenant_id', 'id']).doUpdateSet({
          purpose: row.purpose,
          kek_id: row.kek_id,
          envelope: row.envelope,
          updated_at: new Date(),
        }),
      )
      .execute(),
  delete: (tenantId: string, id: string) =>
    db.deleteFrom('secrets').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst(),
});
