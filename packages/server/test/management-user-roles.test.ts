import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminConsole, managementApi } from '../src/db/schema.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  startManagedServer,
} from './support/api-client.ts';
import { createFirstAdmin } from './support/console.ts';
import { testBackends } from './support/db.ts';
import type { TestServer } from './support/server.ts';

/**
 * A user's roles seen from the user (Logto's `GET`/`POST /api/users/:userId/roles`,
 * `DELETE /api/users/:userId/roles/:roleId`; docs/management-api.md), and the console administrator role that
 * must keep a user (issue 7: otherwise the console's first-run page would open again).
 */

let counter = 0;
const unique = (name: string) => `${name}_${++counter}`;

for (const backend of testBackends()) {
  describe(`Management API: a user's roles (/api/users/:userId/roles) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      ({ t, api } = await startManagedServer(backend));
    });
    after(() => t.stop());

    const createRole = async (type: 'User' | 'MachineToMachine' = 'User') => {
      const response = await api.post('/api/roles', { name: unique('role'), description: 'A role', type });
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const createUser = async () => {
      const response = await api.post('/api/users', { username: unique('user') });
      assertStatus(response, 201);
      return response.body.id as string;
    };
    const roleIdsOf = async (userId: string) => {
      const response = await api.get(`/api/users/${userId}/roles`);
      assertStatus(response, 200);
      return (response.body as Loose[]).map((role) => role.id as string).sort();
    };

    it('assigns, lists and removes user roles in Logto’s shapes, seen from the role too, and audits each', async () => {
      const userId = await createUser();
      const [first, second] = [await createRole(), await createRole()];
      assert.deepEqual(await roleIdsOf(userId), []);

      const assigned = await api.post(`/api/users/${userId}/roles`, {
        roleIds: [first.id, second.id, first.id],
      });
      assertStatus(assigned, 201);
      assert.deepEqual(
        (assigned.body as Loose[]).map((role) => role.id).sort(),
        [first.id, second.id].sort(),
        'duplicates are dropped; the answer lists the roles',
      );
      const listed = await api.get(`/api/users/${userId}/roles?page=1&page_size=1`);
      assertStatus(listed, 200);
      assert.equal(listed.headers.get('total-number'), '2');
      assert.equal((listed.body as Loose[]).length, 1);
      assert.deepEqual(Object.keys((listed.body as Loose[])[0]).sort(), [
        'description',
        'id',
        'isDefault',
        'name',
        'type',
      ]);
      const members = await api.get(`/api/roles/${first.id}/users`);
      assert.deepEqual(
        (members.body as Loose[]).map((user) => user.id),
        [userId],
      );

      // Assigning again is a no-op (as /api/roles/:id/users is), not an error.
      assertStatus(await api.post(`/api/users/${userId}/roles`, { roleIds: [first.id] }), 201);
      assertStatus(await api.del(`/api/users/${userId}/roles/${first.id}`), 204);
      assert.deepEqual(await roleIdsOf(userId), [second.id]);
      assertApiError(
        await api.del(`/api/users/${userId}/roles/${first.id}`),
        404,
        'role.assignment_not_found',
      );

      const logs = await api.get(`/api/logs?userId=${userId}&page_size=20`);
      assertStatus(logs, 200);
      assert.deepEqual(
        (logs.body as Loose[]).map((entry) => [entry.key, entry.payload.params.roleId]).reverse(),
        [
          ['role.user_assigned', first.id],
          ['role.user_assigned', second.id],
          ['role.user_assigned', first.id],
          ['role.user_removed', first.id],
        ],
      );
    });

    it('refuses an unknown role (404) and changes nothing when one of several is unknown', async () => {
      const userId = await createUser();
      const known = await createRole();
      const refused = await api.post(`/api/users/${userId}/roles`, { roleIds: [known.id, 'no-such-role'] });
      assertApiError(refused, 404, 'role.not_found');
      assert.match(refused.body.message, /no-such-role/);
      assert.deepEqual(await roleIdsOf(userId), []);
      assertApiError(await api.del(`/api/users/${userId}/roles/no-such-role`), 404, 'role.not_found');
    });

    it('refuses an unknown user (404) on every path', async () => {
      const role = await createRole();
      assertApiError(await api.get('/api/users/no-such-user/roles'), 404, 'user.not_found');
      assertApiError(
        await api.post('/api/users/no-such-user/roles', { roleIds: [role.id] }),
        404,
        'user.not_found',
      );
      assertApiError(await api.del(`/api/users/no-such-user/roles/${role.id}`), 404, 'user.not_found');
    });

    it('refuses a machine-to-machine role for a user (400 role.type_mismatch) and assigns none of the list', async () => {
      const userId = await createUser();
      const [userRole, machineRole] = [await createRole('User'), await createRole('MachineToMachine')];
      assertApiError(
        await api.post(`/api/users/${userId}/roles`, { roleIds: [userRole.id, machineRole.id] }),
        400,
        'role.type_mismatch',
      );
      assert.deepEqual(await roleIdsOf(userId), []);
    });

    it('refuses malformed bodies and parameters (400)', async () => {
      const userId = await createUser();
      for (const body of [{}, { roleIds: [] }, { roleIds: 'abc' }, { roleIds: ['a b'] }, []]) {
        assertApiError(await api.post(`/api/users/${userId}/roles`, body), 400, 'request.invalid_body');
      }
      assertApiError(
        await api.send('POST', `/api/users/${userId}/roles`, { body: '{"roleIds": [' }),
        400,
        'request.invalid_json',
      );
      assertApiError(await api.get('/api/users/a%20b/roles'), 400, 'request.invalid_params');
      assertApiError(await api.del(`/api/users/${userId}/roles/a%20b`), 400, 'request.invalid_params');
      assertApiError(await api.get(`/api/users/${userId}/roles?page=0`), 400, 'request.invalid_query');
    });
  });

  describe(`the console administrator role keeps a user (issue 7) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    const role = adminConsole.roleId;
    before(async () => {
      ({ t, api } = await startManagedServer(backend));
    });
    after(() => t.stop());

    const firstAdminNeeded = async () =>
      ((await (await fetch(`${t.url}/api/console/status`)).json()) as Loose).firstAdminNeeded as boolean;
    const memberIds = async () =>
      ((await api.get(`/api/roles/${role}/users`)).body as Loose[]).map((user) => user.id as string).sort();

    it('refuses to remove the last administrator from either side (403 role.protected), and allows it while another remains', async () => {
      const first = await createFirstAdmin(t, 'first_admin');
      assert.equal(await firstAdminNeeded(), false);

      for (const path of [`/api/roles/${role}/users/${first.id}`, `/api/users/${first.id}/roles/${role}`]) {
        const refused = await api.del(path);
        assertApiError(refused, 403, 'role.protected');
        assert.match(refused.body.message, /console-administrator cannot be left without a user/);
      }
      assert.deepEqual(await memberIds(), [first.id]);
      assert.equal(await firstAdminNeeded(), false, 'the first-run page stays closed');

      const second = await api.post('/api/users', { username: 'second_admin' });
      assertStatus(await api.post(`/api/users/${second.body.id}/roles`, { roleIds: [role] }), 201);
      assertStatus(await api.del(`/api/users/${first.id}/roles/${role}`), 204);
      assertApiError(await api.del(`/api/roles/${role}/users/${second.body.id}`), 403, 'role.protected');
      assert.deepEqual(await memberIds(), [second.body.id]);

      // Removing a user who does not hold the role is still a 404, not a 403.
      assertApiError(await api.del(`/api/roles/${role}/users/${first.id}`), 404, 'role.assignment_not_found');
    });

    it('lets exactly one of two concurrent removals of the last two administrators through', async () => {
      const extra = await api.post('/api/users', { username: 'third_admin' });
      assertStatus(await api.post(`/api/roles/${role}/users`, { userIds: [extra.body.id] }), 201);
      const members = await memberIds();
      assert.equal(members.length, 2);
      const answers = await Promise.all(members.map((id) => api.del(`/api/users/${id}/roles/${role}`)));
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [204, 403]);
      assert.equal((await memberIds()).length, 1);
      assert.equal(await firstAdminNeeded(), false);
    });

    it('refuses to delete the last administrator user (403 role.protected), and deletes one while another remains', async () => {
      const [last] = await memberIds();
      assert.ok(last);
      assertApiError(await api.del(`/api/users/${last}`), 403, 'role.protected');
      assertStatus(await api.get(`/api/users/${last}`), 200);
      assert.equal(await firstAdminNeeded(), false);

      const other = await api.post('/api/users', { username: 'fourth_admin' });
      assertStatus(await api.post(`/api/users/${other.body.id}/roles`, { roleIds: [role] }), 201);
      const answers = await Promise.all([
        api.del(`/api/users/${last}`),
        api.del(`/api/users/${other.body.id}`),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [204, 403]);
      assert.equal((await memberIds()).length, 1);
      assert.equal(await firstAdminNeeded(), false);
    });

    it('refuses to delete the role or strip its Management API scope (403 role.protected)', async () => {
      assertApiError(await api.del(`/api/roles/${role}`), 403, 'role.protected');
      assertApiError(
        await api.del(`/api/roles/${role}/scopes/${managementApi.scopeId}`),
        403,
        'role.protected',
      );
      assertStatus(await api.get(`/api/roles/${role}`), 200);
      const scopes = await api.get(`/api/roles/${role}/scopes`);
      assert.ok((scopes.body as Loose[]).some((scope) => scope.id === managementApi.scopeId));
    });
  });
}
