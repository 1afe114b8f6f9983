import { apiErrors } from '@gatehouse/schemas';
import { z } from 'zod';
import { defineRoutes, get, ok, type RouteDefinition, type RouteGroup } from '../http/routes.ts';
import type { Registry } from '../registry.ts';
import { totalHeader } from './pagination.ts';

/**
 * SPEC §4: the OpenAPI 3.1 document of the Management API, served at `/api/swagger.json`. Generated from the
 * route declarations themselves (method, path, schemas, statuses), so it cannot drift from what is served.
 */

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). `io: 'input'` describes what a
 * client sends (defaults make a field optional), `'output'` what it receives. Types JSON cannot express
 * (dates, transforms) become `{}`; should conversion still fail, the schema is `{}` too: the document must
 * always be served.
 */
export const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  try {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    return rest;
  } catch {
    return {};
  }
};

const propertiesOf = (schema: JsonSchema) => {
  const properties = schema.properties;
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.entries(properties as Record<string, JsonSchema>).map(([name, property]) => ({
    name,
    property,
    required: required.includes(name),
  }));
};

const parametersOf = (schema: z.ZodType | undefined, location: 'path' | 'query') =>
  schema
    ? propertiesOf(toJsonSchema(schema, 'input')).map(({ name, property, required }) => ({
        name,
        in: location,
        // OpenAPI: path parameters are always required.
        required: location === 'path' || required,
        ...(typeof property.description === 'string' && { description: property.description }),
        schema: property,
      }))
    : [];

const statusDescriptions: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Invalid request',
  401: 'Missing or invalid access token',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  422: 'Unprocessable',
  503: 'Not ready',
};

const errorResponse = (status: number) => ({
  description: statusDescriptions[status] ?? 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
});

const operationOf = (group: RouteGroup<Registry>, definition: RouteDefinition, openApiPath: string) => {
  const { schemas } = definition;
  const guarded = group.guard !== undefined;
  const parameters = [...parametersOf(schemas.params, 'path'), ...parametersOf(schemas.query, 'query')];
  const paged = parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'page_size');
  // Guarded routes may also answer 401/403; any route that validates input may answer 400.
  const statuses = new Set([
    ...schemas.status,
    ...(guarded ? [401, 403] : []),
    ...(schemas.body || schemas.query || schemas.params ? [400] : []),
  ]);
  const responses: Record<string, unknown> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    if (status >= 300) {
      responses[status] = errorResponse(status);
    } else if (status === 204 || !schemas.response) {
      responses[status] = { description: statusDescriptions[status] ?? 'Success' };
    } else {
      responses[status] = {
        description: statusDescriptions[status] ?? 'Success',
        ...(paged && {
          headers: {
            [totalHeader]: {
              description: 'Total number of items on all pages.',
              schema: { type: 'integer' },
            },
          },
        }),
        content: { 'application/json': { schema: toJsonSchema(schemas.response, 'output') } },
      };
    }
  }
  const tag = openApiPath.split('/')[2] ?? 'api';
  return {
    operationId: `${definition.method}${openApiPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    ...(schemas.summary && { summary: schemas.summary }),
    tags: [tag],
    ...(parameters.length > 0 && { parameters }),
    ...(schemas.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: toJsonSchema(schemas.body, 'input') } },
      },
    }),
    responses,
    // An empty list marks a public operation explicitly.
    security: guarded ? [{ managementToken: [] }] : [],
  };
};

/** The OpenAPI document of `groups`, as they are built for `registry`. */
export const buildOpenApiDocument = (registry: Registry, groups: Array<RouteGroup<Registry>>) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const group of groups) {
    for (const definition of group.build(registry)) {
      const openApiPath = `${group.prefix}${definition.path}`.replace(/:(\w+)/g, '{$1}') || '/';
      paths[openApiPath] ??= {};
      (paths[openApiPath] as Record<string, unknown>)[definition.method] = operationOf(
        group,
        definition,
        openApiPath,
      );
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse Management API',
      version: '1.0.0',
      description:
        'Logto-compatible Management API. Authenticate with a bearer access token from the client credentials ' +
        'grant at /oidc/token with resource=urn:gatehouse:management and scope=all.',
    },
    servers: [{ url: registry.config.endpoint }],
    paths,
    components: {
      securitySchemes: {
        managementToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A client_credentials access token from ${registry.config.endpoint}/oidc/token for resource urn:gatehouse:management, scope all.`,
        },
      },
      schemas: {
        ApiError: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', enum: Object.keys(apiErrors), description: 'Stable dotted error code.' },
            message: { type: 'string' },
            data: { description: 'Details, such as the invalid fields.' },
          },
        },
      },
    },
  };
};

/**
 * `GET /api/swagger.json`, public. `groups` is a function so that the list of groups can contain this group
 * itself (management/index.ts) without an import cycle. The document is built once, at the first request.
 */
export const createOpenApiRoutes = (groups: () => Array<RouteGroup<Registry>>) =>
  defineRoutes<Registry>('/api', (registry) => {
    let document: ReturnType<typeof buildOpenApiDocument> | undefined;
    return [
      get('/swagger.json', { status: [200], summary: 'This OpenAPI document' }, () => {
        document ??= buildOpenApiDocument(registry, groups());
        return ok(document);
      }),
    ];
  });
