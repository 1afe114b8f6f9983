import { type Kysely, type Selectable, sql } from 'kysely';
import type { ConnectorsTable, ConnectorType, Database } from '../../db/schema.ts';
import { jsonb, pagedListing } from '../shared.ts';

/** SQL for connectors. No policy here: `find*` may return `undefined`. */

export type ConnectorRow = Selectable<ConnectorsTable>;
export type ConnectorRowFilter = { target?: string };

export const createConnectorQueries = (db: Kysely<Database>, tenantId: string) => {
  const filtered = (filter: ConnectorRowFilter) => {
    let query = db.selectFrom('connectors').where('tenant_id', '=', tenantId);
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    return query;
  };

  const findById = (id: string) =>
    db
      .selectFrom('connectors')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  return {
    ...pagedListing(filtered),

    findById,

    findByTarget: (target: string) =>
      db
        .selectFrom('connectors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('target', '=', target)
        .executeTakeFirst(),

    /** The connectors of type `type` with one of `targets` (any order). */
    listByTargets: (type: ConnectorType, targets: readonly string[]) =>
      targets.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('connectors')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('type', '=', type)
            .where('target', 'in', targets)
            .execute(),

    /** The tenant's connector of a type there is at most one of (Email, Sms). */
    findOfType: (type: ConnectorType) =>
      db
        .selectFrom('connectors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('type', '=', type)
        .orderBy('created_at')
        .executeTakeFirst(),

    /** Locks the row until the transaction ends (read-merge-write updates). */
    lockById: (id: string) =>
      db
        .selectFrom('connectors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst(),

    insert: (row: {
      id: string;
      connectorId: string;
      type: ConnectorType;
      target: string | null;
      config: unknown;
      sealedSecrets: string | null;
      metadata: unknown;
      syncProfile: boolean;
      enableTokenStorage: boolean;
    }) =>
      db
        .insertInto('connectors')
        .values({
          tenant_id: tenantId,
          id: row.id,
          connector_id: row.connectorId,
          type: row.type,
          target: row.target,
          config: jsonb(row.config),
          sealed_secrets: row.sealedSecrets,
          metadata: jsonb(row.metadata),
          sync_profile: row.syncProfile,
          enable_token_storage: row.enableTokenStorage,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    update: (
      id: string,
      set: {
        config: unknown;
        sealedSecrets: string | null;
        metadata: unknown;
        syncProfile: boolean;
        enableTokenStorage: boolean;
      },
    ) =>
      db
        .updateTable('connectors')
        .set({
          config: jsonb(set.config),
          sealed_secrets: set.sealedSecrets,
          metadata: jsonb(set.metadata),
          sync_profile: set.syncProfile,
          enable_token_storage: set.enableTokenStorage,
          updated_at: sql<Date>`now()`,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),

    delete: (id: string) =>
      db
        .deleteFrom('connectors')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
  };
};

export type ConnectorQueries = ReturnType<typeof createConnectorQueries>;
