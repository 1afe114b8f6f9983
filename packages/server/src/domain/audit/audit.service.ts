import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { epochMs, type Page } from '../shared.ts';
import { type AuditLogQueryFilter, type AuditLogRow, createAuditLogQueries } from './audit.queries.ts';
import type { AuditLog, AuditLogFilter } from './audit.schemas.ts';

/**
 * Reading the audit log (issue 6 item 5) for the Management API. Entries are written by audit/audit-log.ts and
 * never changed; nothing here writes.
 */

// docs/audit-log.md: refusals and failures are named `<what>_denied` / `<what>_failed`.
const failure = /_(denied|failed)$/;

const scalarsOf = (data: unknown): Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};

/** A row in Logto's log shape (audit.schemas.ts); columns without a value are left out. */
export const toAuditLog = (row: AuditLogRow): AuditLog => ({
  id: row.id,
  key: row.action,
  payload: {
    key: row.action,
    result: failure.test(row.action) ? 'Error' : 'Success',
    actor: { type: row.actor_type, ...(row.actor_id !== null && { id: row.actor_id }) },
    ...(row.user_id !== null && { userId: row.user_id }),
    ...(row.actor_type === 'application' && row.actor_id !== null && { applicationId: row.actor_id }),
    ...(row.target !== null && { target: row.target }),
    ...(row.ip !== null && { ip: row.ip }),
    ...(row.user_agent !== null && { userAgent: row.user_agent }),
    params: scalarsOf(row.data),
  },
  createdAt: epochMs(row.created_at),
});

/**
 * The API filter as SQL bounds. Times are answered in whole milliseconds (truncated), so "createdAt after
 * `start_time`" is `created_at >= start_time + 1 ms`, and "before `end_time`" is `created_at < end_time`: what a
 * client sees and what it filters on agree, microseconds aside.
 */
const toQueryFilter = (filter: AuditLogFilter): AuditLogQueryFilter => ({
  userId: filter.userId,
  action: filter.logKey,
  target: filter.target,
  actorId: filter.actorId,
  applicationId: filter.applicationId,
  from: filter.start_time === undefined ? undefined : new Date(filter.start_time + 1),
  before: filter.end_time === undefined ? undefined : new Date(filter.end_time),
});

export const createAuditLogReader = ({ db, tenantId }: { db: Kysely<Database>; tenantId: string }) => {
  const queries = createAuditLogQueries(db, tenantId);
  return {
    count: (filter: AuditLogFilter) => queries.count(toQueryFilter(filter)),

    /** One page of the matching entries, newest first. */
    list: async (filter: AuditLogFilter, page: Page): Promise<AuditLog[]> =>
      (await queries.list(toQueryFilter(filter), page)).map(toAuditLog),

    /** 404 `log.not_found`. */
    get: async (id: string): Promise<AuditLog> => {
      const row = await queries.findById(id);
      if (!row) throw new ApiError('log.not_found', { id });
      return toAuditLog(row);
    },
  };
};

export type AuditLogReader = ReturnType<typeof createAuditLogReader>;
