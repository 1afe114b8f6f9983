import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import {
  CreateResource,
  CreateScope,
  Resource,
  ResourceParams,
  Scope,
  ScopeParams,
  SetDefaultResource,
  UpdateResource,
  UpdateScope,
} from '../domain/resources/resources.schemas.ts';
import { createResourceService } from '../domain/resources/resources.service.ts';
import { created, del, get, noContent, ok, patch, post } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/** Management API: API resources (RFC 8707) and their scopes. Logto's paths and shapes. */
export const resourceRoutes = defineManagementRoutes('/api/resources', (registry) => {
  const resources = createResourceService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
  });

  return [
    get(
      '',
      { query: PageQuery, response: z.array(Resource), status: [200, 400], summary: 'List API resources' },
      ({ query }) =>
        paginated(query, { count: () => resources.count(), list: (range) => resources.list(range) }),
    ),
    post(
      '',
      {
        body: CreateResource,
        response: Resource,
        status: [201, 400, 409],
        summary: 'Create an API resource',
      },
      async ({ body }) => created(await resources.create(body)),
    ),
    get(
      '/:id',
      { params: ResourceParams, response: Resource, status: [200, 404], summary: 'Get an API resource' },
      async ({ params }) => ok(await resources.get(params.id)),
    ),
    patch(
      '/:id',
      {
        params: ResourceParams,
        body: UpdateResource,
        response: Resource,
        status: [200, 400, 403, 404],
        summary: 'Update an API resource (the indicator cannot change)',
      },
      async ({ params, body }) => ok(await resources.update(params.id, body)),
    ),
    patch(
      '/:id/is-default',
      {
        params: ResourceParams,
        body: SetDefaultResource,
        response: Resource,
        status: [200, 400, 403, 404],
        summary: 'Make an API resource the default one, or not',
      },
      async ({ params, body }) => ok(await resources.update(params.id, { isDefault: body.isDefault })),
    ),
    del(
      '/:id',
      {
        params: ResourceParams,
        status: [204, 403, 404],
        summary: 'Delete an API resource with its scopes (not the built-in Management API)',
      },
      async ({ params }) => {
        await resources.remove(params.id);
        return noContent();
      },
    ),

    get(
      '/:id/scopes',
      {
        params: ResourceParams,
        query: PageQuery,
        response: z.array(Scope),
        status: [200, 400, 404],
        summary: 'List the scopes of an API resource',
      },
      ({ params, query }) =>
        paginated(query, {
          count: () => resources.countScopes(params.id),
          list: (range) => resources.listScopes(params.id, range),
        }),
    ),
    post(
      '/:id/scopes',
      {
        params: ResourceParams,
        body: CreateScope,
        response: Scope,
        status: [201, 400, 404, 409],
        summary: 'Create a scope',
      },
      async ({ params, body }) => created(await resources.createScope(params.id, body)),
    ),
    patch(
      '/:id/scopes/:scopeId',
      {
        params: ScopeParams,
        body: UpdateScope,
        response: Scope,
        status: [200, 400, 403, 404, 409],
        summary: 'Update a scope',
      },
      async ({ params, body }) => ok(await resources.updateScope(params.id, params.scopeId, body)),
    ),
    del(
      '/:id/scopes/:scopeId',
      { params: ScopeParams, status: [204, 403, 404], summary: 'Delete a scope' },
      async ({ params }) => {
        await resources.deleteScope(params.id, params.scopeId);
        return noContent();
      },
    ),
  ];
});
