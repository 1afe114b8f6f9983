import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import { Role, RoleIds, UserParams, UserRoleParams } from '../domain/roles/roles.schemas.ts';
import { createRoleService } from '../domain/roles/roles.service.ts';
import { created, del, get, noContent, post } from '../http/routes.ts';
import { managementAuditOrigin } from './audit-context.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/**
 * Management API: a user's roles, seen from the user (Logto's `/api/users/:userId/roles`). The same assignments
 * as `/api/roles/:id/users`, with the same rules and the same audit entries (`role.user_assigned`,
 * `role.user_removed`, one per role, carrying the user's id).
 */
export const userRoleRoutes = defineManagementRoutes('/api/users', (registry) => {
  const roles = createRoleService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
  });
  const { audit } = registry;

  return [
    get(
      '/:userId/roles',
      {
        params: UserParams,
        query: PageQuery,
        response: z.array(Role),
        status: [200, 400, 404],
        summary: 'List the roles of a user',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => roles.countRolesOfUser(params.userId),
          list: (range) => roles.listRolesOfUser(params.userId, range),
        }),
    ),
    post(
      '/:userId/roles',
      {
        params: UserParams,
        body: RoleIds,
        response: z.array(Role),
        status: [201, 400, 404],
        summary: 'Assign user roles to a user (already assigned ones are left as they are)',
      },
      async ({ ctx, params, body }) => {
        const assigned = await roles.assignRolesToUser(params.userId, body.roleIds);
        for (const role of assigned) {
          await audit.record({
            action: 'role.user_assigned',
            userId: params.userId,
            data: { roleId: role.id },
            ...managementAuditOrigin(ctx),
          });
        }
        return created(assigned);
      },
    ),
    del(
      '/:userId/roles/:roleId',
      {
        params: UserRoleParams,
        status: [204, 400, 403, 404],
        summary: 'Remove a role from a user (not the last console administrator)',
      },
      async ({ ctx, params }) => {
        await roles.unassignUser(params.roleId, params.userId);
        await audit.record({
          action: 'role.user_removed',
          userId: params.userId,
          data: { roleId: params.roleId },
          ...managementAuditOrigin(ctx),
        });
        return noContent();
      },
    ),
  ];
});
