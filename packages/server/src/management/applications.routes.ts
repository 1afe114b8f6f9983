import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import {
  Application,
  ApplicationParams,
  ApplicationType,
  CreateApplication,
  CreatedApplication,
  CreatedSecret,
  CreateSecret,
  RenameSecret,
  SecretParams,
  SecretSummary,
  UpdateApplication,
} from '../domain/applications/applications.schemas.ts';
import { createApplicationService } from '../domain/applications/applications.service.ts';
import { ApplicationRoleParams, Role, RoleIds } from '../domain/roles/roles.schemas.ts';
import { createRoleService } from '../domain/roles/roles.service.ts';
import { freeText } from '../domain/shared.ts';
import { created, del, get, noContent, ok, patch, post, type Reply } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

// `types=SPA,Native` and `types=SPA&types=Native` both filter on several types.
const commaSeparated = (value: unknown) =>
  (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).filter(Boolean);

const ListApplicationsQuery = PageQuery.extend({
  types: z.preprocess(commaSeparated, z.array(ApplicationType).max(8)).optional(),
  search: freeText(256).optional().describe('Part of the application name, case-insensitive.'),
});

// A response that carries a secret value must not be kept by any cache.
const uncached = (reply: Reply): Reply => ({
  ...reply,
  headers: { ...reply.headers, 'Cache-Control': 'no-store' },
});

/** Management API: applications (SPEC §3), their secrets and their roles. Logto's paths and shapes. */
export const applicationRoutes = defineManagementRoutes('/api/applications', (registry) => {
  const deps = { db: registry.db.kysely, changes: registry.changes, tenantId: defaultTenantId };
  const applications = createApplicationService(deps);
  const roles = createRoleService(deps);

  return [
    get(
      '',
      {
        query: ListApplicationsQuery,
        response: z.array(Application),
        status: [200, 400],
        summary: 'List applications',
      },
      ({ query: { types, search, ...page } }) =>
        paginated(page, {
          count: () => applications.count({ types, search }),
          list: (range) => applications.list({ types, search }, range),
        }),
    ),
    post(
      '',
      {
        body: CreateApplication,
        response: CreatedApplication,
        status: [201, 400],
        summary: 'Create an application; a confidential one gets a secret, shown in this response only',
      },
      async ({ body }) => uncached(created(await applications.create(body))),
    ),
    get(
      '/:id',
      { params: ApplicationParams, response: Application, status: [200, 404], summary: 'Get an application' },
      async ({ params }) => ok(await applications.get(params.id)),
    ),
    patch(
      '/:id',
      {
        params: ApplicationParams,
        body: UpdateApplication,
        response: Application,
        status: [200, 400, 404],
        summary: 'Update an application (metadata objects are merged key by key)',
      },
      async ({ params, body }) => ok(await applications.update(params.id, body)),
    ),
    del(
      '/:id',
      { params: ApplicationParams, status: [204, 404], summary: 'Delete an application' },
      async ({ params }) => {
        await applications.remove(params.id);
        return noContent();
      },
    ),

    get(
      '/:id/secrets',
      {
        params: ApplicationParams,
        response: z.array(SecretSummary),
        status: [200, 404],
        summary: 'List the secrets of an application (names and dates, never values)',
      },
      async ({ params }) => ok(await applications.listSecrets(params.id)),
    ),
    post(
      '/:id/secrets',
      {
        params: ApplicationParams,
        body: CreateSecret,
        response: CreatedSecret,
        status: [201, 400, 404, 409, 422],
        summary: 'Add a secret; its value is shown in this response only',
      },
      async ({ params, body }) => uncached(created(await applications.createSecret(params.id, body))),
    ),
    patch(
      '/:id/secrets/:name',
      {
        params: SecretParams,
        body: RenameSecret,
        response: SecretSummary,
        status: [200, 400, 404, 409],
        summary: 'Rename a secret',
      },
      async ({ params, body }) => ok(await applications.renameSecret(params.id, params.name, body.name)),
    ),
    del(
      '/:id/secrets/:name',
      { params: SecretParams, status: [204, 404], summary: 'Delete a secret' },
      async ({ params }) => {
        await applications.deleteSecret(params.id, params.name);
        return noContent();
      },
    ),

    get(
      '/:id/roles',
      {
        params: ApplicationParams,
        query: PageQuery,
        response: z.array(Role),
        status: [200, 400, 404],
        summary: 'List the roles of a machine-to-machine application',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => roles.countRolesOfApplication(params.id),
          list: (range) => roles.listRolesOfApplication(params.id, range),
        }),
    ),
    post(
      '/:id/roles',
      {
        params: ApplicationParams,
        body: RoleIds,
        response: z.array(Role),
        status: [201, 400, 404],
        summary: 'Assign machine-to-machine roles to a machine-to-machine application',
      },
      async ({ params, body }) => created(await roles.assignRolesToApplication(params.id, body.roleIds)),
    ),
    del(
      '/:id/roles/:roleId',
      { params: ApplicationRoleParams, status: [204, 404], summary: 'Remove a role from an application' },
      async ({ params }) => {
        await roles.unassignRoleFromApplication(params.id, params.roleId);
        return noContent();
      },
    ),
  ];
});
