import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import { id } from '../domain/shared.ts';
import { ApiError } from '../http/errors.ts';
import { noContent, post } from '../http/routes.ts';
import type { Logger } from '../observability/logger.ts';
import { createLockout } from '../security/lockout.ts';
import { managementAuditOrigin } from './audit-context.ts';
import { defineManagementRoutes } from './guard.ts';

/** Management API: lifting an account lockout (SECURITY-TESTS B3: admin unlock is audited). */
export const lockoutRoutes = defineManagementRoutes('/api/users', (registry) => {
  const lockout = createLockout({ db: registry.db.kysely, tenantId: defaultTenantId });
  const { audit } = registry;
  return [
    post(
      '/:id/unlock',
      {
        params: z.object({ id: id() }),
        status: [204, 404],
        summary: 'Unlock a user locked out by failed sign-in attempts, and forget the failures (audited)',
      },
      async ({ params, ctx }) => {
        if (!(await lockout.unlock(params.id))) throw new ApiError('user.not_found', { id: params.id });
        const origin = managementAuditOrigin(ctx);
        // In the audit log (GET /api/logs, docs/audit-log.md) and, as before, on the log stream.
        await audit.record({ action: 'user.unlocked', ...origin, userId: params.id });
        (ctx.state.log as Logger).info(
          { audit: 'user.unlocked', userId: params.id, actor: origin.actor.id },
          'account unlocked by an administrator',
        );
        return noContent();
      },
    ),
  ];
});
