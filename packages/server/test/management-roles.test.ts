import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultTenantId, managementApi } from '../src/db/schema.ts';
import { newId } from '../src/domain/ids.ts';
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
const unique = (name: string) => `${name} ${++counter}`;

for (const backend of testBackends()) {
  describe(`Management API: roles (SPEC §4) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());

    const createRole = async (body: Record<string, unknown> = {}) => {
      const response = await api.post('/api/roles', { name: unique('Role'), description: 'A role', ...body });
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const createResourceWithScopes = async (...names: string[]) => {
      const resource = await api.post('/api/resources', {
        name: 'R',
        indicator: `https://r${++counter}.example`,
      });
      assertStatus(resource, 201);
      const scopes: Loose[] = [];
      for (const name of names) {
        const scope = await api.post(`/api/resources/${resource.body.id}/scopes`, { name });
        assertStatus(scope, 201);
        scopes.push(scope.body);
      }
      return { resource: resource.body as Loose, scopes };
    };
    const createApp = async (type: string) => {
      const response = await api.post('/api/applications', { name: unique(type), type });
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const insertUser = async (username: string) => {
      const id = newId();
      await t.registry.db.kysely
        .insertInto('users')
        .values({
          tenant_id: defaultTenantId,
          id,
          username,
          primary_email: `${username}@example.com`,
          name: username,
        })
        .execute();
      return id;
    };

    describe('/api/roles', () => {
      it('creates a User role by default, with its scopes', async () => {
        const { scopes } = await createResourceWithScopes('read', 'write');
        const name = unique('Editors');
        const response = await api.post('/api/roles', {
          name,
          description: 'Edit things',
          scopeIds: scopes.map((scope) => scope.id),
        });
        assertStatus(response, 201);
        assert.deepEqual(response.body, {
          id: response.body.id,
          name,
          description: 'Edit things',
          type: 'User',
          isDefault: false,
        });
        const granted = await api.get(`/api/roles/${response.body.id}/scopes`);
        assert.deepEqual(granted.body.map((scope: Loose) => scope.name).sort(), ['read', 'write']);
        assert.deepEqual((await api.get(`/api/roles/${response.body.id}`)).body, response.body);
      });

      it('answers 409 role.name_taken to a duplicate name', async () => {
        const role = await createRole();
        assertApiError(
          await api.post('/api/roles', { name: role.name, description: 'x' }),
          409,
          'role.name_taken',
        );
        const other = await createRole();
        assertApiError(
          await api.patch(`/api/roles/${other.id}`, { name: role.name }),
          409,
          'role.name_taken',
        );
        assertApiError(
          await api.post('/api/roles', { name: 'Management API access', description: 'x' }),
          409,
          'role.name_taken',
        );
      });

      it('answers 400 to invalid fields and 404 scope.not_found to unknown scopes, creating nothing', async () => {
        for (const body of [
          {},
          { name: 'x' },
          { description: 'x' },
          { name: '', description: 'x' },
          { name: 'x'.repeat(129), description: 'x' },
          { name: 'x', description: '' },
          { name: 'x', description: 'x', type: 'Admin' },
          { name: 'x', description: 'x', scopeIds: 'all' },
          { name: 'x', description: 'x', scopeIds: [1] },
          { name: 'x', description: 'x', isDefault: 'true' },
        ]) {
          assertApiError(await api.post('/api/roles', body), 400, 'request.invalid_body');
        }
        const name = unique('Ghost scopes');
        assertApiError(
          await api.post('/api/roles', { name, description: 'x', scopeIds: [managementApi.scopeId, 'nope'] }),
          404,
          'scope.not_found',
        );
        assert.deepEqual((await api.get(`/api/roles?search=${encodeURIComponent(name)}`)).body, []);
        assertApiError(
          await api.post('/api/roles', {
            name: 'x',
            description: 'x',
            type: 'MachineToMachine',
            isDefault: true,
          }),
          400,
          'role.type_mismatch',
        );
      });

      it('lists with paging, a type filter and a name search', async () => {
        const tag = `Listed${Date.now()}`;
        await createRole({ name: `${tag} a` });
        await createRole({ name: `${tag} b` });
        await createRole({ name: `${tag} c`, type: 'MachineToMachine' });
        const page = await api.get(`/api/roles?search=${tag.toUpperCase()}&page_size=2`);
        assertStatus(page, 200);
        assert.equal(page.headers.get('total-number'), '3');
        assert.equal(page.body.length, 2);
        const m2m = await api.get(`/api/roles?search=${tag}&type=MachineToMachine`);
        assert.deepEqual(
          m2m.body.map((role: Loose) => role.name),
          [`${tag} c`],
        );
        assert.equal(m2m.headers.get('total-number'), '1');
        assertApiError(await api.get('/api/roles?type=Admin'), 400, 'request.invalid_query');
      });

      it('updates name, description and isDefault; the type only unchanged (400 role.type_immutable)', async () => {
        const role = await createRole();
        const response = await api.patch(`/api/roles/${role.id}`, {
          name: unique('Renamed'),
          description: 'New',
          isDefault: true,
          type: 'User',
        });
        assertStatus(response, 200);
        assert.equal(response.body.description, 'New');
        assert.equal(response.body.isDefault, true);
        assertApiError(
          await api.patch(`/api/roles/${role.id}`, { type: 'MachineToMachine' }),
          400,
          'role.type_immutable',
        );
        const m2m = await createRole({ type: 'MachineToMachine' });
        assertApiError(
          await api.patch(`/api/roles/${m2m.id}`, { isDefault: true }),
          400,
          'role.type_mismatch',
        );
        assertApiError(await api.patch(`/api/roles/${role.id}`, { name: '' }), 400, 'request.invalid_body');
      });

      it('deletes a role, but not the built-in management-api-access (403 role.protected)', async () => {
        const role = await createRole();
        assertStatus(await api.del(`/api/roles/${role.id}`), 204);
        assertApiError(await api.get(`/api/roles/${role.id}`), 404, 'role.not_found');
        assertApiError(await api.del(`/api/roles/${role.id}`), 404, 'role.not_found');
        assertApiError(await api.del(`/api/roles/${managementApi.roleId}`), 403, 'role.protected');
        assertStatus(await api.get(`/api/roles/${managementApi.roleId}`), 200);
      });

      it('answers 404 role.not_found to unknown ids and ids of other kinds', async () => {
        for (const id of ['unknown', 'management-api', 'management-api-all', 'test-admin']) {
          assertApiError(await api.get(`/api/roles/${id}`), 404, 'role.not_found');
          assertApiError(await api.patch(`/api/roles/${id}`, { name: 'x' }), 404, 'role.not_found');
          assertApiError(await api.del(`/api/roles/${id}`), 404, 'role.not_found');
          for (const sub of ['scopes', 'users', 'applications']) {
            assertApiError(await api.get(`/api/roles/${id}/${sub}`), 404, 'role.not_found');
          }
          assertApiError(
            await api.post(`/api/roles/${id}/scopes`, { scopeIds: ['x'] }),
            404,
            'role.not_found',
          );
        }
      });
    });

    describe('/api/roles/:id/scopes', () => {
      it('grants scopes with their resources; granting again is a no-op', async () => {
        const { resource, scopes } = await createResourceWithScopes('a', 'b');
        const [a, b] = scopes;
        const role = await createRole();
        const base = `/api/roles/${role.id}/scopes`;
        const granted = await api.post(base, { scopeIds: [a.id] });
        assertStatus(granted, 201);
        assert.deepEqual(
          granted.body.map((scope: Loose) => scope.id),
          [a.id],
        );
        assertStatus(await api.post(base, { scopeIds: [a.id, b.id] }), 201);
        const listed = await api.get(base);
        assert.equal(listed.headers.get('total-number'), '2');
        assert.deepEqual(listed.body[0].resource, resource);
        assert.deepEqual(listed.body.map((scope: Loose) => scope.name).sort(), ['a', 'b']);
        assertStatus(await api.del(`${base}/${a.id}`), 204);
        assertApiError(await api.del(`${base}/${a.id}`), 404, 'role.assignment_not_found');
        assert.deepEqual(
          (await api.get(base)).body.map((scope: Loose) => scope.id),
          [b.id],
        );
      });

      it('answers 404 scope.not_found when any scope is unknown, granting none', async () => {
        const { scopes } = await createResourceWithScopes('only');
        const role = await createRole();
        const response = await api.post(`/api/roles/${role.id}/scopes`, {
          scopeIds: [scopes[0].id, 'missing', role.id],
        });
        assertApiError(response, 404, 'scope.not_found');
        assert.deepEqual((await api.get(`/api/roles/${role.id}/scopes`)).body, []);
        assertApiError(
          await api.post(`/api/roles/${role.id}/scopes`, { scopeIds: [] }),
          400,
          'request.invalid_body',
        );
        assertApiError(
          await api.post(`/api/roles/${role.id}/scopes`, {
            scopeIds: Array.from({ length: 101 }, (_, i) => `s${i}`),
          }),
          400,
          'request.invalid_body',
        );
      });

      it('keeps the Management API scope on the built-in role', async () => {
        assertApiError(
          await api.del(`/api/roles/${managementApi.roleId}/scopes/${managementApi.scopeId}`),
          403,
          'role.protected',
        );
      });
    });

    describe('/api/roles/:id/users (User roles only)', () => {
      it('assigns, lists and removes users', async () => {
        const role = await createRole();
        const ann = await insertUser(`ann${counter}`);
        const ben = await insertUser(`ben${counter}`);
        const base = `/api/roles/${role.id}/users`;
        const assigned = await api.post(base, { userIds: [ann, ben] });
        assertStatus(assigned, 201);
        assertStatus(await api.post(base, { userIds: [ann] }), 201);
        const listed = await api.get(`${base}?page_size=1`);
        assert.equal(listed.headers.get('total-number'), '2');
        assert.deepEqual(Object.keys(listed.body[0]).sort(), ['id', 'name', 'primaryEmail', 'username']);
        assertStatus(await api.del(`${base}/${ann}`), 204);
        assertApiError(await api.del(`${base}/${ann}`), 404, 'role.assignment_not_found');
        const remaining = await api.get(base);
        assert.deepEqual(remaining.body, [
          {
            id: ben,
            username: `ben${counter}`,
            primaryEmail: `ben${counter}@example.com`,
            name: `ben${counter}`,
          },
        ]);
      });

      it('answers 404 user.not_found to unknown users and 400 role.type_mismatch on machine roles', async () => {
        const role = await createRole();
        const user = await insertUser(`cy${counter}`);
        assertApiError(
          await api.post(`/api/roles/${role.id}/users`, { userIds: [user, 'ghost'] }),
          404,
          'user.not_found',
        );
        assert.deepEqual((await api.get(`/api/roles/${role.id}/users`)).body, []);
        assertApiError(await api.del(`/api/roles/${role.id}/users/ghost`), 404, 'user.not_found');
        assertApiError(
          await api.post(`/api/roles/${role.id}/users`, { userIds: [] }),
          400,
          'request.invalid_body',
        );
        const m2m = await createRole({ type: 'MachineToMachine' });
        assertApiError(
          await api.post(`/api/roles/${m2m.id}/users`, { userIds: [user] }),
          400,
          'role.type_mismatch',
        );
        assertApiError(await api.del(`/api/roles/${m2m.id}/users/${user}`), 400, 'role.type_mismatch');
      });
    });

    describe('/api/roles/:id/applications (MachineToMachine roles and apps only)', () => {
      it('assigns, lists and removes machine-to-machine apps', async () => {
        const role = await createRole({ type: 'MachineToMachine' });
        const app = await createApp('MachineToMachine');
        const base = `/api/roles/${role.id}/applications`;
        const assigned = await api.post(base, { applicationIds: [app.id] });
        assertStatus(assigned, 201);
        assert.equal(assigned.body[0].id, app.id);
        assert.ok(!('secret' in assigned.body[0]));
        const listed = await api.get(base);
        assert.equal(listed.headers.get('total-number'), '1');
        assert.equal(listed.body[0].id, app.id);
        assert.deepEqual(
          (await api.get(`/api/applications/${app.id}/roles`)).body.map((r: Loose) => r.id),
          [role.id],
        );
        assertStatus(await api.del(`${base}/${app.id}`), 204);
        assertApiError(await api.del(`${base}/${app.id}`), 404, 'role.assignment_not_found');
      });

      it('refuses user roles, other app types and unknown apps', async () => {
        const m2mRole = await createRole({ type: 'MachineToMachine' });
        const userRole = await createRole();
        const m2mApp = await createApp('MachineToMachine');
        const spa = await createApp('SPA');
        const traditional = await createApp('Traditional');
        assertApiError(
          await api.post(`/api/roles/${userRole.id}/applications`, { applicationIds: [m2mApp.id] }),
          400,
          'role.type_mismatch',
        );
        for (const app of [spa, traditional]) {
          assertApiError(
            await api.post(`/api/roles/${m2mRole.id}/applications`, { applicationIds: [m2mApp.id, app.id] }),
            400,
            'application.type_mismatch',
          );
        }
        assert.deepEqual((await api.get(`/api/roles/${m2mRole.id}/applications`)).body, []);
        assertApiError(
          await api.post(`/api/roles/${m2mRole.id}/applications`, { applicationIds: ['ghost'] }),
          404,
          'application.not_found',
        );
        assertApiError(
          await api.del(`/api/roles/${m2mRole.id}/applications/ghost`),
          404,
          'application.not_found',
        );
        assertApiError(
          await api.del(`/api/roles/${userRole.id}/applications/${m2mApp.id}`),
          400,
          'role.type_mismatch',
        );
      });

      it('lets a new machine-to-machine app holding management-api-access call the Management API', async () => {
        const app = await createApp('MachineToMachine');
        const token = async () => {
          const response = await fetch(`${t.url}/oidc/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: app.id,
              client_secret: app.secret,
              resource: managementApi.indicator,
              scope: managementApi.scope,
            }),
          });
          return { status: response.status, body: (await response.json()) as Loose };
        };
        const before = await token();
        assert.ok(
          before.status !== 200 || !String(before.body.scope ?? '').includes('all'),
          'no access before',
        );
        assertStatus(
          await api.post(`/api/roles/${managementApi.roleId}/applications`, { applicationIds: [app.id] }),
          201,
        );
        const granted = await token();
        assert.equal(granted.status, 200, JSON.stringify(granted.body));
        const asApp = await managementClient(t, { authorization: `Bearer ${granted.body.access_token}` });
        assertStatus(await asApp.get('/api/roles'), 200);
      });
    });
  });
}
