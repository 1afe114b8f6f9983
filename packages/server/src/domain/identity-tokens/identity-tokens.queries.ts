import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, IdentityTokensTable } from '../../db/schema.ts';

/** SQL for the stored provider tokens of users' identities (SPEC §7). No policy, no crypto. */

export type IdentityTokenRow = Selectable<IdentityTokensTable>;

/** What is written for one identity: the sealed envelope and the plain columns that describe it. */
export type IdentityTokenValues = {
  kekId: string;
  envelope: string;
  hasRefreshToken: boolean;
  scope: string | null;
  tokenType: string | null;
  expiresAt: Date | null;
};

export const createIdentityTokenQueries = (db: Kysely<Database>, tenantId: string) => {
  const columns = (values: IdentityTokenValues) => ({
    kek_id: values.kekId,
    envelope: values.envelope,
    has_refresh_token: values.hasRefreshToken,
    scope: values.scope,
    token_type: values.tokenType,
    expires_at: values.expiresAt,
  });

  return {
    find: (userId: string, target: string) =>
      db
        .selectFrom('identity_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .executeTakeFirst(),

    /** Inserts, or replaces the tokens of the user's identity at `target`. */
    upsert: (userId: string, target: string, values: IdentityTokenValues) =>
      db
        .insertInto('identity_tokens')
        .values({ tenant_id: tenantId, user_id: userId, target, ...columns(values) })
        .onConflict((conflict) =>
          conflict
            .columns(['tenant_id', 'user_id', 'target'])
            .doUpdateSet({ ...columns(values), updated_at: sql<Date>`now()` }),
        )
        .execute(),

    /**
     * Replaces the tokens only if the row still holds `expected` (compare-and-swap): a refresh never overwrites
     * tokens that a concurrent sign-in or refresh stored meanwhile. True when replaced.
     */
    replaceIf: async (userId: string, target: string, expected: string, values: IdentityTokenValues) => {
      const result = await db
        .updateTable('identity_tokens')
        .set({ ...columns(values), updated_at: sql<Date>`now()` })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .where('envelope', '=', expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    delete: async (userId: string, target: string) => {
      const result = await db
        .deleteFrom('identity_tokens')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Deletes the tokens only if the row still holds `expected` (see `replaceIf`). True when deleted. */
    deleteIf: async (userId: string, target: string, expected: string) => {
      const result = await db
        .deleteFrom('identity_tokens')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .where('envelope', '=', expected)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Every user's tokens of one connector target (the connector is deleted); answers how many. */
    deleteByTarget: async (target: string) => {
      const result = await db
        .deleteFrom('identity_tokens')
        .where('tenant_id', '=', tenantId)
        .where('target', '=', target)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
};

export type IdentityTokenQueries = ReturnType<typeof createIdentityTokenQueries>;
