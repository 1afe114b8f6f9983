import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, UsersTable } from '../../db/schema.ts';
import { containsPattern, jsonb, pagedListing } from '../shared.ts';

/** SQL for users. No policy here: `find*` may return `undefined`. */

export type UserRow = Selectable<UsersTable>;

export type IdentifierKind = 'username' | 'email' | 'phone';

/** The columns a create or an update writes; `undefined` leaves a column as it is. */
export type UserValues = {
  username?: string | null;
  primaryEmail?: string | null;
  primaryPhone?: string | null;
  name?: string | null;
  avatar?: string | null;
  profile?: unknown;
  customData?: unknown;
  passwordHash?: string | null;
};

const columnsOf = (values: UserValues) => ({
  ...(values.username !== undefined && { username: values.username }),
  ...(values.primaryEmail !== undefined && { primary_email: values.primaryEmail }),
  ...(values.primaryPhone !== undefined && { primary_phone: values.primaryPhone }),
  ...(values.name !== undefined && { name: values.name }),
  ...(values.avatar !== undefined && { avatar: values.avatar }),
  ...(values.profile !== undefined && { profile: jsonb(values.profile) }),
  ...(values.customData !== undefined && { custom_data: jsonb(values.customData) }),
  ...(values.passwordHash !== undefined && { password_hash: values.passwordHash }),
});

export const createUserQueries = (db: Kysely<Database>, tenantId: string) => {
  const filtered = (search: string | undefined) => {
    let query = db.selectFrom('users').where('tenant_id', '=', tenantId);
    if (search) {
      const pattern = containsPattern(search);
      query = query.where((eb) =>
        eb.or([
          eb('username', 'ilike', pattern),
          eb('primary_email', 'ilike', pattern),
          eb('primary_phone', 'ilike', pattern),
          eb('name', 'ilike', pattern),
        ]),
      );
    }
    return query;
  };

  const findById = (id: string) =>
    db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  return {
    ...pagedListing(filtered),

    findById,

    /** Locks the row until the transaction ends (updates that check what the row holds). */
    lockById: (id: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst(),

    /**
     * The user with this (already normalised) identifier. Compared as the unique indexes do — `lower(username)`,
     * `lower(primary_email)`, `primary_phone` — so the lookup uses them and agrees with uniqueness.
     */
    findByIdentifier: (kind: IdentifierKind, value: string) => {
      const query = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
      const matching =
        kind === 'username'
          ? query.where(sql`lower(username)`, '=', value.toLowerCase())
          : kind === 'email'
            ? query.where(sql`lower(primary_email)`, '=', value.toLowerCase())
            : query.where('primary_phone', '=', value);
      return matching.executeTakeFirst();
    },

    insert: (id: string, values: UserValues) =>
      db
        .insertInto('users')
        .values({
          tenant_id: tenantId,
          id,
          username: values.username ?? null,
          primary_email: values.primaryEmail ?? null,
          primary_phone: values.primaryPhone ?? null,
          name: values.name ?? null,
          avatar: values.avatar ?? null,
          profile: jsonb(values.profile ?? {}),
          custom_data: jsonb(values.customData ?? {}),
          password_hash: values.passwordHash ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** Sets the columns given and `updated_at`; undefined when there is no such user. */
    update: (id: string, values: UserValues) =>
      db
        .updateTable('users')
        .set({ ...columnsOf(values), updated_at: sql<Date>`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),

    /** Replaces the password hash without touching `updated_at` (a rehash is not a change the user made). */
    setPasswordHash: async (id: string, passwordHash: string) =>
      Number(
        (
          await db
            .updateTable('users')
            .set({ password_hash: passwordHash })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    /** Replaces the hash only while it is still `expected`, so a rehash never overwrites a newer password. */
    replacePasswordHash: async (id: string, expected: string, passwordHash: string) =>
      Number(
        (
          await db
            .updateTable('users')
            .set({ password_hash: passwordHash })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .where('password_hash', '=', expected)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    setSuspended: (id: string, isSuspended: boolean) =>
      db
        .updateTable('users')
        .set({ is_suspended: isSuspended, updated_at: sql<Date>`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),

    touchLastSignIn: async (id: string) =>
      Number(
        (
          await db
            .updateTable('users')
            .set({ last_sign_in_at: sql<Date>`now()` })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    delete: async (id: string) =>
      (await db
        .deleteFrom('users')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst()) !== undefined,

    /** Gives a new user every default `User` role (Logto: default roles are assigned at creation). */
    assignDefaultRoles: async (userId: string) => {
      await db
        .insertInto('users_roles')
        .columns(['tenant_id', 'user_id', 'role_id'])
        .expression((eb) =>
          eb
            .selectFrom('roles')
            .select([eb.val(tenantId).as('tenant_id'), eb.val(userId).as('user_id'), 'id'])
            .where('tenant_id', '=', tenantId)
            .where('is_default', '=', true)
            .where('type', '=', 'User'),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    /**
     * Deletes what oidc-provider stored for the account — sessions, grants, codes, tokens (every model whose
     * payload names it) — so nothing issued to the user outlives a suspension or a deletion. Indexed (0004).
     */
    revokeOidcArtifacts: async (userId: string) => {
      const result = await db
        .deleteFrom('oidc_model_instances')
        .where('tenant_id', '=', tenantId)
        .where(sql`payload ->> 'accountId'`, '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
};

export type UserQueries = ReturnType<typeof createUserQueries>;
