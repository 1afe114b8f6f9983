import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, ResourcesTable, ScopesTable } from '../../db/schema.ts';
import type { Page } from '../shared.ts';

/** SQL for API resources and their scopes. No policy here: `find*` may return `undefined`. */

export type ResourceRow = Selectable<ResourcesTable>;
export type ScopeRow = Selectable<ScopesTable>;

export const createResourceQueries = (db: Kysely<Database>, tenantId: string) => {
  const findById = (id: string) =>
    db
      .selectFrom('resources')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  const scopes = db.selectFrom('scopes').where('tenant_id', '=', tenantId);
  const findScope = (resourceId: string, scopeId: string) =>
    scopes.selectAll().where('resource_id', '=', resourceId).where('id', '=', scopeId).executeTakeFirst();

  return {
    count: async () => {
      const row = await db
        .selectFrom('resources')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    list: (page: Page) =>
      db
        .selectFrom('resources')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),

    findById,

    /**
     * Serialises, per tenant, the transactions that change which resource is the default, so two of them
     * cannot each clear the other's flag and both set their own. Held until the transaction ends.
     */
    lockDefault: async () => {
      await sql`select pg_advisory_xact_lock(hashtext(${`gatehouse.resources.default:${tenantId}`}))`.execute(
        db,
      );
    },

    clearDefaultExcept: (id: string) =>
      db
        .updateTable('resources')
        .set({ is_default: false })
        .where('tenant_id', '=', tenantId)
        .where('is_default', '=', true)
        .where('id', '<>', id)
        .execute(),

    insert: (row: { id: string; name: string; indicator: string; accessTokenTtl: number }) =>
      db
        .insertInto('resources')
        .values({
          tenant_id: tenantId,
          id: row.id,
          name: row.name,
          indicator: row.indicator,
          access_token_ttl: row.accessTokenTtl,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** Sets the fields given; with none, just reads the row. */
    update: (id: string, set: { name?: string; accessTokenTtl?: number; isDefault?: boolean }) => {
      const values = {
        ...(set.name !== undefined && { name: set.name }),
        ...(set.accessTokenTtl !== undefined && { access_token_ttl: set.accessTokenTtl }),
        ...(set.isDefault !== undefined && { is_default: set.isDefault }),
      };
      if (Object.keys(values).length === 0) return findById(id);
      return db
        .updateTable('resources')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    delete: async (id: string) => {
      const row = await db
        .deleteFrom('resources')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    scopes: {
      count: async (resourceId: string) => {
        const row = await scopes
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('resource_id', '=', resourceId)
          .executeTakeFirstOrThrow();
        return Number(row.count);
      },

      list: (resourceId: string, page: Page) =>
        scopes
          .selectAll()
          .where('resource_id', '=', resourceId)
          .orderBy('created_at')
          .orderBy('id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),

      find: findScope,

      insert: (row: { id: string; resourceId: string; name: string; description: string | null }) =>
        db
          .insertInto('scopes')
          .values({
            tenant_id: tenantId,
            id: row.id,
            resource_id: row.resourceId,
            name: row.name,
            description: row.description,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),

      update: (resourceId: string, scopeId: string, set: { name?: string; description?: string | null }) => {
        const values = {
          ...(set.name !== undefined && { name: set.name }),
          ...(set.description !== undefined && { description: set.description }),
        };
        if (Object.keys(values).length === 0) return findScope(resourceId, scopeId);
        return db
          .updateTable('scopes')
          .set(values)
          .where('tenant_id', '=', tenantId)
          .where('resource_id', '=', resourceId)
          .where('id', '=', scopeId)
          .returningAll()
          .executeTakeFirst();
      },

      delete: async (resourceId: string, scopeId: string) => {
        const row = await db
          .deleteFrom('scopes')
          .where('tenant_id', '=', tenantId)
          .where('resource_id', '=', resourceId)
          .where('id', '=', scopeId)
          .returning('id')
          .executeTakeFirst();
        return row !== undefined;
      },
    },
  };
};

export type ResourceQueries = ReturnType<typeof createResourceQueries>;
