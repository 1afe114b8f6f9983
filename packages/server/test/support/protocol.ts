import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { digest } from '../../src/oidc/adapter.ts';
import type { ResponseJson } from './http.ts';
import { managementHeaders } from './management.ts';
import type { createBrowser } from './oidc.ts';
import type { TestServer } from './server.ts';

/**
 * Raw protocol requests for the negative tests (SECURITY-TESTS A): form posts to the token endpoint with the
 * client authentication chosen per request, an authorization run through a browser, and direct edits of the
 * stored codes and tokens (instead of waiting for them to expire).
 */

export type Client = { id: string; secret?: string | undefined };
export type Browser = ReturnType<typeof createBrowser>;
export type OAuthResponse = { status: number; headers: Headers; body: ResponseJson };

/** RFC 6749 §2.3.1: client id and secret, form-urlencoded, then base64 in a Basic header. */
export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** An RFC 7636 §4.1 code verifier (43 characters) and its S256 challenge. */
export const pkcePair = (verifier = randomBytes(32).toString('base64url')) => ({
  verifier,
  challenge: createHash('sha256').update(verifier).digest('base64url'),
});

const readBody = async (response: Response): Promise<ResponseJson> => {
  const text = await response.text();
  try {
    return JSON.parse(text) as ResponseJson;
  } catch {
    return { text };
  }
};

/** POSTs a form body (a string is sent verbatim, so parameters may repeat) to `path`. */
export const postForm = async (
  t: TestServer,
  path: string,
  body: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<OAuthResponse> => {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body),
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
};

/**
 * A token request. Confidential clients authenticate with `client_secret_basic` unless `auth` says `post`;
 * public clients send only `client_id` (`none`).
 */
export const tokenRequest = (
  t: TestServer,
  client: Client,
  params: Record<string, string>,
  auth: 'basic' | 'post' = 'basic',
) => {
  if (client.secret === undefined) return postForm(t, '/oidc/token', { client_id: client.id, ...params });
  if (auth === 'post') {
    return postForm(t, '/oidc/token', { client_id: client.id, client_secret: client.secret, ...params });
  }
  return postForm(t, '/oidc/token', params, { authorization: basicAuth(client.id, client.secret) });
};

/** RFC 7662 introspection, authenticated as `client`. */
export const introspect = async (t: TestServer, client: Client, token: string) => {
  const response = await postForm(
    t,
    '/oidc/token/introspection',
    { token },
    {
      authorization: basicAuth(client.id, client.secret ?? ''),
    },
  );
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as ResponseJson & { active: boolean; scope?: string };
};

/** Asserts an OAuth error response (RFC 6749 §5.2) with this status and `error`, never cacheable. */
export const assertOAuthError = (response: OAuthResponse, status: number, error: string) => {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.error, error, JSON.stringify(response.body));
  assert.equal(typeof response.body.error_description, 'string');
  assert.equal(response.headers.get('cache-control'), 'no-store');
};

export const authorizationUrl = (t: TestServer, params: Record<string, string | undefined>) => {
  const url = new URL(`${t.url}/oidc/auth`);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
};

/**
 * Runs an authorization request through `browser` (the sign-in stand-in finishes the interaction) and answers
 * the code and the parameters of the redirect back to `redirectUri`. PKCE (S256) unless `pkce: false`.
 */
export const authorize = async (
  t: TestServer,
  browser: Browser,
  client: Client,
  options: {
    redirectUri: string;
    scope?: string;
    pkce?: boolean;
    extra?: Record<string, string>;
  },
) => {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const pkce = options.pkce !== false;
  const url = authorizationUrl(t, {
    client_id: client.id,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid offline_access',
    state,
    prompt: 'consent',
    ...(pkce ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...options.extra,
  });
  const returned = await browser.follow(url, options.redirectUri);
  assert.ok(returned.url.startsWith(options.redirectUri), `authorization ended at ${returned.url}`);
  const params = new URL(returned.url).searchParams;
  const code = params.get('code');
  assert.ok(code, `no code in ${returned.url}`);
  assert.equal(params.get('state'), state);
  return { code, verifier: pkce ? verifier : undefined, params };
};

/** Redeems a code (RFC 6749 §4.1.3) and asserts success. */
export const redeem = async (
  t: TestServer,
  client: Client,
  code: string,
  redirectUri: string,
  verifier?: string,
) => {
  const response = await tokenRequest(t, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    ...(verifier ? { code_verifier: verifier } : {}),
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as ResponseJson & {
    access_token: string;
    refresh_token?: string;
    id_token?: string;
    scope?: string;
  };
};

/**
 * Stored codes and opaque tokens are keyed by the SHA-256 of their value (adapter.ts); these move their
 * timestamps instead of waiting. Each asserts it changed exactly one row.
 */
export const expireStored = async (t: TestServer, model: string, value: string) => {
  const result = await t.registry.db.kysely
    .updateTable('oidc_model_instances')
    .set({ expires_at: sql<Date>`now() - interval '1 second'` })
    .where('model_name', '=', model)
    .where('id', '=', digest(value))
    .executeTakeFirst();
  assert.equal(result.numUpdatedRows, 1n, `no ${model} row for that value`);
};

export const backdateConsumption = async (t: TestServer, model: string, value: string, seconds: number) => {
  const result = await t.registry.db.kysely
    .updateTable('oidc_model_instances')
    .set({ consumed_at: sql<Date>`consumed_at - make_interval(secs => ${seconds})` })
    .where('model_name', '=', model)
    .where('id', '=', digest(value))
    .where('consumed_at', 'is not', null)
    .executeTakeFirst();
  assert.equal(result.numUpdatedRows, 1n, `no consumed ${model} row for that value`);
};

/** A Management API call as the bootstrap admin app; asserts the expected status. */
export const manage = async (t: TestServer, method: string, path: string, body?: unknown, status = 201) => {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: { ...(await managementHeaders(t)), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await readBody(response)) as ResponseJson & { id: string };
  assert.equal(response.status, status, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
};

/** An API resource with these scopes (Management API); answers its id, indicator and scope ids by name. */
export const createResource = async (t: TestServer, scopes: string[]) => {
  const indicator = `https://api.example.com/${randomBytes(6).toString('hex')}`;
  const resource = await manage(t, 'POST', '/api/resources', { name: 'Protected API', indicator });
  const scopeIds: Record<string, string> = {};
  for (const name of scopes) {
    scopeIds[name] = (await manage(t, 'POST', `/api/resources/${resource.id}/scopes`, { name })).id;
  }
  return { id: resource.id, indicator, scopeIds };
};
