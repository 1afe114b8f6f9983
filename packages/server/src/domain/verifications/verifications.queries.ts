import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, VerificationRecordsTable } from '../../db/schema.ts';
import { jsonb } from '../shared.ts';

/** SQL for the Account API's verification records (migration 0008). No policy here: `find*` may return `undefined`. */

export type VerificationRecordRow = Selectable<VerificationRecordsTable>;

/** Every time is the database's (SECURITY-TESTS E6): `expired` is computed there, not from this process's clock. */
export type FoundRecord = VerificationRecordRow & { expired: boolean };

export const createVerificationRecordQueries = (db: Kysely<Database>, tenantId: string) => {
  const records = () =>
    db
      .selectFrom('verification_records')
      .selectAll()
      .select(sql<boolean>`expires_at <= now()`.as('expired'))
      .where('tenant_id', '=', tenantId);
  /** Verified, unused, unexpired: usable for a change. */
  const usable = (userId: string, ids: readonly string[], types: readonly string[]) =>
    db
      .updateTable('verification_records')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('type', 'in', types)
      .where('verified_at', 'is not', null)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`);

  return {
    insert: async (values: {
      id: string;
      userId: string;
      type: string;
      data: Record<string, unknown>;
      verified: boolean;
      ttlSeconds: number;
    }) =>
      db
        .insertInto('verification_records')
        .values({
          tenant_id: tenantId,
          id: values.id,
          user_id: values.userId,
          type: values.type,
          data: jsonb(values.data),
          verified_at: values.verified ? sql<Date>`now()` : null,
          expires_at: sql<Date>`now() + make_interval(secs => ${values.ttlSeconds})`,
        })
        .returning(['id', 'expires_at'])
        .executeTakeFirstOrThrow(),

    /** The record `id` if `userId` owns it (another user's record is indistinguishable from none). */
    findForUser: (id: string, userId: string): Promise<FoundRecord | undefined> =>
      records().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst(),

    /** Locks a pending (unverified, unused, unexpired) record of `type` for the rest of the transaction. */
    lockPending: (id: string, userId: string, type: string) =>
      db
        .selectFrom('verification_records')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('type', '=', type)
        .where('verified_at', 'is', null)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .forUpdate()
        .executeTakeFirst(),

    setData: async (id: string, data: Record<string, unknown>) => {
      await db
        .updateTable('verification_records')
        .set({ data: jsonb(data) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },

    /** Marks a pending record verified, replacing its data; false when it is no longer pending. */
    markVerified: async (id: string, userId: string, data: Record<string, unknown>) => {
      const result = await db
        .updateTable('verification_records')
        .set({ verified_at: sql<Date>`now()`, data: jsonb(data) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('verified_at', 'is', null)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    /**
     * Uses up the records `ids` of `userId` (each verified, unused, unexpired, of one of `types`) in one
     * conditional UPDATE: of two concurrent changes presenting the same record, exactly one gets it. Answers the
     * ids it used.
     */
    consume: async (userId: string, ids: readonly string[], types: readonly string[]) =>
      (await usable(userId, ids, types).set({ consumed_at: sql<Date>`now()` }).returning('id').execute()).map(
        (row) => row.id,
      ),

    /** Records expired for a day are of no use, not even to explain a refusal. */
    deleteOld: async () => {
      await db
        .deleteFrom('verification_records')
        .where('tenant_id', '=', tenantId)
        .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
        .execute();
    },
  };
};

export type VerificationRecordQueries = ReturnType<typeof createVerificationRecordQueries>;
