import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { defineRoutes, get, ok, post } from '../src/http/routes.ts';
import { managementRoutes } from '../src/management/index.ts';
import { buildOpenApiDocument, toJsonSchema } from '../src/management/openapi.ts';
import type { Registry } from '../src/registry.ts';
import { type Loose, managementClient } from './support/api-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** Every route of every guarded group, with its path parameters filled in. */
const guardedRoutes = (registry: Registry) =>
  managementRoutes
    .filter((group) => group.guard)
    .flatMap((group) =>
      group.build(registry).map((definition) => ({
        method: definition.method.toUpperCase(),
        path: `${group.prefix}${definition.path}`.replace(/:(\w+)/g, 'some-$1'),
        openApiPath: `${group.prefix}${definition.path}`.replace(/:(\w+)/g, '{$1}'),
        hasBody: definition.schemas.body !== undefined,
      })),
    );

describe('Management API (SPEC §4)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  describe('authentication', () => {
    it('refuses every management route without a token, or with a bad one: 401 auth.invalid_token', async () => {
      const routes = guardedRoutes(t.registry);
      assert.ok(routes.length >= 35, `found only ${routes.length} routes`);
      for (const credentials of [undefined, 'Bearer not-a-jwt', 'Basic dGVzdDp0ZXN0', 'Bearer ']) {
        for (const route of routes) {
          const response = await fetch(`${t.url}${route.path}`, {
            method: route.method,
            headers: {
              ...(credentials && { authorization: credentials }),
              ...(route.hasBody && { 'content-type': 'application/json' }),
            },
            body: route.hasBody ? '{}' : undefined,
          });
          const body = (await response.json()) as Loose;
          assert.equal(response.status, 401, `${route.method} ${route.path} with ${credentials}`);
          assert.equal(body.code, 'auth.invalid_token');
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
      }
    });
  });

  describe('GET /api/swagger.json', () => {
    it('serves, without a token, an OpenAPI 3.1 document listing every management route', async () => {
      const response = await fetch(`${t.url}/api/swagger.json`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      const document = (await response.json()) as Loose;
      assert.equal(document.openapi, '3.1.0');
      for (const route of guardedRoutes(t.registry)) {
        const operation = document.paths[route.openApiPath]?.[route.method.toLowerCase()];
        assert.ok(operation, `${route.method} ${route.openApiPath} is documented`);
        assert.deepEqual(operation.security, [{ managementToken: [] }]);
        assert.ok(operation.responses['401'], 'documents the 401');
        if (route.hasBody) assert.ok(operation.requestBody.content['application/json'].schema);
      }
      assert.deepEqual(document.paths['/api/swagger.json'].get.security, []);
      assert.equal(document.components.securitySchemes.managementToken.scheme, 'bearer');
    });

    it('describes parameters, bodies, responses and the Total-Number header', async () => {
      const document = (await (await fetch(`${t.url}/api/swagger.json`)).json()) as Loose;
      const list = document.paths['/api/applications'].get;
      assert.deepEqual(
        list.parameters.map((parameter: Loose) => [parameter.name, parameter.in, parameter.required]),
        [
          ['page', 'query', false],
          ['page_size', 'query', false],
          ['types', 'query', false],
          ['search', 'query', false],
        ],
      );
      assert.ok(list.responses['200'].headers['Total-Number']);
      assert.equal(list.responses['200'].content['application/json'].schema.type, 'array');
      const create = document.paths['/api/applications'].post;
      const body = create.requestBody.content['application/json'].schema;
      assert.deepEqual(body.required.sort(), ['name', 'type']);
      assert.deepEqual(body.properties.type.enum, ['Traditional', 'SPA', 'Native', 'MachineToMachine']);
      assert.ok(create.responses['201'].content['application/json'].schema.properties.secret);
      const secret = document.paths['/api/applications/{id}/secrets/{name}'].patch;
      assert.deepEqual(
        secret.parameters.map((parameter: Loose) => [parameter.name, parameter.in, parameter.required]),
        [
          ['id', 'path', true],
          ['name', 'path', true],
        ],
      );
      assert.equal(
        document.paths['/api/roles/{id}'].delete.responses['404'].content['application/json'].schema.$ref,
        '#/components/schemas/ApiError',
      );
      assert.ok(document.components.schemas.ApiError.properties.code.enum.includes('application.not_found'));
    });

    it('never fails on a schema JSON Schema cannot express', () => {
      type Tree = { name: string; children: Tree[] };
      const Tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(Tree) }));
      const awkward = [
        z.date(),
        z.bigint(),
        z.string().transform((value) => value.length),
        z.custom<string>((value) => typeof value === 'string'),
        z.map(z.string(), z.number()),
        z.set(z.string()),
        z.symbol(),
        z.undefined(),
        z.preprocess((value) => value, z.string()),
        Tree,
      ];
      for (const schema of awkward) {
        assert.equal(typeof toJsonSchema(schema, 'input'), 'object');
        assert.equal(typeof toJsonSchema(schema, 'output'), 'object');
      }
      const probe = defineRoutes<Registry>('/api/probe', () => [
        get(
          '/:when',
          { params: z.object({ when: z.date() }), query: Tree, response: z.bigint(), status: [200] },
          () => ok(1),
        ),
        post('', { body: z.map(z.string(), z.date()), response: z.symbol(), status: [201] }, () => ok(1)),
      ]);
      const document = buildOpenApiDocument(t.registry, [probe]);
      assert.ok(document.paths['/api/probe/{when}']?.get);
      assert.ok(document.paths['/api/probe']?.post);
      assert.doesNotThrow(() => JSON.stringify(document));
    });
  });

  describe('error format', () => {
    it('answers {code, message} with Cache-Control: no-store, never a stack trace', async () => {
      const api = await managementClient(t);
      const response = await api.get('/api/applications/unknown');
      assert.equal(response.status, 404);
      assert.deepEqual(Object.keys(response.body).sort(), ['code', 'data', 'message']);
      assert.equal(response.body.message, 'Application unknown was not found.');
      assert.equal(response.headers.get('cache-control'), 'no-store');
    });
  });
});
