import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBootstrapClient } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLocalChangeBus } from '../src/db/changes.ts';
import { adminConsole, defaultTenantId } from '../src/db/schema.ts';
import { type ApiClient, assertStatus, type Loose, managementClient } from './support/api-client.ts';
import { captureLogs } from './support/logs.ts';
import { startTestServer, type TestServer, testKek } from './support/server.ts';

/**
 * SPEC §1 bootstrap: GATEHOUSE_ADMIN_USERNAME + GATEHOUSE_ADMIN_PASSWORD ensure a console administrator at every
 * start (docs/console.md "First run"), so the one-time first-administrator page never opens.
 */

const username = 'ops_admin';
const password = 'copper kettle meadow 2718';

describe('the console administrator from GATEHOUSE_ADMIN_USERNAME and GATEHOUSE_ADMIN_PASSWORD', () => {
  let t: TestServer;
  let api: ApiClient;
  const env = { GATEHOUSE_ADMIN_USERNAME: username, GATEHOUSE_ADMIN_PASSWORD: password };
  /** The bootstrap again, on the same database, as a restart with `overrides` in the environment would run it. */
  const restart = (overrides: Record<string, string> = {}) =>
    ensureBootstrapClient(
      t.registry.db.kysely,
      loadConfig({ NODE_ENV: 'test', SECRET_VAULT_KEK: testKek(), ...env, ...overrides }),
      createLocalChangeBus(),
      captureLogs('silent').logger,
    );
  const adminId = async () => {
    const users = (await api.get(`/api/users?search=${username}`)).body as Loose[];
    const found = users.find((user) => user.username === username);
    assert.ok(found, 'the administrator exists');
    return String(found.id);
  };
  const holdsRole = async (userId: string) =>
    Boolean(
      await t.registry.db.kysely
        .selectFrom('users_roles')
        .select('user_id')
        .where('tenant_id', '=', defaultTenantId)
        .where('user_id', '=', userId)
        .where('role_id', '=', adminConsole.roleId)
        .executeTakeFirst(),
    );
  const verify = async (userId: string, candidate: string) =>
    (await api.post(`/api/users/${userId}/password/verify`, { password: candidate })).status;

  before(async () => {
    t = await startTestServer({ env });
    api = await managementClient(t);
  });
  after(async () => {
    await t?.stop();
  });

  it('creates the administrator with the console administrator role and that password', async () => {
    const id = await adminId();
    assert.equal(await holdsRole(id), true);
    assert.equal(await verify(id, password), 204);
  });

  it('keeps the first-run page closed: the status says no first administrator is needed, the endpoint answers 403', async () => {
    const status = (await (await fetch(`${t.url}/api/console/status`)).json()) as Loose;
    assert.equal(status.firstAdminNeeded, false);
    const response = await fetch(`${t.url}/api/console/first-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'someone_else', password }),
    });
    assert.equal(response.status, 403);
  });

  it('gives the role back at the next start when it was removed, without creating a second user', async () => {
    const id = await adminId();
    await t.registry.db.kysely
      .deleteFrom('users_roles')
      .where('user_id', '=', id)
      .where('role_id', '=', adminConsole.roleId)
      .execute();
    assert.equal(await holdsRole(id), false);
    await restart();
    assert.equal(await holdsRole(id), true);
    const matches = ((await api.get(`/api/users?search=${username}`)).body as Loose[]).filter(
      (user) => user.username === username,
    );
    assert.equal(matches.length, 1);
  });

  it('does not overwrite a password changed since: a restart with another password leaves it', async () => {
    const id = await adminId();
    const changed = 'violet harbor lantern 1618';
    assertStatus(await api.patch(`/api/users/${id}/password`, { password: changed }), 200);
    await restart({ GATEHOUSE_ADMIN_PASSWORD: 'some other password 3141' });
    assert.equal(await verify(id, changed), 204);
    assert.equal(await verify(id, 'some other password 3141'), 422);
  });

  it('refuses to start with a password the policy rejects, saying which rule, and creates nobody', async () => {
    await assert.rejects(
      restart({ GATEHOUSE_ADMIN_USERNAME: 'weak_admin', GATEHOUSE_ADMIN_PASSWORD: 'password' }),
      /GATEHOUSE_ADMIN_PASSWORD does not meet the password policy: .+ \(password\.breached\)/,
    );
    const users = (await api.get('/api/users?search=weak_admin')).body as Loose[];
    assert.equal(users.length, 0);
  });

  it('is refused by the configuration when only one of the two variables is set', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'test', SECRET_VAULT_KEK: testKek(), GATEHOUSE_ADMIN_USERNAME: username }),
      /GATEHOUSE_ADMIN_PASSWORD/,
    );
  });
});
