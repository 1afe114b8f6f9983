import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { managementApi } from '../src/db/schema.ts';
import { managementHeaders } from './support/management.ts';
import { createApplication, createBrowser, createUser, signInAs } from './support/oidc.ts';
import {
  authorize,
  basicAuth,
  type Client,
  createResource,
  expireStored,
  postForm,
  redeem,
  tokenRequest,
} from './support/protocol.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * What the issued tokens are good for, and where they are refused (SECURITY-TESTS A12, A13, A15): ID token
 * signatures, the userinfo endpoint, the Management API guard, and the discovery document.
 */

const callback = 'https://app.example.com/app/callback';

let t: TestServer;
let issuer: string;
let discovery: Record<string, unknown>;
const signIn = signInAs();
let web: Client;
let userId: string;

before(async () => {
  t = await startTestServer({ extraRoutes: [signIn.routes] });
  userId = await createUser(t, { email: 'resources@example.com' });
  signIn.state.accountId = userId;
  web = await createApplication(t, { type: 'Traditional', redirectUris: [callback] });
  const response = await fetch(`${t.url}/oidc/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  discovery = (await response.json()) as Record<string, unknown>;
  issuer = String(discovery.issuer);
});
after(() => t.stop());

const signInTokens = async (scope = 'openid') => {
  const { code, verifier } = await authorize(t, createBrowser(), web, { redirectUri: callback, scope });
  return redeem(t, web, code, callback, verifier);
};

const jwks = async () => (await (await fetch(`${t.url}/oidc/jwks`)).json()) as JSONWebKeySet;

/** An unsigned JWT (`alg: none`) with these claims. */
const unsignedJwt = (payload: Record<string, unknown>, typ = 'JWT') =>
  [
    Buffer.from(JSON.stringify({ alg: 'none', typ })).toString('base64url'),
    Buffer.from(JSON.stringify(payload)).toString('base64url'),
    '',
  ].join('.');

const now = () => Math.floor(Date.now() / 1000);

describe('ID token (OIDC Core §2, §3.1.3.7; RFC 8725 §3.1)', () => {
  it('is signed with ES256 by a key published in JWKS, iss byte-equal to discovery, aud the app id string', async () => {
    const { id_token: idToken } = await signInTokens();
    assert.ok(idToken);
    const header = decodeProtectedHeader(idToken);
    assert.equal(header.alg, 'ES256');
    const published = await jwks();
    assert.ok(header.kid, 'the header names its key');
    assert.ok(
      published.keys.some((key) => key.kid === header.kid),
      'the kid is in /oidc/jwks',
    );

    const { payload } = await jwtVerify(idToken, createLocalJWKSet(published), {
      issuer,
      audience: web.id,
      algorithms: ['ES256'],
    });
    assert.equal(payload.iss, issuer, 'byte for byte');
    assert.equal(issuer, `${t.url}/oidc`);
    assert.equal(typeof payload.aud, 'string');
    assert.equal(payload.aud, web.id);
    assert.equal(payload.sub, userId);
  });

  it('never advertises or uses alg none', async () => {
    const algs = discovery.id_token_signing_alg_values_supported as string[];
    assert.ok(Array.isArray(algs) && algs.length > 0);
    assert.ok(!algs.includes('none'));
    for (const key of (await jwks()).keys) {
      assert.notEqual(key.alg, 'none');
      assert.ok(key.kid);
      assert.equal((key as { d?: string }).d, undefined, 'public parts only');
    }
  });
});

describe('userinfo endpoint (OIDC Core §5.3.3, RFC 6750 §2, §3.1)', () => {
  const me = (token: string) => fetch(`${t.url}/oidc/me`, { headers: { authorization: `Bearer ${token}` } });

  const assertInvalidToken = async (response: Response) => {
    const body = (await response.json()) as { error?: string };
    assert.equal(response.status, 401, JSON.stringify(body));
    assert.equal(body.error, 'invalid_token');
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /error="invalid_token"/);
  };

  it('answers a valid access token (the control for the cases below)', async () => {
    const { access_token: token } = await signInTokens();
    const response = await me(token);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sub?: string }).sub, userId);
  });

  it('refuses an expired access token with 401 invalid_token', async () => {
    const { access_token: token } = await signInTokens();
    await expireStored(t, 'AccessToken', token);
    await assertInvalidToken(await me(token));
  });

  it('refuses a revoked access token with 401 invalid_token', async () => {
    const { access_token: token } = await signInTokens();
    const revoked = await postForm(
      t,
      '/oidc/token/revocation',
      { token },
      { authorization: basicAuth(web.id, web.secret ?? '') },
    );
    assert.equal(revoked.status, 200);
    await assertInvalidToken(await me(token));
  });

  it('refuses a forged access token with 401 invalid_token', async () => {
    const { access_token: token } = await signInTokens();
    const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await assertInvalidToken(await me(forged));
  });

  it('refuses an unsigned JWT (alg none) with 401 invalid_token', async () => {
    const jwt = unsignedJwt(
      {
        iss: issuer,
        sub: userId,
        aud: web.id,
        client_id: web.id,
        scope: 'openid',
        exp: now() + 600,
        iat: now(),
      },
      'at+jwt',
    );
    await assertInvalidToken(await me(jwt));
  });

  it('refuses an access token in the query string (RFC 9700 §4.3.2) and does not answer claims', async () => {
    const { access_token: token } = await signInTokens();
    const response = await fetch(`${t.url}/oidc/me?access_token=${encodeURIComponent(token)}`);
    const body = (await response.json()) as { error?: string; sub?: string };
    // RFC 6750 §3.1: a request with an unsupported parameter is invalid_request (400), not invalid_token.
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(body.error, 'invalid_request');
    assert.equal(body.sub, undefined);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_request"/);
  });
});

describe('Management API guard (SPEC §4, RFC 6750 §3.1, RFC 9068 §4)', () => {
  const endpoints = [
    ['GET', '/api/applications'],
    ['POST', '/api/applications'],
    ['GET', '/api/resources'],
    ['GET', '/api/roles'],
  ] as const;

  const tokens = {} as Record<'user' | 'otherResource' | 'noScope' | 'unsigned', string>;

  before(async () => {
    tokens.user = (await signInTokens()).access_token;

    // A machine app with a role on another API: its token is a real, valid JWT, for the wrong audience.
    const machine = await createApplication(t, { type: 'MachineToMachine' });
    const api = await createResource(t, ['read']);
    const otherToken = await tokenRequest(t, machine, {
      grant_type: 'client_credentials',
      resource: api.indicator,
    });
    assert.equal(otherToken.status, 200, JSON.stringify(otherToken.body));
    tokens.otherResource = String(otherToken.body.access_token);

    // A machine app without any role: a valid management token, but its scope is empty.
    const noRole = await createApplication(t, { type: 'MachineToMachine' });
    const noScope = await tokenRequest(t, noRole, {
      grant_type: 'client_credentials',
      resource: managementApi.indicator,
      scope: managementApi.scope,
    });
    assert.equal(noScope.status, 200, JSON.stringify(noScope.body));
    tokens.noScope = String(noScope.body.access_token);
    assert.equal(decodeJwt(tokens.noScope).aud, managementApi.indicator);
    assert.equal(decodeJwt(tokens.noScope).scope, '', 'the unassigned scope is not granted');

    tokens.unsigned = unsignedJwt(
      {
        iss: issuer,
        sub: 'intruder',
        aud: managementApi.indicator,
        scope: managementApi.scope,
        client_id: 'intruder',
        exp: now() + 600,
        iat: now(),
      },
      'at+jwt',
    );
  });

  const call = (method: string, path: string, authorization?: string) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(authorization ? { authorization: `Bearer ${authorization}` } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify({ name: 'Should not exist', type: 'SPA' }) } : {}),
    });

  const assertRefused = async (response: Response, status: 401 | 403) => {
    const body = (await response.json()) as { code?: string };
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.code, status === 401 ? 'auth.invalid_token' : 'auth.insufficient_scope');
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    if (status === 403) assert.match(challenge, /error="insufficient_scope"/);
  };

  for (const [method, path] of endpoints) {
    it(`${method} ${path}: 401 without a token`, async () => {
      await assertRefused(await call(method, path), 401);
    });

    it(`${method} ${path}: 401 with a user's opaque access token`, async () => {
      await assertRefused(await call(method, path, tokens.user), 401);
    });

    it(`${method} ${path}: 401 with a machine token for another resource`, async () => {
      await assertRefused(await call(method, path, tokens.otherResource), 401);
    });

    it(`${method} ${path}: 401 with an unsigned (alg none) management token`, async () => {
      await assertRefused(await call(method, path, tokens.unsigned), 401);
    });

    it(`${method} ${path}: 403 auth.insufficient_scope with a management token without the "all" scope`, async () => {
      await assertRefused(await call(method, path, tokens.noScope), 403);
    });
  }

  it('created nothing through the refused POSTs', async () => {
    const response = await fetch(`${t.url}/api/applications?search=Should%20not%20exist`, {
      headers: await managementHeaders(t),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), []);
  });
});

describe('discovery (OIDC Discovery 1.0 §3, RFC 8414 §2, SPEC §2)', () => {
  it('lists every field SPEC §2 names, with the endpoints under the issuer', () => {
    const required = [
      'issuer',
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'response_types_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
      'scopes_supported',
      'claims_supported',
      'code_challenge_methods_supported',
      'token_endpoint_auth_methods_supported',
      'grant_types_supported',
      'authorization_response_iss_parameter_supported',
    ];
    const missing = required.filter((field) => discovery[field] === undefined);
    assert.deepEqual(missing, []);
    assert.equal(issuer, `${t.url}/oidc`);
    assert.deepEqual(
      {
        authorization_endpoint: discovery.authorization_endpoint,
        token_endpoint: discovery.token_endpoint,
        userinfo_endpoint: discovery.userinfo_endpoint,
        jwks_uri: discovery.jwks_uri,
        end_session_endpoint: discovery.end_session_endpoint,
        revocation_endpoint: discovery.revocation_endpoint,
        introspection_endpoint: discovery.introspection_endpoint,
      },
      {
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/me`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/session/end`,
        revocation_endpoint: `${issuer}/token/revocation`,
        introspection_endpoint: `${issuer}/token/introspection`,
      },
    );
  });

  it('advertises S256 only, the code response type only, and the iss response parameter', () => {
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.response_types_supported, ['code']);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
  });

  it('advertises the grants and client authentication methods SPEC §2 requires', () => {
    const grants = discovery.grant_types_supported as string[];
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) {
      assert.ok(grants.includes(grant), grant);
    }
    assert.ok(!grants.includes('implicit'), 'no implicit grant');
    const methods = discovery.token_endpoint_auth_methods_supported as string[];
    for (const method of ['client_secret_basic', 'client_secret_post', 'none']) {
      assert.ok(methods.includes(method), method);
    }
    for (const scope of ['openid', 'offline_access', 'profile', 'email']) {
      assert.ok((discovery.scopes_supported as string[]).includes(scope), scope);
    }
  });
});
