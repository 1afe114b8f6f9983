import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, UserIdentitiesTable } from '../../db/schema.ts';
import { jsonb } from '../shared.ts';

/** SQL for users' social identities. No policy here: `find*` may return `undefined`. */

export type IdentityRow = Selectable<UserIdentitiesTable>;

export type IdentityValues = {
  userId: string;
  target: string;
  identityId: string;
  details: Record<string, unknown>;
};

export const createIdentityQueries = (db: Kysely<Database>, tenantId: string) => {
  const columnsOf = (values: IdentityValues) => ({
    tenant_id: tenantId,
    user_id: values.userId,
    target: values.target,
    identity_id: values.identityId,
    details: jsonb(values.details),
  });
  const identities = () => db.selectFrom('user_identities').selectAll().where('tenant_id', '=', tenantId);

  return {
    /** The identity of the upstream account `identityId` at connector `target`. */
    findByIdentity: (target: string, identityId: string) =>
      identities().where('target', '=', target).where('identity_id', '=', identityId).executeTakeFirst(),

    find: (userId: string, target: string) =>
      identities().where('user_id', '=', userId).where('target', '=', target).executeTakeFirst(),

    listForUser: (userId: string) => identities().where('user_id', '=', userId).orderBy('target').execute(),

    listForUsers: (userIds: readonly string[]) =>
      userIds.length === 0
        ? Promise.resolve([])
        : identities().where('user_id', 'in', userIds).orderBy('target').execute(),

    insert: (values: IdentityValues) =>
      db.insertInto('user_identities').values(columnsOf(values)).returningAll().executeTakeFirstOrThrow(),

    /**
     * Inserts, or replaces the user's identity at this target (one per user and target). A (target, identity)
     * held by another user still violates `user_identities__identity`.
     */
    upsert: (values: IdentityValues) =>
      db
        .insertInto('user_identities')
        .values(columnsOf(values))
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'user_id', 'target']).doUpdateSet({
            identity_id: values.identityId,
            details: jsonb(values.details),
            updated_at: sql<Date>`now()`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),

    updateDetails: (userId: string, target: string, details: Record<string, unknown>) =>
      db
        .updateTable('user_identities')
        .set({ details: jsonb(details), updated_at: sql<Date>`now()` })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .returningAll()
        .executeTakeFirst(),

    delete: async (userId: string, target: string) =>
      (await db
        .deleteFrom('user_identities')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .returning('target')
        .executeTakeFirst()) !== undefined,
  };
};

export type IdentityQueries = ReturnType<typeof createIdentityQueries>;
