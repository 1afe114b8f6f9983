import type { Kysely, Selectable } from 'kysely';
import type { AuditLogsTable, Database } from '../../db/schema.ts';
import { pagedListing } from '../shared.ts';

/** SQL for reading the audit log (the writer is audit/audit-log.ts). No policy here: `find*` may return `undefined`. */

export type AuditLogRow = Selectable<AuditLogsTable>;

export type AuditLogQueryFilter = {
  userId?: string | undefined;
  action?: string | undefined;
  /** The actor's id, whatever its type. */
  actorId?: string | undefined;
  /** The actor's id, the actor being an application. */
  applicationId?: string | undefined;
  target?: string | undefined;
  /** Inclusive lower bound of `created_at`. */
  from?: Date | undefined;
  /** Exclusive upper bound of `created_at`. */
  before?: Date | undefined;
};

export const createAuditLogQueries = (db: Kysely<Database>, tenantId: string) => {
  const filtered = (filter: AuditLogQueryFilter) => {
    let query = db.selectFrom('audit_logs').where('tenant_id', '=', tenantId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.applicationId !== undefined) {
      query = query.where('actor_type', '=', 'application').where('actor_id', '=', filter.applicationId);
    }
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.before !== undefined) query = query.where('created_at', '<', filter.before);
    return query;
  };

  return {
    /** `count` and a newest-first `list` page of the entries matching a filter. */
    ...pagedListing(filtered),

    findById: (id: string) =>
      db
        .selectFrom('audit_logs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
  };
};

export type AuditLogQueries = ReturnType<typeof createAuditLogQueries>;
