import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { logtoNodeClient } from './support/logto-node.ts';
import { managementHeaders } from './support/management.ts';
import { createApplication, createBrowser, createUser, signInAs } from './support/oidc.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const appUrl = 'http://127.0.0.1:9/app';
const callback = `${appUrl}/callback`;

/** Creates an API resource with scopes and a user role granting some of them, through the Management API. */
const createApiWithRole = async (t: TestServer, userId: string, scopes: string[], granted: string[]) => {
  const headers = { ...(await managementHeaders(t)), 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${t.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await response.json()) as { id: string };
    assert.equal(response.status, 201, `${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const indicator = `https://api.example.com/${Math.random().toString(36).slice(2)}`;
  const resource = await post('/api/resources', { name: 'Bookstore API', indicator });
  const scopeIds: Record<string, string> = {};
  for (const name of scopes)
    scopeIds[name] = (await post(`/api/resources/${resource.id}/scopes`, { name })).id;
  const role = await post('/api/roles', {
    name: `reader-${indicator.slice(-6)}`,
    description: 'reads',
    type: 'User',
  });
  await post(`/api/roles/${role.id}/scopes`, { scopeIds: granted.map((name) => scopeIds[name]) });
  await post(`/api/roles/${role.id}/users`, { userIds: [userId] });
  return indicator;
};

describe('the official Logto SDK (@logto/node) against Gatehouse, unchanged but its endpoint (SPEC §2)', () => {
  let t: TestServer;
  const signIn = signInAs();
  before(async () => {
    t = await startTestServer({ extraRoutes: [signIn.routes] });
  });
  after(() => t.stop());

  it('signs in with code + PKCE, reads ID token claims and userinfo, gets a resource token, refreshes, signs out', async () => {
    const userId = await createUser(t, {
      username: 'reader',
      email: 'reader@example.com',
      name: 'Rita Reader',
    });
    signIn.state.accountId = userId;
    const indicator = await createApiWithRole(t, userId, ['read:books', 'write:books'], ['read:books']);
    const app = await createApplication(t, {
      type: 'Traditional',
      redirectUris: [callback],
      postLogoutRedirectUris: [appUrl],
    });

    const browser = createBrowser();
    const { logto, storage, navigated } = logtoNodeClient({
      endpoint: t.url,
      appId: app.id,
      appSecret: app.secret,
      scopes: ['email', 'profile', 'offline_access', 'read:books', 'write:books'],
      resources: [indicator],
    });

    await logto.signIn(callback);
    assert.match(navigated(), new RegExp(`^${t.url}/oidc/auth\\?`));
    const returned = await browser.follow(navigated(), callback);
    assert.ok(returned.url.startsWith(callback), `ended at ${returned.url}`);
    assert.equal(
      new URL(returned.url).searchParams.get('iss'),
      `${t.url}/oidc`,
      'RFC 9207 iss in the response',
    );
    await logto.handleSignInCallback(returned.url);

    assert.equal(await logto.isAuthenticated(), true);
    const claims = await logto.getIdTokenClaims();
    assert.equal(claims.sub, userId);
    assert.equal(claims.aud, app.id);
    assert.equal(claims.iss, `${t.url}/oidc`);
    assert.equal(claims.email, 'reader@example.com');
    assert.equal(claims.name, 'Rita Reader');
    assert.equal(claims.username, 'reader');

    const userinfo = await logto.fetchUserInfo();
    assert.equal(userinfo.sub, userId);
    assert.equal(userinfo.email, 'reader@example.com');

    // getAccessToken(resource) is a refresh-token grant with `resource` (RFC 8707): a JWT for that API.
    const accessToken = await logto.getAccessToken(indicator);
    const tokenClaims = await logto.getAccessTokenClaims(indicator);
    assert.equal(tokenClaims.aud, indicator);
    assert.equal(tokenClaims.sub, userId);
    assert.equal(tokenClaims.scope, 'read:books', 'requested ∩ granted by the user’s roles, never more');
    const [header] = accessToken.split('.');
    assert.equal(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()).typ, 'at+jwt');

    const { logto: outClient, navigated: signedOutTo } = logtoNodeClient(
      { endpoint: t.url, appId: app.id, appSecret: app.secret },
      storage,
    );
    await outClient.signOut(appUrl);
    assert.match(signedOutTo(), new RegExp(`^${t.url}/oidc/session/end\\?`));
    assert.equal(await outClient.isAuthenticated(), false);
  });
});

describe('openid-client (a certified relying party) against Gatehouse', () => {
  let t: TestServer;
  const signIn = signInAs();
  before(async () => {
    t = await startTestServer({ extraRoutes: [signIn.routes] });
  });
  after(() => t.stop());

  it('discovers, runs code + PKCE, calls userinfo, refreshes (rotating), introspects and revokes', async () => {
    const userId = await createUser(t, { email: 'oc@example.com' });
    signIn.state.accountId = userId;
    const app = await createApplication(t, { type: 'Traditional', redirectUris: [callback] });
    const config = await client.discovery(
      new URL(`${t.url}/oidc`),
      app.id,
      app.secret,
      client.ClientSecretPost(app.secret),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      scope: 'openid offline_access email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'consent',
    });
    const browser = createBrowser();
    const returned = await browser.follow(url.toString(), callback);
    const tokens = await client.authorizationCodeGrant(config, new URL(returned.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.equal(tokens.claims()?.sub, userId);
    assert.ok(tokens.refresh_token);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, userId);
    assert.equal(userinfo.email, 'oc@example.com');

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');

    const active = await client.tokenIntrospection(config, refreshed.access_token);
    assert.equal(active.active, true);
    await client.tokenRevocation(config, refreshed.access_token);
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
  });
});
