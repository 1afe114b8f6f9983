import type { Kysely, Selectable } from 'kysely';
import type {
  ApplicationSecretsTable,
  ApplicationsTable,
  ApplicationType,
  Database,
} from '../../db/schema.ts';
import { containsPattern, jsonb, pagedListing } from '../shared.ts';

/** SQL for applications and their secrets. No policy here: `find*` may return `undefined`. */

export type ApplicationRow = Selectable<ApplicationsTable>;
export type ApplicationSecretRow = Selectable<ApplicationSecretsTable>;
export type ApplicationFilter = { types?: ApplicationType[]; search?: string };

export const createApplicationQueries = (db: Kysely<Database>, tenantId: string) => {
  const filtered = (filter: ApplicationFilter) => {
    let query = db.selectFrom('applications').where('tenant_id', '=', tenantId);
    if (filter.types && filter.types.length > 0) query = query.where('type', 'in', filter.types);
    if (filter.search) query = query.where('name', 'ilike', containsPattern(filter.search));
    return query;
  };

  const findById = (id: string) =>
    db
      .selectFrom('applications')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  return {
    ...pagedListing(filtered),

    findById,

    /** Locks the row until the transaction ends, so concurrent changes to its secrets are serialised. */
    lockById: (id: string) =>
      db
        .selectFrom('applications')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst(),

    insert: (row: {
      id: string;
      name: string;
      description: string | null;
      type: ApplicationType;
      oidcClientMetadata: unknown;
      customClientMetadata: unknown;
      isThirdParty: boolean;
    }) =>
      db
        .insertInto('applications')
        .values({
          tenant_id: tenantId,
          id: row.id,
          name: row.name,
          description: row.description,
          type: row.type,
          oidc_client_metadata: jsonb(row.oidcClientMetadata),
          custom_client_metadata: jsonb(row.customClientMetadata),
          is_third_party: row.isThirdParty,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** Sets the fields given; with none, just reads the row. */
    update: (
      id: string,
      set: {
        name?: string;
        description?: string | null;
        isThirdParty?: boolean;
        oidcClientMetadata?: unknown;
        customClientMetadata?: unknown;
      },
    ) => {
      const values = {
        ...(set.name !== undefined && { name: set.name }),
        ...(set.description !== undefined && { description: set.description }),
        ...(set.isThirdParty !== undefined && { is_third_party: set.isThirdParty }),
        ...(set.oidcClientMetadata !== undefined && {
          oidc_client_metadata: jsonb(set.oidcClientMetadata),
        }),
        ...(set.customClientMetadata !== undefined && {
          custom_client_metadata: jsonb(set.customClientMetadata),
        }),
      };
      if (Object.keys(values).length === 0) return findById(id);
      return db
        .updateTable('applications')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    delete: async (id: string) => {
      const row = await db
        .deleteFrom('applications')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    secrets: {
      list: (applicationId: string) =>
        db
          .selectFrom('application_secrets')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('application_id', '=', applicationId)
          .orderBy('created_at')
          .orderBy('name')
          .execute(),

      count: async (applicationId: string) => {
        const row = await db
          .selectFrom('application_secrets')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('tenant_id', '=', tenantId)
          .where('application_id', '=', applicationId)
          .executeTakeFirstOrThrow();
        return Number(row.count);
      },

      /** The secrets still valid at `now`: digest and expiry only. */
      listActive: async (applicationId: string, now: Date) => {
        const rows = await db
          .selectFrom('application_secrets')
          .select(['digest', 'expires_at'])
          .where('tenant_id', '=', tenantId)
          .where('application_id', '=', applicationId)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .execute();
        return rows.map((row) => ({ digest: row.digest, expiresAt: row.expires_at }));
      },

      insert: (row: { applicationId: string; name: string; digest: string; expiresAt: Date | null }) =>
        db
          .insertInto('application_secrets')
          .values({
            tenant_id: tenantId,
            application_id: row.applicationId,
            name: row.name,
            digest: row.digest,
            expires_at: row.expiresAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),

      rename: (applicationId: string, name: string, newName: string) =>
        db
          .updateTable('application_secrets')
          .set({ name: newName })
          .where('tenant_id', '=', tenantId)
          .where('application_id', '=', applicationId)
          .where('name', '=', name)
          .returningAll()
          .executeTakeFirst(),

      delete: async (applicationId: string, name: string) => {
        const row = await db
          .deleteFrom('application_secrets')
          .where('tenant_id', '=', tenantId)
          .where('application_id', '=', applicationId)
          .where('name', '=', name)
          .returning('name')
          .executeTakeFirst();
        return row !== undefined;
      },
    },
  };
};

export type ApplicationQueries = ReturnType<typeof createApplicationQueries>;
