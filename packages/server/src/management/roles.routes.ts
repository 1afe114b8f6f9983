import type { Context } from 'koa';
import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import { Application } from '../domain/applications/applications.schemas.ts';
import { Scope } from '../domain/resources/resources.schemas.ts';
import {
  ApplicationIds,
  CreateRole,
  Role,
  RoleApplicationParams,
  RoleFilter,
  RoleParams,
  RoleScope,
  RoleScopeParams,
  RoleUserParams,
  ScopeIds,
  UpdateRole,
  UserIds,
  UserSummary,
} from '../domain/roles/roles.schemas.ts';
import { createRoleService } from '../domain/roles/roles.service.ts';
import { created, del, get, noContent, ok, patch, post } from '../http/routes.ts';
import { managementAuditOrigin } from './audit-context.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/** Management API: roles and what they link (scopes, users, machine-to-machine apps). Logto's paths and shapes. */
export const roleRoutes = defineManagementRoutes('/api/roles', (registry) => {
  const roles = createRoleService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
  });
  const { audit } = registry;
  /**
   * Who grants what is part of the audit log (docs/audit-log.md): a role's scopes decide what its holders may do
   * (e.g. read stored provider tokens with `identity-tokens:read`). One entry per user, so `?userId=` finds it.
   */
  const audited = async (
    ctx: Context,
    action: string,
    data: Record<string, string>,
    userIds: Array<string | undefined> = [undefined],
  ) => {
    for (const userId of userIds) await audit.record({ action, userId, data, ...managementAuditOrigin(ctx) });
  };

  return [
    get(
      '',
      {
        query: PageQuery.extend(RoleFilter.shape),
        response: z.array(Role),
        status: [200, 400],
        summary: 'List roles',
      },
      ({ query: { type, search, ...page } }) =>
        paginated(page, {
          count: () => roles.count({ type, search }),
          list: (range) => roles.list({ type, search }, range),
        }),
    ),
    post(
      '',
      { body: CreateRole, response: Role, status: [201, 400, 404, 409], summary: 'Create a role' },
      async ({ body }) => created(await roles.create(body)),
    ),
    get(
      '/:id',
      { params: RoleParams, response: Role, status: [200, 404], summary: 'Get a role' },
      async ({ params }) => ok(await roles.get(params.id)),
    ),
    patch(
      '/:id',
      {
        params: RoleParams,
        body: UpdateRole,
        response: Role,
        status: [200, 400, 404, 409],
        summary: 'Update a role (the type cannot change)',
      },
      async ({ params, body }) => ok(await roles.update(params.id, body)),
    ),
    del(
      '/:id',
      { params: RoleParams, status: [204, 403, 404], summary: 'Delete a role (not a built-in one)' },
      async ({ params }) => {
        await roles.remove(params.id);
        return noContent();
      },
    ),

    get(
      '/:id/scopes',
      {
        params: RoleParams,
        query: PageQuery,
        response: z.array(RoleScope),
        status: [200, 400, 404],
        summary: 'List the scopes a role grants, with their API resources',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => roles.countScopes(params.id),
          list: (range) => roles.listScopes(params.id, range),
        }),
    ),
    post(
      '/:id/scopes',
      {
        params: RoleParams,
        body: ScopeIds,
        response: z.array(Scope),
        status: [201, 400, 404],
        summary: 'Grant scopes through a role (already granted ones are left as they are)',
      },
      async ({ ctx, params, body }) => {
        const granted = await roles.assignScopes(params.id, body.scopeIds);
        await audited(ctx, 'role.scopes_granted', { roleId: params.id, scopeIds: body.scopeIds.join(',') });
        return created(granted);
      },
    ),
    del(
      '/:id/scopes/:scopeId',
      { params: RoleScopeParams, status: [204, 403, 404], summary: 'Stop granting a scope through a role' },
      async ({ ctx, params }) => {
        await roles.unassignScope(params.id, params.scopeId);
        await audited(ctx, 'role.scope_revoked', { roleId: params.id, scopeId: params.scopeId });
        return noContent();
      },
    ),

    get(
      '/:id/users',
      {
        params: RoleParams,
        query: PageQuery,
        response: z.array(UserSummary),
        status: [200, 400, 404],
        summary: 'List the users who have a role',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => roles.countUsers(params.id),
          list: (range) => roles.listUsers(params.id, range),
        }),
    ),
    post(
      '/:id/users',
      {
        params: RoleParams,
        body: UserIds,
        response: z.array(UserSummary),
        status: [201, 400, 404],
        summary: 'Assign a user role to users (already assigned ones are left as they are)',
      },
      async ({ ctx, params, body }) => {
        const assigned = await roles.assignUsers(params.id, body.userIds);
        await audited(ctx, 'role.user_assigned', { roleId: params.id }, body.userIds);
        return created(assigned);
      },
    ),
    del(
      '/:id/users/:userId',
      {
        params: RoleUserParams,
        status: [204, 400, 403, 404],
        summary: 'Remove a user role from a user (not the last console administrator)',
      },
      async ({ ctx, params }) => {
        await roles.unassignUser(params.id, params.userId);
        await audited(ctx, 'role.user_removed', { roleId: params.id }, [params.userId]);
        return noContent();
      },
    ),

    get(
      '/:id/applications',
      {
        params: RoleParams,
        query: PageQuery,
        response: z.array(Application),
        status: [200, 400, 404],
        summary: 'List the machine-to-machine applications that have a role',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => roles.countApplications(params.id),
          list: (range) => roles.listApplications(params.id, range),
        }),
    ),
    post(
      '/:id/applications',
      {
        params: RoleParams,
        body: ApplicationIds,
        response: z.array(Application),
        status: [201, 400, 404],
        summary: 'Assign a machine-to-machine role to machine-to-machine applications',
      },
      async ({ ctx, params, body }) => {
        const assigned = await roles.assignApplications(params.id, body.applicationIds);
        await audited(ctx, 'role.applications_assigned', {
          roleId: params.id,
          applicationIds: body.applicationIds.join(','),
        });
        return created(assigned);
      },
    ),
    del(
      '/:id/applications/:applicationId',
      {
        params: RoleApplicationParams,
        status: [204, 400, 404],
        summary: 'Remove a machine-to-machine role from an application',
      },
      async ({ ctx, params }) => {
        await roles.unassignApplication(params.id, params.applicationId);
        await audited(ctx, 'role.application_removed', {
          roleId: params.id,
          applicationId: params.applicationId,
        });
        return noContent();
      },
    ),
  ];
});
