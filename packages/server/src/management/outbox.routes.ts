import { z } from 'zod';
import { OutboxFilter, OutboxMessage } from '../connectors/email/outbox.schemas.ts';
import { createOutbox } from '../connectors/email/outbox.ts';
import { defaultTenantId } from '../db/schema.ts';
import { del, get, noContent } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/**
 * Development and testing aid: the messages the outbox email sender kept instead of delivering (when no SMTP
 * server is configured). Guarded like every Management API route: the messages hold sign-in codes.
 */
export const outboxRoutes = defineManagementRoutes('/api/outbox', (registry) => {
  const outbox = createOutbox({ db: registry.db.kysely, tenantId: defaultTenantId });
  return [
    get(
      '',
      {
        query: PageQuery.extend(OutboxFilter.shape),
        response: z.array(OutboxMessage),
        status: [200, 400],
        summary: 'List the emails kept by the development outbox, newest first',
      },
      ({ query }) =>
        paginated(query, {
          count: () => outbox.count(query.to),
          list: (page) => outbox.list(query.to, page),
        }),
    ),
    del(
      '',
      {
        query: OutboxFilter,
        status: [204, 400],
        summary: 'Empty the development outbox (or only the messages to `to`)',
      },
      async ({ query }) => {
        await outbox.clear(query.to);
        return noContent();
      },
    ),
  ];
});
