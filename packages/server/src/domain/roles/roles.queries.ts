import type { Kysely, Selectable } from 'kysely';
import type { Database, RolesTable } from '../../db/schema.ts';
import { containsPattern, type Page } from '../shared.ts';
import type { RoleFilter } from './roles.schemas.ts';

/**
 * SQL for roles and their links to scopes, users and applications. No policy here. The `lock*` lookups take
 * `FOR KEY SHARE` locks: until the transaction ends, the rows found cannot be deleted, so the links inserted
 * next cannot fail on a foreign key because of a concurrent delete.
 */

export type RoleRow = Selectable<RolesTable>;

const countOf = (row: { count: string | number | bigint }) => Number(row.count);

export const createRoleQueries = (db: Kysely<Database>, tenantId: string) => {
  const filtered = (filter: RoleFilter) => {
    let query = db.selectFrom('roles').where('tenant_id', '=', tenantId);
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.search) query = query.where('name', 'ilike', containsPattern(filter.search));
    return query;
  };
  const findById = (id: string) =>
    db
      .selectFrom('roles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  /** Scopes granted by a role, joined with their resources. */
  const scopesOfRole = (roleId: string) =>
    db
      .selectFrom('roles_scopes as rs')
      .innerJoin('scopes as s', (join) =>
        join.onRef('s.tenant_id', '=', 'rs.tenant_id').onRef('s.id', '=', 'rs.scope_id'),
      )
      .innerJoin('resources as r', (join) =>
        join.onRef('r.tenant_id', '=', 's.tenant_id').onRef('r.id', '=', 's.resource_id'),
      )
      .where('rs.tenant_id', '=', tenantId)
      .where('rs.role_id', '=', roleId);

  const usersOfRole = (roleId: string) =>
    db
      .selectFrom('users_roles as ur')
      .innerJoin('users as u', (join) =>
        join.onRef('u.tenant_id', '=', 'ur.tenant_id').onRef('u.id', '=', 'ur.user_id'),
      )
      .where('ur.tenant_id', '=', tenantId)
      .where('ur.role_id', '=', roleId);

  const applicationsOfRole = (roleId: string) =>
    db
      .selectFrom('applications_roles as ar')
      .innerJoin('applications as a', (join) =>
        join.onRef('a.tenant_id', '=', 'ar.tenant_id').onRef('a.id', '=', 'ar.application_id'),
      )
      .where('ar.tenant_id', '=', tenantId)
      .where('ar.role_id', '=', roleId);

  const rolesOfUser = (userId: string) =>
    db
      .selectFrom('users_roles as ur')
      .innerJoin('roles as r', (join) =>
        join.onRef('r.tenant_id', '=', 'ur.tenant_id').onRef('r.id', '=', 'ur.role_id'),
      )
      .where('ur.tenant_id', '=', tenantId)
      .where('ur.user_id', '=', userId);

  const rolesOfApplication = (applicationId: string) =>
    db
      .selectFrom('applications_roles as ar')
      .innerJoin('roles as r', (join) =>
        join.onRef('r.tenant_id', '=', 'ar.tenant_id').onRef('r.id', '=', 'ar.role_id'),
      )
      .where('ar.tenant_id', '=', tenantId)
      .where('ar.application_id', '=', applicationId);

  return {
    count: async (filter: RoleFilter) =>
      countOf(
        await filtered(filter)
          .select((eb) => eb.fn.countAll().as('count'))
          .executeTakeFirstOrThrow(),
      ),

    list: (filter: RoleFilter, page: Page) =>
      filtered(filter)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),

    findById,

    lockById: (id: string) =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forKeyShare()
        .executeTakeFirst(),

    /** `FOR UPDATE`: serialises the changes that must see the role's members as they are (the last administrator). */
    lockForUpdate: (id: string) =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst(),

    lockByIds: (ids: string[]) =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids)
        .forKeyShare()
        .execute(),

    insert: (row: {
      id: string;
      name: string;
      description: string;
      type: RoleRow['type'];
      isDefault: boolean;
    }) =>
      db
        .insertInto('roles')
        .values({
          tenant_id: tenantId,
          id: row.id,
          name: row.name,
          description: row.description,
          type: row.type,
          is_default: row.isDefault,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** Sets the fields given; with none, just reads the row. */
    update: (id: string, set: { name?: string; description?: string; isDefault?: boolean }) => {
      const values = {
        ...(set.name !== undefined && { name: set.name }),
        ...(set.description !== undefined && { description: set.description }),
        ...(set.isDefault !== undefined && { is_default: set.isDefault }),
      };
      if (Object.keys(values).length === 0) return findById(id);
      return db
        .updateTable('roles')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    delete: async (id: string) =>
      (await db
        .deleteFrom('roles')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst()) !== undefined,

    scopes: {
      count: async (roleId: string) =>
        countOf(
          await scopesOfRole(roleId)
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow(),
        ),

      list: (roleId: string, page: Page) =>
        scopesOfRole(roleId)
          .select([
            's.id',
            's.resource_id',
            's.name',
            's.description',
            's.created_at',
            'r.name as resource_name',
            'r.indicator as resource_indicator',
            'r.is_default as resource_is_default',
            'r.access_token_ttl as resource_access_token_ttl',
          ])
          .orderBy('r.indicator')
          .orderBy('s.name')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),

      lockByIds: (ids: string[]) =>
        db
          .selectFrom('scopes')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .forKeyShare()
          .execute(),

      /** Links the scopes to the role; links that exist already are left as they are. */
      link: async (roleId: string, scopeIds: string[]) => {
        if (scopeIds.length === 0) return;
        await db
          .insertInto('roles_scopes')
          .values(scopeIds.map((scopeId) => ({ tenant_id: tenantId, role_id: roleId, scope_id: scopeId })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      },

      unlink: async (roleId: string, scopeId: string) =>
        (await db
          .deleteFrom('roles_scopes')
          .where('tenant_id', '=', tenantId)
          .where('role_id', '=', roleId)
          .where('scope_id', '=', scopeId)
          .returning('scope_id')
          .executeTakeFirst()) !== undefined,
    },

    users: {
      count: async (roleId: string) =>
        countOf(
          await usersOfRole(roleId)
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow(),
        ),

      list: (roleId: string, page: Page) =>
        usersOfRole(roleId)
          .select(['u.id', 'u.username', 'u.primary_email', 'u.name'])
          .orderBy('u.created_at', 'desc')
          .orderBy('u.id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),

      lockByIds: (ids: string[]) =>
        db
          .selectFrom('users')
          .select(['id', 'username', 'primary_email', 'name'])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .forKeyShare()
          .execute(),

      exists: async (id: string) =>
        (await db
          .selectFrom('users')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst()) !== undefined,

      link: async (roleId: string, userIds: string[]) => {
        await db
          .insertInto('users_roles')
          .values(userIds.map((userId) => ({ tenant_id: tenantId, role_id: roleId, user_id: userId })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      },

      unlink: async (roleId: string, userId: string) =>
        (await db
          .deleteFrom('users_roles')
          .where('tenant_id', '=', tenantId)
          .where('role_id', '=', roleId)
          .where('user_id', '=', userId)
          .returning('user_id')
          .executeTakeFirst()) !== undefined,

      countRoles: async (userId: string) =>
        countOf(
          await rolesOfUser(userId)
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow(),
        ),

      listRoles: (userId: string, page: Page) =>
        rolesOfUser(userId)
          .selectAll('r')
          .orderBy('r.created_at', 'desc')
          .orderBy('r.id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
    },

    applications: {
      count: async (roleId: string) =>
        countOf(
          await applicationsOfRole(roleId)
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow(),
        ),

      list: (roleId: string, page: Page) =>
        applicationsOfRole(roleId)
          .selectAll('a')
          .orderBy('a.created_at', 'desc')
          .orderBy('a.id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),

      lockByIds: (ids: string[]) =>
        db
          .selectFrom('applications')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .forKeyShare()
          .execute(),

      /** Links every pair; pairs that exist already are left as they are. */
      link: async (pairs: Array<{ roleId: string; applicationId: string }>) => {
        await db
          .insertInto('applications_roles')
          .values(
            pairs.map(({ roleId, applicationId }) => ({
              tenant_id: tenantId,
              role_id: roleId,
              application_id: applicationId,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      },

      unlink: async (roleId: string, applicationId: string) =>
        (await db
          .deleteFrom('applications_roles')
          .where('tenant_id', '=', tenantId)
          .where('role_id', '=', roleId)
          .where('application_id', '=', applicationId)
          .returning('role_id')
          .executeTakeFirst()) !== undefined,

      countRoles: async (applicationId: string) =>
        countOf(
          await rolesOfApplication(applicationId)
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow(),
        ),

      listRoles: (applicationId: string, page: Page) =>
        rolesOfApplication(applicationId)
          .selectAll('r')
          .orderBy('r.created_at', 'desc')
          .orderBy('r.id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
    },
  };
};

export type RoleQueries = ReturnType<typeof createRoleQueries>;
