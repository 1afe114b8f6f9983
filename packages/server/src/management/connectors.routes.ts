import { z } from 'zod';
import {
  ConnectorFactoryResponse,
  connectorFactories,
  describeFactory,
  findConnectorFactory,
} from '../connectors/factories.ts';
import { ConfigCheckReport, checkSocialConfig } from '../connectors/social/config-check.ts';
import { defaultTenantId } from '../db/schema.ts';
import {
  Connector,
  ConnectorFilter,
  ConnectorParams,
  CreateConnector,
  FactoryParams,
  UpdateConnector,
} from '../domain/connectors/connectors.schemas.ts';
import { createConnectorService } from '../domain/connectors/connectors.service.ts';
import { ApiError } from '../http/errors.ts';
import { created, del, get, noContent, ok, patch, post } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/** Management API: the connector factories (what can be added), Logto's paths and shapes. */
export const connectorFactoryRoutes = defineManagementRoutes('/api/connector-factories', () => [
  get(
    '',
    {
      response: z.array(ConnectorFactoryResponse),
      status: [200],
      summary: 'List the connector factories, each with the JSON Schema of its config',
    },
    () => ok(connectorFactories.map(describeFactory)),
  ),
  get(
    '/:id',
    {
      params: FactoryParams,
      response: ConnectorFactoryResponse,
      status: [200, 404],
      summary: 'Get a connector factory',
    },
    ({ params }) => {
      const factory = findConnectorFactory(params.id);
      // A path naming no factory is a 404 (a body naming one, in POST /api/connectors, is a 400).
      if (!factory) throw new ApiError('connector_factory.not_found', { id: params.id });
      return ok(describeFactory(factory));
    },
  ),
]);

/** Management API: connectors (SPEC §6). Secrets in `config` are always answered masked. */
export const connectorRoutes = defineManagementRoutes('/api/connectors', (registry) => {
  const connectors = createConnectorService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
    vault: registry.vault,
  });

  return [
    get(
      '',
      {
        query: PageQuery.extend(ConnectorFilter.shape),
        response: z.array(Connector),
        status: [200, 400],
        summary: 'List connectors',
      },
      ({ query: { target, ...page } }) =>
        paginated(page, {
          count: () => connectors.count({ target }),
          list: (range) => connectors.list({ target }, range),
        }),
    ),
    post(
      '',
      {
        body: CreateConnector,
        response: Connector,
        status: [201, 400, 409],
        summary: 'Add a connector of a factory (its upstream callback is <ENDPOINT>/callback/<id>)',
      },
      async ({ body }) => created(await connectors.create(body)),
    ),
    get(
      '/:id',
      { params: ConnectorParams, response: Connector, status: [200, 404], summary: 'Get a connector' },
      async ({ params }) => ok(await connectors.get(params.id)),
    ),
    patch(
      '/:id',
      {
        params: ConnectorParams,
        body: UpdateConnector,
        response: Connector,
        status: [200, 400, 404],
        summary: 'Update a connector (config and metadata merged key by key; a masked secret is kept)',
      },
      async ({ params, body }) => ok(await connectors.update(params.id, body)),
    ),
    post(
      '/:id/test',
      {
        params: ConnectorParams,
        response: ConfigCheckReport,
        status: [200, 404],
        summary:
          "Check a social connector's settings against the provider (discovery, issuer, JWKS, endpoints) without signing in",
      },
      async ({ params }) => ok(await checkSocialConfig(registry.outbound, await connectors.get(params.id))),
    ),
    del(
      '/:id',
      {
        params: ConnectorParams,
        status: [204, 404],
        summary: 'Delete a connector and take its target out of the sign-in experience',
      },
      async ({ params }) => {
        await connectors.remove(params.id);
        return noContent();
      },
    ),
  ];
});
