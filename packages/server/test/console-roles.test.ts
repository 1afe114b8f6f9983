import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { adminConsole } from '../src/db/schema.ts';
import { assertStatus, type Loose } from './support/api-client.ts';
import { type CallbackServer, startCallbackServer } from './support/callback-server.ts';
import {
  acceptDialogs,
  type ConsoleHarness,
  consolePassword,
  fillPasswordForm,
  openConsolePage,
  openScreen,
  signInToConsole,
  startConsole,
} from './support/console.ts';
import { logtoNodeClient } from './support/logto-node.ts';

/**
 * The console's API resources and roles screens and the roles section of a user's page (issue 7, "API resources
 * and roles"; docs/console.md) in Debian's Chromium, on a fresh server with its first administrator. What the
 * clicks assign is proved with real tokens: the user's access token for the new API (through the official
 * @logto/node SDK) and a machine-to-machine app's client_credentials token both carry the granted scope.
 */

const adminName = 'first_admin';
const indicator = 'https://orders.example.com';

describe("the admin console's API resources and roles screens in Chromium (issue 7)", () => {
  let c: ConsoleHarness;
  let callbackServer: CallbackServer;
  const errors: string[] = [];

  before(async () => {
    [c, callbackServer] = await Promise.all([startConsole(adminName), startCallbackServer()]);
  });
  after(async () => {
    await callbackServer?.close();
    await c?.stop();
  });

  /** A signed-in console page whose confirmation dialogs are accepted and recorded. */
  const consolePage = async (colorScheme: 'light' | 'dark' = 'dark') => {
    const page = await openConsolePage(c.browser, errors, { colorScheme });
    const dialogs = acceptDialogs(page);
    await signInToConsole(page, c.t, adminName);
    return { page, dialogs };
  };
  /** On a role's page: adds the Orders API's orders:read scope to the role. */
  const addOrdersReadScope = async (page: Page) => {
    await page
      .getByLabel('API resource', { exact: true })
      .selectOption({ label: `Orders API (${indicator})` });
    await page.getByLabel('Scope', { exact: true }).selectOption({ label: 'orders:read' });
    await page.getByRole('button', { name: 'Add scope' }).click();
    await page.getByRole('button', { name: 'Remove scope orders:read' }).waitFor();
  };
  const alertText = async (page: Page, within = page.locator('body')) => {
    await within.getByRole('alert').first().waitFor();
    return (await within.getByRole('alert').first().textContent()) ?? '';
  };
  const resourceByIndicator = async (value: string) =>
    ((await c.api.get('/api/resources?page_size=100')).body as Loose[]).find((r) => r.indicator === value);
  const roleByName = async (name: string) =>
    ((await c.api.get(`/api/roles?search=${encodeURIComponent(name)}`)).body as Loose[]).find(
      (role) => role.name === name,
    );

  it('creates an API resource with a scope, a User role granting it, assigns it from the user page, and the user’s token for that API carries the scope', async () => {
    const user = await c.api.post('/api/users', { username: 'nadia_p', password: consolePassword });
    assertStatus(user, 201);
    assertStatus(await c.api.post('/api/users', { username: 'other_person' }), 201);
    const { page, dialogs } = await consolePage('dark');

    // API resources: create one, with an edited lifetime and a scope; make it the default.
    await openScreen(page, 'API resources');
    await page.getByRole('button', { name: 'Create API resource' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Orders API');
    await page.getByLabel('Indicator (an absolute URI)').fill(indicator);
    await page.getByLabel('Access token lifetime (seconds)').fill('900');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Orders API' }).waitFor();
    const resource = await resourceByIndicator(indicator);
    assert.equal(resource?.accessTokenTtl, 900);

    await page.getByLabel('Scope name').fill('orders:read');
    await page.getByLabel('Description').fill('Read orders');
    await page.getByRole('button', { name: 'Add scope' }).click();
    await page.getByTestId('resource-scopes').getByText('Read orders').waitFor();
    await page.getByLabel('Scope name').fill('orders:write');
    await page.getByRole('button', { name: 'Add scope' }).click();
    await page.getByRole('button', { name: 'Delete scope orders:write' }).click();
    await page.getByRole('button', { name: 'Delete scope orders:write' }).waitFor({ state: 'detached' });
    const scopes = (await c.api.get(`/api/resources/${resource.id}/scopes`)).body as Loose[];
    assert.deepEqual(
      scopes.map((scope) => [scope.name, scope.description]),
      [['orders:read', 'Read orders']],
    );
    assert.match(dialogs.at(-1) ?? '', /orders:write/);

    await page.getByLabel('Access token lifetime (seconds)').fill('1200');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('button', { name: 'Set as default' }).click();
    await page.getByRole('button', { name: 'Stop being the default' }).waitFor();
    const saved = (await c.api.get(`/api/resources/${resource.id}`)).body;
    assert.equal(saved.accessTokenTtl, 1200);
    assert.equal(saved.isDefault, true);

    // Roles: a User role granting the scope.
    await openScreen(page, 'Roles');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Order readers');
    await page.getByLabel('Description').fill('Reads orders');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Order readers' }).waitFor();
    assert.equal(await page.getByTestId('role-type').textContent(), 'User');
    await addOrdersReadScope(page);
    const role = await roleByName('Order readers');
    assert.equal(role?.type, 'User');
    assert.deepEqual(
      ((await c.api.get(`/api/roles/${role.id}/scopes`)).body as Loose[]).map((scope) => scope.name),
      ['orders:read'],
    );

    // The user's page: assign the role there.
    await openScreen(page, 'Users');
    await page.getByRole('link', { name: 'nadia_p' }).click();
    await page.getByRole('heading', { name: 'nadia_p' }).waitFor();
    const roles = page.getByTestId('user-roles');
    await roles.getByText('This user has no role.').waitFor();
    await roles.getByLabel('User role').selectOption({ label: 'Order readers' });
    await roles.getByRole('button', { name: 'Assign role' }).click();
    await roles.getByRole('link', { name: 'Order readers' }).waitFor();
    assert.deepEqual(
      ((await c.api.get(`/api/users/${user.body.id}/roles`)).body as Loose[]).map((r) => r.id),
      [role.id],
    );

    // …and see it in the role, where another user is found by search, assigned and removed again.
    await roles.getByRole('link', { name: 'Order readers' }).click();
    await page.getByRole('heading', { name: 'Order readers' }).waitFor();
    const members = page.getByTestId('role-users');
    await members.getByRole('cell', { name: 'nadia_p', exact: true }).waitFor();
    await members.getByLabel('Find users to assign').fill('other');
    await members.getByRole('button', { name: 'Search' }).click();
    await members.getByRole('button', { name: 'Assign other_person' }).click();
    await members.getByRole('cell', { name: 'other_person', exact: true }).waitFor();
    await members.getByRole('button', { name: 'Remove other_person from this role' }).click();
    await members.getByRole('cell', { name: 'other_person', exact: true }).waitFor({ state: 'detached' });
    assert.deepEqual(
      ((await c.api.get(`/api/roles/${role.id}/users`)).body as Loose[]).map((u) => u.username),
      ['nadia_p'],
    );

    // The assignment is real: nadia_p's access token for the Orders API carries orders:read.
    const app = await c.api.post('/api/applications', {
      name: 'Order desk',
      type: 'Traditional',
      oidcClientMetadata: { redirectUris: [`${callbackServer.url}/callback`], postLogoutRedirectUris: [] },
    });
    assertStatus(app, 201);
    const { logto, navigated } = logtoNodeClient({
      endpoint: c.t.url,
      appId: app.body.id,
      appSecret: app.body.secret,
      scopes: ['offline_access', 'orders:read', 'orders:write'],
      resources: [indicator],
    });
    await logto.signIn({ redirectUri: `${callbackServer.url}/callback` });
    const userPage = await openConsolePage(c.browser, errors);
    await userPage.goto(navigated());
    const submit = await fillPasswordForm(userPage, 'nadia_p');
    await Promise.all([
      userPage.waitForURL((url) => url.href.startsWith(`${callbackServer.url}/callback`)),
      submit.click(),
    ]);
    await logto.handleSignInCallback(userPage.url());
    const claims = await logto.getAccessTokenClaims(indicator);
    assert.equal(claims.sub, user.body.id);
    assert.equal(claims.aud, indicator);
    assert.equal(claims.scope, 'orders:read', 'granted by Order readers; orders:write is not');
    await userPage.context().close();

    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('creates a machine-to-machine role, assigns it to a machine-to-machine app, and the app’s client_credentials token carries the scope', async () => {
    const worker = await c.api.post('/api/applications', {
      name: 'Order sync worker',
      type: 'MachineToMachine',
    });
    assertStatus(worker, 201);
    const { page } = await consolePage('light');
    await openScreen(page, 'Roles');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Order sync');
    await page.getByLabel('Description').fill('Reads orders from a backend');
    await page.getByRole('radio', { name: 'Machine-to-machine' }).check();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Order sync' }).waitFor();
    assert.equal(await page.getByTestId('role-type').textContent(), 'Machine-to-machine');
    assert.equal(await page.getByTestId('role-users').count(), 0, 'no user list for a M2M role');

    await addOrdersReadScope(page);

    const apps = page.getByTestId('role-applications');
    await apps.getByLabel('Find machine-to-machine applications to assign').fill('sync');
    await apps.getByRole('button', { name: 'Search' }).click();
    await apps.getByRole('button', { name: 'Assign Order sync worker' }).click();
    await apps.getByRole('cell', { name: 'Order sync worker', exact: true }).waitFor();
    const role = await roleByName('Order sync');
    assert.deepEqual(
      ((await c.api.get(`/api/roles/${role.id}/applications`)).body as Loose[]).map((a) => a.id),
      [worker.body.id],
    );

    // The list shows both types.
    await openScreen(page, 'Roles');
    await page.getByRole('link', { name: 'Order sync' }).waitFor();
    assert.equal(await page.getByTestId(`role-type-${role.id}`).textContent(), 'Machine-to-machine');
    const readers = await roleByName('Order readers');
    assert.equal(await page.getByTestId(`role-type-${readers.id}`).textContent(), 'User');

    const response = await fetch(`${c.t.url}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${worker.body.id}:${worker.body.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: indicator,
        scope: 'orders:read',
      }),
    });
    const token = (await response.json()) as Record<string, string>;
    assert.equal(response.status, 200, JSON.stringify(token));
    const claims = decodeJwt(String(token.access_token));
    assert.equal(claims.aud, indicator);
    assert.equal(claims.scope, 'orders:read');

    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows the API’s errors: a duplicate indicator, the built-in resource and the last console administrator', async () => {
    const { page, dialogs } = await consolePage('dark');
    await openScreen(page, 'API resources');
    await page.getByRole('button', { name: 'Create API resource' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Orders again');
    await page.getByLabel('Indicator (an absolute URI)').fill(indicator);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    assert.match(await alertText(page), /resource\.indicator_taken/);
    assert.match(await alertText(page), /HTTP 409/);

    // The built-in Management API: shown, with no way to delete, edit or make it the default.
    await page.getByRole('link', { name: 'Gatehouse Management API' }).click();
    await page.getByRole('heading', { name: 'Gatehouse Management API' }).waitFor();
    await page.getByText(/Built-in: the Management API this console uses/).waitFor();
    await page.getByTestId('resource-scopes').getByText('all', { exact: true }).waitFor();
    for (const name of ['Delete API resource', 'Set as default', 'Save', 'Add scope', 'Delete scope all']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    }

    // The console administrator role keeps its last user: the refusal is shown, the user stays.
    await openScreen(page, 'Roles');
    await page.getByRole('link', { name: 'Console administrator' }).click();
    await page.getByRole('heading', { name: 'Console administrator' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete role' }).count(), 0);
    const members = page.getByTestId('role-users');
    await members.getByRole('button', { name: `Remove ${adminName} from this role` }).click();
    assert.match(await alertText(page, members), /role\.protected/);
    assert.match(await alertText(page, members), /cannot be left without a user/);
    assert.match(dialogs.at(-1) ?? '', new RegExp(adminName));
    const admins = (await c.api.get(`/api/roles/${adminConsole.roleId}/users`)).body as Loose[];
    assert.deepEqual(
      admins.map((user) => user.id),
      [c.admin.id],
    );

    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('deletes a role (by keyboard) and an API resource after confirmation, in Thai', async () => {
    const { page, dialogs } = await consolePage('dark');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('th');
    await page.getByRole('navigation', { name: 'เมนูหลัก' }).getByRole('link', { name: 'บทบาท' }).click();
    await page.getByRole('heading', { name: 'บทบาท', exact: true }).waitFor();
    // By keyboard: a real link and a real button.
    await page.getByRole('link', { name: 'Order sync' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Order sync' }).waitFor();
    const role = await roleByName('Order sync');
    await page.getByRole('button', { name: 'ลบบทบาท' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'บทบาท', exact: true }).waitFor();
    assert.match(dialogs.at(-1) ?? '', /ลบบทบาท Order sync/);
    assert.equal((await c.api.get(`/api/roles/${role.id}`)).status, 404);

    await page.getByRole('navigation', { name: 'เมนูหลัก' }).getByRole('link', { name: 'ทรัพยากร API' }).click();
    await page.getByRole('heading', { name: 'ทรัพยากร API', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Orders API' }).click();
    await page.getByRole('heading', { name: 'Orders API' }).waitFor();
    const resource = await resourceByIndicator(indicator);
    await page.getByRole('button', { name: 'ลบทรัพยากร API' }).click();
    await page.getByRole('heading', { name: 'ทรัพยากร API', exact: true }).waitFor();
    assert.match(dialogs.at(-1) ?? '', /Orders API/);
    assert.equal((await c.api.get(`/api/resources/${resource.id}`)).status, 404);

    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
