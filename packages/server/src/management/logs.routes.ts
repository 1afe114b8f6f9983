import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import { AuditLog, AuditLogFilter, AuditLogParams, checkTimeRange } from '../domain/audit/audit.schemas.ts';
import { createAuditLogReader } from '../domain/audit/audit.service.ts';
import { get, ok } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/**
 * Management API: the audit log (issue 6 item 5, docs/audit-log.md), Logto's `/api/logs` paths, query names and
 * entry shape. Read only: entries are written where the audited thing happens.
 */
export const logRoutes = defineManagementRoutes('/api/logs', (registry) => {
  const logs = createAuditLogReader({ db: registry.db.kysely, tenantId: defaultTenantId });

  return [
    get(
      '',
      {
        query: PageQuery.extend(AuditLogFilter.shape).superRefine(checkTimeRange),
        response: z.array(AuditLog),
        status: [200, 400],
        summary: 'List audit log entries, newest first (who read or changed which secret or identity)',
      },
      ({ query: { page, page_size, ...filter } }) =>
        paginated(
          { page, page_size },
          { count: () => logs.count(filter), list: (range) => logs.list(filter, range) },
        ),
    ),
    get(
      '/:id',
      { params: AuditLogParams, response: AuditLog, status: [200, 404], summary: 'Get an audit log entry' },
      async ({ params }) => ok(await logs.get(params.id)),
    ),
  ];
});
