import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { managementApi } from '../src/db/schema.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let counter = 0;
const uniqueIndicator = () => `https://api${++counter}.example.com/v1`;

for (const backend of testBackends()) {
  describe(`Management API: API resources and scopes (SPEC §4, RFC 8707) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());

    const createResource = async (body: Record<string, unknown> = {}) => {
      const response = await api.post('/api/resources', {
        name: 'Orders',
        indicator: uniqueIndicator(),
        ...body,
      });
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const createScope = async (resourceId: string, name: string, description?: string) => {
      const response = await api.post(`/api/resources/${resourceId}/scopes`, { name, description });
      assertStatus(response, 201);
      return response.body as Loose;
    };

    describe('/api/resources', () => {
      it('lists the built-in Management API resource', async () => {
        const response = await api.get('/api/resources');
        assertStatus(response, 200);
        assert.ok(Number(response.headers.get('total-number')) >= 1);
        assert.deepEqual(
          response.body.find((resource: Loose) => resource.id === managementApi.resourceId),
          {
            id: 'management-api',
            name: 'Gatehouse Management API',
            indicator: 'urn:gatehouse:management',
            isDefault: false,
            accessTokenTtl: 3600,
          },
        );
      });

      it('creates a resource with a default access token lifetime of 3600 s', async () => {
        const indicator = uniqueIndicator();
        const response = await api.post('/api/resources', { name: 'Billing', indicator });
        assertStatus(response, 201);
        assert.match(response.body.id, /^[\w-]{21}$/);
        assert.deepEqual(response.body, {
          id: response.body.id,
          name: 'Billing',
          indicator,
          isDefault: false,
          accessTokenTtl: 3600,
        });
        assert.deepEqual((await api.get(`/api/resources/${response.body.id}`)).body, response.body);
        const urn = await createResource({ indicator: 'urn:example:billing', accessTokenTtl: 60 });
        assert.equal(urn.accessTokenTtl, 60);
      });

      it('answers 409 resource.indicator_taken to a second resource with the same indicator', async () => {
        const resource = await createResource();
        assertApiError(
          await api.post('/api/resources', { name: 'Again', indicator: resource.indicator }),
          409,
          'resource.indicator_taken',
        );
        assertApiError(
          await api.post('/api/resources', { name: 'Mgmt', indicator: managementApi.indicator }),
          409,
          'resource.indicator_taken',
        );
      });

      it('answers 400 to invalid names, indicators and lifetimes', async () => {
        for (const body of [
          {},
          { name: 'x' },
          { indicator: 'https://x.example' },
          { name: '', indicator: 'https://x.example' },
          { name: 'x'.repeat(257), indicator: 'https://x.example' },
          { name: 'x', indicator: '/relative' },
          { name: 'x', indicator: 'not a uri' },
          { name: 'x', indicator: 'https://x.example/#fragment' },
          { name: 'x', indicator: `https://x.example/${'a'.repeat(500)}` },
          { name: 'x', indicator: 'https://x.example', accessTokenTtl: 59 },
          { name: 'x', indicator: 'https://x.example', accessTokenTtl: 86_401 },
          { name: 'x', indicator: 'https://x.example', accessTokenTtl: '3600' },
          { name: 'x', indicator: 42 },
        ]) {
          assertApiError(await api.post('/api/resources', body), 400, 'request.invalid_body');
        }
      });

      it('pages with Total-Number', async () => {
        for (let n = 0; n < 3; n++) await createResource();
        const all = await api.get('/api/resources?page_size=100');
        const total = Number(all.headers.get('total-number'));
        assert.equal(all.body.length, total);
        const last = await api.get(`/api/resources?page_size=2&page=${Math.ceil(total / 2)}`);
        assert.equal(last.body.length, total % 2 === 0 ? 2 : 1);
        assertApiError(await api.get('/api/resources?page_size=1000'), 400, 'request.invalid_query');
      });

      it('updates name and lifetime; the indicator only unchanged (400 resource.indicator_immutable)', async () => {
        const resource = await createResource();
        const response = await api.patch(`/api/resources/${resource.id}`, {
          name: 'Renamed',
          accessTokenTtl: 7200,
          indicator: resource.indicator,
        });
        assertStatus(response, 200);
        assert.equal(response.body.name, 'Renamed');
        assert.equal(response.body.accessTokenTtl, 7200);
        assertApiError(
          await api.patch(`/api/resources/${resource.id}`, { indicator: 'https://elsewhere.example' }),
          400,
          'resource.indicator_immutable',
        );
        assertApiError(
          await api.patch(`/api/resources/${resource.id}`, { accessTokenTtl: 10 }),
          400,
          'request.invalid_body',
        );
      });

      it('keeps one default resource: setting one clears the other', async () => {
        const a = await createResource();
        const b = await createResource();
        assert.equal((await api.patch(`/api/resources/${a.id}`, { isDefault: true })).body.isDefault, true);
        assert.equal(
          (await api.patch(`/api/resources/${b.id}/is-default`, { isDefault: true })).body.isDefault,
          true,
        );
        assert.equal((await api.get(`/api/resources/${a.id}`)).body.isDefault, false);
        const defaults = (await api.get('/api/resources?page_size=100')).body.filter(
          (r: Loose) => r.isDefault,
        );
        assert.deepEqual(
          defaults.map((r: Loose) => r.id),
          [b.id],
        );
        assert.equal(
          (await api.patch(`/api/resources/${b.id}/is-default`, { isDefault: false })).body.isDefault,
          false,
        );
        assertApiError(await api.patch(`/api/resources/${b.id}/is-default`, {}), 400, 'request.invalid_body');
      });

      it('protects the built-in Management API resource from deletion and from becoming the default', async () => {
        const id = managementApi.resourceId;
        assertApiError(await api.del(`/api/resources/${id}`), 403, 'resource.protected');
        assertApiError(
          await api.patch(`/api/resources/${id}`, { isDefault: true }),
          403,
          'resource.protected',
        );
        assertApiError(
          await api.patch(`/api/resources/${id}/is-default`, { isDefault: true }),
          403,
          'resource.protected',
        );
        assertStatus(await api.get(`/api/resources/${id}`), 200);
      });

      it('deletes a resource with its scopes', async () => {
        const resource = await createResource();
        const scope = await createScope(resource.id, 'read');
        assertStatus(await api.del(`/api/resources/${resource.id}`), 204);
        assertApiError(await api.get(`/api/resources/${resource.id}`), 404, 'resource.not_found');
        assertApiError(await api.del(`/api/resources/${resource.id}`), 404, 'resource.not_found');
        const rows = await t.registry.db.kysely
          .selectFrom('scopes')
          .select('id')
          .where('id', '=', scope.id)
          .execute();
        assert.deepEqual(rows, []);
      });

      it('answers 404 resource.not_found to unknown ids and ids of other kinds', async () => {
        for (const id of ['unknown', 'management-api-access', 'management-api-all']) {
          assertApiError(await api.get(`/api/resources/${id}`), 404, 'resource.not_found');
          assertApiError(await api.patch(`/api/resources/${id}`, { name: 'x' }), 404, 'resource.not_found');
          assertApiError(await api.del(`/api/resources/${id}`), 404, 'resource.not_found');
          assertApiError(await api.get(`/api/resources/${id}/scopes`), 404, 'resource.not_found');
          assertApiError(
            await api.post(`/api/resources/${id}/scopes`, { name: 'x' }),
            404,
            'resource.not_found',
          );
        }
      });
    });

    describe('/api/resources/:id/scopes', () => {
      it('creates, lists, renames and deletes scopes', async () => {
        const resource = await createResource();
        const read = await createScope(resource.id, 'read:orders', 'Read orders');
        assert.deepEqual(
          { ...read, id: undefined, createdAt: undefined },
          {
            id: undefined,
            resourceId: resource.id,
            name: 'read:orders',
            description: 'Read orders',
            createdAt: undefined,
          },
        );
        await createScope(resource.id, 'write:orders');
        const list = await api.get(`/api/resources/${resource.id}/scopes?page_size=1`);
        assertStatus(list, 200);
        assert.equal(list.headers.get('total-number'), '2');
        assert.equal(list.body.length, 1);
        const renamed = await api.patch(`/api/resources/${resource.id}/scopes/${read.id}`, {
          name: 'orders:read',
          description: null,
        });
        assertStatus(renamed, 200);
        assert.equal(renamed.body.name, 'orders:read');
        assert.equal(renamed.body.description, null);
        assertStatus(await api.del(`/api/resources/${resource.id}/scopes/${read.id}`), 204);
        assertApiError(
          await api.del(`/api/resources/${resource.id}/scopes/${read.id}`),
          404,
          'scope.not_found',
        );
        const after = await api.get(`/api/resources/${resource.id}/scopes`);
        assert.deepEqual(
          after.body.map((scope: Loose) => scope.name),
          ['write:orders'],
        );
      });

      it('answers 409 scope.name_taken to a duplicate name in one resource, not across resources', async () => {
        const a = await createResource();
        const b = await createResource();
        await createScope(a.id, 'read');
        const write = await createScope(a.id, 'write');
        assertApiError(
          await api.post(`/api/resources/${a.id}/scopes`, { name: 'read' }),
          409,
          'scope.name_taken',
        );
        assertApiError(
          await api.patch(`/api/resources/${a.id}/scopes/${write.id}`, { name: 'read' }),
          409,
          'scope.name_taken',
        );
        await createScope(b.id, 'read');
      });

      it('answers 400 to scope names with whitespace, quotes or over 256 characters', async () => {
        const resource = await createResource();
        for (const name of [
          '',
          'read orders',
          'tab\tscope',
          'new\nline',
          'quo"te',
          'back\\slash',
          'é',
          'x'.repeat(257),
        ]) {
          assertApiError(
            await api.post(`/api/resources/${resource.id}/scopes`, { name }),
            400,
            'request.invalid_body',
          );
        }
        assertApiError(
          await api.post(`/api/resources/${resource.id}/scopes`, { name: 1 }),
          400,
          'request.invalid_body',
        );
      });

      it("answers 404 scope.not_found to unknown scopes and to another resource's scope", async () => {
        const a = await createResource();
        const b = await createResource();
        const scopeOfB = await createScope(b.id, 'read');
        for (const scopeId of ['unknown', scopeOfB.id]) {
          assertApiError(
            await api.patch(`/api/resources/${a.id}/scopes/${scopeId}`, { name: 'x' }),
            404,
            'scope.not_found',
          );
          assertApiError(await api.del(`/api/resources/${a.id}/scopes/${scopeId}`), 404, 'scope.not_found');
        }
      });

      it('protects the `all` scope of the Management API, but lists it', async () => {
        const base = `/api/resources/${managementApi.resourceId}/scopes`;
        const listed = await api.get(base);
        // Migration 0009 adds identity-tokens:read (docs/decisions/0014), newer so listed first.
        assert.deepEqual(
          listed.body.map((scope: Loose) => scope.name),
          ['identity-tokens:read', 'all'],
        );
        assertApiError(
          await api.patch(`${base}/${managementApi.scopeId}`, { name: 'everything' }),
          403,
          'scope.protected',
        );
        assertApiError(await api.del(`${base}/${managementApi.scopeId}`), 403, 'scope.protected');
        assert.ok(
          (await api.get(base)).body.some(
            (scope: Loose) => scope.id === managementApi.scopeId && scope.name === 'all',
          ),
        );
      });
    });
  });
}
