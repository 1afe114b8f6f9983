import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { type ApiClient, managementClient } from './support/api-client.ts';
import { createBrowser, createUser, signInAs } from './support/oidc.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const tokenRequest = async (t: TestServer, body: Record<string, string>, basic?: [string, string]) => {
  const response = await fetch(`${t.url}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic && { authorization: `Basic ${Buffer.from(basic.join(':')).toString('base64')}` }),
    },
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string | number> };
};

describe('token lifetimes per API resource and per application (issue: sane defaults, per-app settings)', () => {
  let t: TestServer;
  let api: ApiClient;
  const signIn = signInAs();
  before(async () => {
    t = await startTestServer({ extraRoutes: [signIn.routes] });
    api = await managementClient(t);
  });
  after(() => t.stop());

  it("gives a client_credentials JWT the resource's accessTokenTtl, and only the scopes the app's roles grant", async () => {
    const resource = await api.post('/api/resources', {
      name: 'Orders',
      indicator: 'https://orders.example.com',
      accessTokenTtl: 300,
    });
    assert.equal(resource.status, 201);
    const read = await api.post(`/api/resources/${resource.body.id}/scopes`, { name: 'orders:read' });
    await api.post(`/api/resources/${resource.body.id}/scopes`, { name: 'orders:write' });
    const role = await api.post('/api/roles', {
      name: 'orders-reader',
      description: 'reads orders',
      type: 'MachineToMachine',
      scopeIds: [read.body.id],
    });
    const app = await api.post('/api/applications', { name: 'worker', type: 'MachineToMachine' });
    await api.post(`/api/roles/${role.body.id}/applications`, { applicationIds: [app.body.id] });

    const token = await tokenRequest(
      t,
      {
        grant_type: 'client_credentials',
        resource: 'https://orders.example.com',
        scope: 'orders:read orders:write',
      },
      [app.body.id, app.body.secret],
    );
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.expires_in, 300);
    const claims = decodeJwt(String(token.body.access_token));
    assert.equal(Number(claims.exp) - Number(claims.iat), 300);
    assert.equal(claims.scope, 'orders:read', 'orders:write is not granted by any role of the app');
    assert.equal(claims.aud, 'https://orders.example.com');
  });

  it('gives the opaque access token of an app its customClientMetadata.accessTokenTtl, and the refresh token its lifetime in days', async () => {
    signIn.state.accountId = await createUser(t);
    const callback = 'http://127.0.0.1:9/cb';
    const app = await api.post('/api/applications', {
      name: 'short-lived',
      type: 'Traditional',
      oidcClientMetadata: { redirectUris: [callback], postLogoutRedirectUris: [] },
      customClientMetadata: { accessTokenTtl: 120, refreshTokenTtlInDays: 2 },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const returned = await createBrowser().follow(
      `${t.url}/oidc/auth?${new URLSearchParams({ client_id: app.body.id, redirect_uri: callback, response_type: 'code', scope: 'openid offline_access', state: 's', prompt: 'consent' })}`,
      callback,
    );
    const code = new URL(returned.url).searchParams.get('code') ?? '';
    const token = await tokenRequest(t, { grant_type: 'authorization_code', code, redirect_uri: callback }, [
      app.body.id,
      app.body.secret,
    ]);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.expires_in, 120);
    const introspected = await fetch(`${t.url}/oidc/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.body.id}:${app.body.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: String(token.body.refresh_token) }),
    });
    const refresh = (await introspected.json()) as { active: boolean; exp: number; iat: number };
    assert.equal(refresh.active, true);
    assert.equal(refresh.exp - refresh.iat, 2 * 24 * 60 * 60);
  });
});
