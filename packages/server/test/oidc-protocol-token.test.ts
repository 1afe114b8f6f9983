import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import type { ResponseJson } from './support/http.ts';
import { createApplication, createBrowser, createUser, signInAs } from './support/oidc.ts';
import {
  assertOAuthError,
  authorize,
  backdateConsumption,
  basicAuth,
  type Client,
  createResource,
  expireStored,
  introspect,
  manage,
  postForm,
  redeem,
  tokenRequest,
} from './support/protocol.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Negative tests of the token endpoint (SECURITY-TESTS A6–A11), over real HTTP. Lifetimes are not waited for:
 * the stored rows' timestamps are moved instead.
 */

const callback = 'https://app.example.com/app/callback';
const secondCallback = 'https://app.example.com/app/second-callback';

let t: TestServer;
const signIn = signInAs();
let web: Client; // Traditional: client_secret_basic / client_secret_post
let twin: Client; // another Traditional app with the same redirect URIs
let spa: Client; // public client, PKCE required
let machine: Client; // MachineToMachine, granted `read` (not `write`) on `api`
let api: { indicator: string };

before(async () => {
  t = await startTestServer({ extraRoutes: [signIn.routes] });
  signIn.state.accountId = await createUser(t, { email: 'token@example.com' });
  web = await createApplication(t, { type: 'Traditional', redirectUris: [callback, secondCallback] });
  twin = await createApplication(t, { type: 'Traditional', redirectUris: [callback, secondCallback] });
  spa = await createApplication(t, { type: 'SPA', redirectUris: [callback] });
  machine = await createApplication(t, { type: 'MachineToMachine' });
  const resource = await createResource(t, ['read', 'write']);
  api = resource;
  const role = await manage(t, 'POST', '/api/roles', {
    name: 'api-reader',
    description: 'reads the API',
    type: 'MachineToMachine',
  });
  await manage(t, 'POST', `/api/roles/${role.id}/scopes`, { scopeIds: [resource.scopeIds.read] });
  await manage(t, 'POST', `/api/roles/${role.id}/applications`, { applicationIds: [machine.id] });
});
after(() => t.stop());

/** Signs in with a fresh browser and answers a code for `client` (PKCE unless `pkce: false`). */
const codeFor = (client: Client, options: { scope?: string; pkce?: boolean } = {}) =>
  authorize(t, createBrowser(), client, { redirectUri: callback, ...options });

/** Signs in and redeems: answers the tokens of a fresh grant with offline_access. */
const tokensFor = async (client: Client) => {
  const { code, verifier } = await codeFor(client);
  const tokens = await redeem(t, client, code, callback, verifier);
  assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  return tokens as typeof tokens & { refresh_token: string };
};

const redeemRequest = (client: Client, code: string, extra: Record<string, string> = {}) =>
  tokenRequest(t, client, { grant_type: 'authorization_code', code, redirect_uri: callback, ...extra });

const refresh = (client: Client, refreshToken: string, extra: Record<string, string> = {}) =>
  tokenRequest(t, client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

const statuses = (responses: Array<{ status: number }>) =>
  responses.map((response) => response.status).sort((a, b) => a - b);

describe('introspection and revocation by another client (RFC 7662 §2.1, RFC 7009 §2.1)', () => {
  it("introspecting another app's token answers active: false, and tells nothing about it", async () => {
    const tokens = await tokensFor(web);
    assert.equal((await introspect(t, web, tokens.access_token)).active, true, 'its own client sees it');
    assert.deepEqual(await introspect(t, twin, tokens.access_token), { active: false });
  });

  it("revoking another app's token is refused with invalid_request, and the token stays active", async () => {
    const tokens = await tokensFor(web);
    const response = await postForm(
      t,
      '/oidc/token/revocation',
      { token: tokens.refresh_token },
      { authorization: basicAuth(twin.id, twin.secret ?? '') },
    );
    assertOAuthError(response, 400, 'invalid_request');
    assert.equal((await refresh(web, tokens.refresh_token)).status, 200, 'the refresh token still works');
  });
});

describe('authorization_code grant (RFC 6749 §4.1.3, §10.5; RFC 9700 §4.2.4)', () => {
  it('refuses a second redemption of the same code and revokes what the first one issued', async () => {
    const { code, verifier } = await codeFor(web);
    const first = await redeem(t, web, code, callback, verifier);
    assert.equal((await introspect(t, web, first.access_token)).active, true);

    assertOAuthError(await redeemRequest(web, code, { code_verifier: verifier ?? '' }), 400, 'invalid_grant');
    assert.equal((await introspect(t, web, first.access_token)).active, false, 'access token revoked');
    assertOAuthError(await refresh(web, first.refresh_token ?? ''), 400, 'invalid_grant');
  });

  it('refuses a replay 30 s after the redemption the same way', async () => {
    const { code, verifier } = await codeFor(web);
    const first = await redeem(t, web, code, callback, verifier);
    await backdateConsumption(t, 'AuthorizationCode', code, 30);
    assertOAuthError(await redeemRequest(web, code, { code_verifier: verifier ?? '' }), 400, 'invalid_grant');
    assert.equal((await introspect(t, web, first.access_token)).active, false);
  });

  it('answers exactly one of 20 concurrent redemptions of one code with tokens', async () => {
    const { code, verifier } = await codeFor(web);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => redeemRequest(web, code, { code_verifier: verifier ?? '' })),
    );
    assert.deepEqual(statuses(responses), [200, ...Array<number>(19).fill(400)]);
    for (const response of responses.filter((r) => r.status !== 200)) {
      assertOAuthError(response, 400, 'invalid_grant');
    }
  });

  it('refuses an expired code', async () => {
    const { code, verifier } = await codeFor(web);
    await expireStored(t, 'AuthorizationCode', code);
    assertOAuthError(await redeemRequest(web, code, { code_verifier: verifier ?? '' }), 400, 'invalid_grant');
  });

  it("refuses another client's code, without using it up for its own client", async () => {
    const { code, verifier } = await codeFor(web);
    assertOAuthError(
      await redeemRequest(twin, code, { code_verifier: verifier ?? '' }),
      400,
      'invalid_grant',
    );
    await redeem(t, web, code, callback, verifier);
  });

  it('refuses a redirect_uri that differs from the one of the authorization request, even a registered one', async () => {
    const { code, verifier } = await codeFor(web);
    const response = await redeemRequest(web, code, {
      code_verifier: verifier ?? '',
      redirect_uri: secondCallback,
    });
    assertOAuthError(response, 400, 'invalid_grant');
  });
});

describe('PKCE at the token endpoint (RFC 7636 §4.5, §4.6; RFC 9700 §2.1.1)', () => {
  for (const [name, client] of [
    ['public', () => spa],
    ['confidential', () => web],
  ] as const) {
    it(`refuses a code issued for a challenge when the verifier is missing (${name} client)`, async () => {
      const { code } = await codeFor(client());
      assertOAuthError(await redeemRequest(client(), code), 400, 'invalid_grant');
    });
  }

  it('refuses a verifier for a code issued without a challenge', async () => {
    const { code } = await codeFor(web, { pkce: false });
    const response = await redeemRequest(web, code, { code_verifier: 'v'.repeat(43) });
    assertOAuthError(response, 400, 'invalid_grant');
  });

  it('refuses a wrong verifier and uses the code up: the right verifier then fails too', async () => {
    const { code, verifier } = await codeFor(spa);
    assertOAuthError(await redeemRequest(spa, code, { code_verifier: 'w'.repeat(43) }), 400, 'invalid_grant');
    assertOAuthError(await redeemRequest(spa, code, { code_verifier: verifier ?? '' }), 400, 'invalid_grant');
  });

  for (const [what, verifier] of [
    ['shorter than 43 characters', 'v'.repeat(42)],
    ['longer than 128 characters', 'v'.repeat(129)],
    ['outside the unreserved alphabet', `${'v'.repeat(42)}/`],
  ] as const) {
    it(`refuses a verifier ${what} with invalid_request`, async () => {
      const { code } = await codeFor(spa);
      assertOAuthError(await redeemRequest(spa, code, { code_verifier: verifier }), 400, 'invalid_request');
    });
  }
});

describe('client authentication at the token endpoint (RFC 6749 §2.3.1, §5.2)', () => {
  const ccParams = () => ({ grant_type: 'client_credentials', resource: api.indicator, scope: 'read' });

  it('answers a wrong secret sent with Basic with 401 invalid_client and a Basic challenge', async () => {
    const response = await tokenRequest(t, { id: machine.id, secret: 'wrong-secret' }, ccParams());
    assertOAuthError(response, 401, 'invalid_client');
    // RFC 6749 §5.2: 401 with WWW-Authenticate "matching the authentication scheme used by the client".
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Basic /);
    assert.match(challenge, new RegExp(`realm="${t.url}/oidc"`));
    assert.match(challenge, /error="invalid_client"/);
  });

  it('answers a wrong secret sent in the body with 401 invalid_client', async () => {
    const response = await tokenRequest(t, { id: machine.id, secret: 'wrong-secret' }, ccParams(), 'post');
    assertOAuthError(response, 401, 'invalid_client');
  });

  it('answers an unknown client exactly like a wrong secret', async () => {
    const wrong = await tokenRequest(t, { id: machine.id, secret: 'wrong-secret' }, ccParams());
    const unknown = await tokenRequest(t, { id: 'no-such-client', secret: 'wrong-secret' }, ccParams());
    assertOAuthError(unknown, 401, 'invalid_client');
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal(
      unknown.headers.get('www-authenticate'),
      wrong.headers.get('www-authenticate'),
      'the challenge does not tell which one it was',
    );
  });

  it('refuses credentials sent both with Basic and in the body with invalid_request', async () => {
    const response = await postForm(
      t,
      '/oidc/token',
      { ...ccParams(), client_id: machine.id, client_secret: machine.secret ?? '' },
      { authorization: basicAuth(machine.id, machine.secret ?? '') },
    );
    assertOAuthError(response, 400, 'invalid_request');
  });

  it('accepts client_secret_post and client_secret_basic for the same confidential app', async () => {
    const { code, verifier } = await codeFor(web);
    const byPost = await tokenRequest(
      t,
      web,
      { grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: verifier ?? '' },
      'post',
    );
    assert.equal(byPost.status, 200, JSON.stringify(byPost.body));
    const byBasic = await refresh(web, String(byPost.body.refresh_token));
    assert.equal(byBasic.status, 200, JSON.stringify(byBasic.body));
    for (const auth of ['basic', 'post'] as const) {
      const response = await tokenRequest(t, machine, ccParams(), auth);
      assert.equal(response.status, 200, `${auth}: ${JSON.stringify(response.body)}`);
    }
  });

  it('refuses a secret once it has expired, and keeps accepting the unexpired one', async () => {
    const added = await manage(t, 'POST', `/api/applications/${machine.id}/secrets`, {
      name: 'rotating',
      expiresAt: Date.now() + 3_600_000,
    });
    const expiring: Client = { id: machine.id, secret: String(added.value) };
    assert.equal((await tokenRequest(t, expiring, ccParams())).status, 200);

    await t.registry.db.kysely
      .updateTable('application_secrets')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('application_id', '=', machine.id)
      .where('name', '=', 'rotating')
      .execute();
    await t.registry.changes.publish({ topic: 'applications', key: machine.id });

    for (const auth of ['basic', 'post'] as const) {
      assertOAuthError(await tokenRequest(t, expiring, ccParams(), auth), 401, 'invalid_client');
    }
    assert.equal((await tokenRequest(t, machine, ccParams())).status, 200);
  });

  it('refuses a client assertion from a client registered for client_secret_basic', async () => {
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
      Buffer.from(
        JSON.stringify({
          iss: machine.id,
          sub: machine.id,
          aud: `${t.url}/oidc/token`,
          jti: 'j1',
          exp: Math.floor(Date.now() / 1000) + 60,
        }),
      ).toString('base64url'),
      '',
    ].join('.');
    const response = await postForm(t, '/oidc/token', {
      ...ccParams(),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: unsigned,
    });
    assertOAuthError(response, 401, 'invalid_client');
  });
});

describe('refresh token rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  it('refuses a rotated token replayed within the grace window, and the newest token still works', async () => {
    const first = await tokensFor(web);
    const rotated = await refresh(web, first.refresh_token);
    assert.equal(rotated.status, 200);
    const newest = String(rotated.body.refresh_token);
    assert.notEqual(newest, first.refresh_token);

    assertOAuthError(await refresh(web, first.refresh_token), 400, 'invalid_grant');
    const next = await refresh(web, newest);
    assert.equal(next.status, 200, JSON.stringify(next.body));
  });

  it('revokes the whole family when a rotated token comes back after the grace window', async () => {
    const first = await tokensFor(web);
    const rotated = await refresh(web, first.refresh_token);
    assert.equal(rotated.status, 200);
    const newest = String(rotated.body.refresh_token);
    const newestAccess = String(rotated.body.access_token);

    await backdateConsumption(t, 'RefreshToken', first.refresh_token, 60);
    assertOAuthError(await refresh(web, first.refresh_token), 400, 'invalid_grant');
    assertOAuthError(await refresh(web, newest), 400, 'invalid_grant');
    assert.equal((await introspect(t, web, newestAccess)).active, false, 'the family’s access token too');
  });

  it('answers exactly one of 20 concurrent refreshes with one token', async () => {
    const { refresh_token: token } = await tokensFor(web);
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(web, token)));
    assert.deepEqual(statuses(responses), [200, ...Array<number>(19).fill(400)]);
    const winner = responses.find((response) => response.status === 200);
    const next = await refresh(web, String(winner?.body.refresh_token));
    assert.equal(next.status, 200, 'the one new token is good: the losers did not revoke the family');
  });

  it("refuses another client's refresh token", async () => {
    const { refresh_token: token } = await tokensFor(web);
    assertOAuthError(await refresh(twin, token), 400, 'invalid_grant');
  });

  it('refuses a scope broader than the grant with invalid_scope', async () => {
    const { refresh_token: token } = await tokensFor(web);
    const response = await refresh(web, token, { scope: 'openid offline_access email' });
    assertOAuthError(response, 400, 'invalid_scope');
  });
});

describe('client_credentials grant (RFC 6749 §4.4, §5.2)', () => {
  const scopesOf = (accessToken: string) => String(decodeJwt(accessToken).scope).split(' ');

  it('never grants a scope of the resource the app was not given by a role', async () => {
    const both = await tokenRequest(t, machine, {
      grant_type: 'client_credentials',
      resource: api.indicator,
      scope: 'read write',
    });
    assert.equal(both.status, 200, JSON.stringify(both.body));
    assert.equal(both.body.scope, 'read');
    assert.deepEqual(scopesOf(String(both.body.access_token)), ['read']);

    const onlyUnassigned = await tokenRequest(t, machine, {
      grant_type: 'client_credentials',
      resource: api.indicator,
      scope: 'write',
    });
    // Nothing of what was asked is granted: the token carries no scope (RFC 6749 §3.3 has no empty scope value, so
    // the response omits it; the JWT's claim is the empty string, SPEC §2).
    assert.equal(onlyUnassigned.status, 200, JSON.stringify(onlyUnassigned.body));
    assert.equal(onlyUnassigned.body.scope, undefined);
    assert.equal(decodeJwt(String(onlyUnassigned.body.access_token)).scope, '');
  });

  for (const [name, client] of [
    ['a SPA', () => spa],
    ['a traditional web app', () => web],
  ] as const) {
    it(`refuses the grant to ${name}, which is not registered for it, with unauthorized_client`, async () => {
      const response = await tokenRequest(t, client(), {
        grant_type: 'client_credentials',
        resource: api.indicator,
        scope: 'read',
      });
      assertOAuthError(response, 400, 'unauthorized_client');
    });
  }

  it('refuses an unknown grant_type with unsupported_grant_type', async () => {
    const response = await tokenRequest(t, machine, { grant_type: 'urn:example:made-up' });
    assertOAuthError(response, 400, 'unsupported_grant_type');
  });
});

describe('token endpoint requests and responses (RFC 6749 §3.2, §5.1, §5.2)', () => {
  const credentials = () =>
    `client_id=${machine.id}&client_secret=${encodeURIComponent(machine.secret ?? '')}`;

  it('refuses a repeated parameter with invalid_request', async () => {
    const response = await postForm(
      t,
      '/oidc/token',
      `grant_type=client_credentials&grant_type=client_credentials&${credentials()}`,
    );
    assertOAuthError(response, 400, 'invalid_request');
  });

  for (const path of ['/oidc/token', '/oidc/token/introspection', '/oidc/token/revocation']) {
    it(`answers GET ${path} with 405, Allow: POST and an OAuth error`, async () => {
      const response = await fetch(`${t.url}${path}?grant_type=client_credentials&${credentials()}`);
      const body = (await response.json()) as { error?: string };
      assert.equal(response.status, 405);
      assert.match(response.headers.get('allow') ?? '', /\bPOST\b/);
      assert.equal(body.error, 'invalid_request');
      assert.equal(response.headers.get('cache-control'), 'no-store');
    });
  }

  it('refuses a JSON body with invalid_request', async () => {
    const response = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth(machine.id, machine.secret ?? ''),
      },
      body: JSON.stringify({ grant_type: 'client_credentials', resource: api.indicator }),
    });
    assertOAuthError(
      { status: response.status, headers: response.headers, body: (await response.json()) as ResponseJson },
      400,
      'invalid_request',
    );
  });

  it('marks every token response, success or error, Cache-Control: no-store', async () => {
    const { code, verifier } = await codeFor(web);
    const issued = await redeemRequest(web, code, { code_verifier: verifier ?? '' });
    const refreshed = await refresh(web, String(issued.body.refresh_token));
    const machineToken = await tokenRequest(t, machine, {
      grant_type: 'client_credentials',
      resource: api.indicator,
    });
    for (const response of [issued, refreshed, machineToken]) {
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }
    const failures = [
      await redeemRequest(web, code, { code_verifier: verifier ?? '' }),
      await tokenRequest(t, { id: machine.id, secret: 'nope' }, { grant_type: 'client_credentials' }),
      await postForm(t, '/oidc/token', 'grant_type=client_credentials&grant_type=x'),
    ];
    assert.deepEqual(statuses(failures), [400, 400, 401]);
    for (const response of failures) assert.equal(response.headers.get('cache-control'), 'no-store');
  });
});
