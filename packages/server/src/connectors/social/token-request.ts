import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { OutboundFetch } from './connector.ts';
import { SocialSignInError, upstreamErrorDetails } from './errors.ts';
import type { OAuth2ConnectorConfig, OidcConnectorConfig, SocialTokens } from './schemas.ts';
import { parseJsonObject, requestUpstream } from './upstream-request.ts';

type ClientConfig = Pick<
  OidcConnectorConfig & OAuth2ConnectorConfig,
  | 'clientId'
  | 'clientSecret'
  | 'tokenEndpoint'
  | 'tokenEndpointAuthMethod'
  | 'clientSecretJwtSigningAlgorithm'
  | 'customConfig'
>;

/** RFC 7523 §2.2. */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Lifetime of a client_secret_jwt assertion: short, it is used once, right away. */
const assertionLifetimeSeconds = 60;

/** `application/x-www-form-urlencoded` of one value (the WHATWG serializer: space → `+`, `:` → `%3A`, …). */
export const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/**
 * RFC 6749 §2.3.1: the client id and secret are each form-encoded, then joined by `:` and base64-encoded. Without
 * the encoding step an id or secret holding `:`, `%` or `+` is read back differently by a conforming server.
 */
export const basicAuthorization = (clientId: string, clientSecret: string) =>
  `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;

/** OIDC Core §9 client_secret_jwt: an HMAC assertion keyed by the client secret, for the token endpoint only. */
export const clientSecretJwt = (config: ClientConfig) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: config.clientSecretJwtSigningAlgorithm })
    .setIssuer(config.clientId)
    .setSubject(config.clientId)
    .setAudience(config.tokenEndpoint)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + assertionLifetimeSeconds)
    .sign(new TextEncoder().encode(config.clientSecret));
};

// Parameters the token request owns; `customConfig` cannot replace them.
const reservedTokenParams = new Set([
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
]);

type TokenRequestDeps = { fetch: OutboundFetch; timeoutMs: number; format?: 'json' | 'query-string' };

/**
 * One token endpoint request (RFC 6749 §3.2) with the grant's parameters, authenticated by the configured method,
 * and the answer read as JSON (RFC 6749 §5.1) or, for `query-string` providers, as a form-encoded body. `hide`
 * lists the values an error description must never carry (the upstream may echo them back).
 */
const requestTokenEndpoint = async (
  config: ClientConfig,
  grant: Record<string, string>,
  deps: TokenRequestDeps,
  hide: ReadonlyArray<string | undefined>,
): Promise<{ tokens: SocialTokens; body: Record<string, unknown> }> => {
  const format = deps.format ?? 'json';
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(config.customConfig ?? {})) {
    if (!reservedTokenParams.has(name)) body.set(name, value);
  }
  for (const [name, value] of Object.entries(grant)) body.set(name, value);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept:
      format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded, application/json;q=0.5',
  };
  switch (config.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      headers.authorization = basicAuthorization(config.clientId, config.clientSecret);
      break;
    case 'client_secret_post':
      body.set('client_id', config.clientId);
      body.set('client_secret', config.clientSecret);
      break;
    case 'client_secret_jwt':
      body.set('client_id', config.clientId);
      body.set('client_assertion_type', jwtBearerAssertionType);
      body.set('client_assertion', await clientSecretJwt(config));
      break;
  }

  const answer = await requestUpstream(
    deps.fetch,
    config.tokenEndpoint,
    { method: 'POST', headers, body: body.toString() },
    {
      timeoutMs: deps.timeoutMs,
      failure: 'social.token_request_failed',
      tooLarge: 'social.token_response_invalid',
    },
  );
  const parsed = format === 'json' ? parseJsonObject(answer.text) : parseFormBody(answer.text);
  const ok = answer.status >= 200 && answer.status < 300;
  // RFC 6749 §5.2 error response; some providers (GitHub) answer 200 with an `error` member.
  if (!ok || parsed?.error !== undefined) {
    const details = upstreamErrorDetails(parsed ?? {}, [config.clientSecret, ...hide]);
    // RFC 6749 §5.2 invalid_grant on a refresh: the grant is gone (revoked, expired, rotated away). Told apart
    // from every other failure, because only this one means the stored refresh token will never work again.
    const refused = grant.grant_type === 'refresh_token' && details.upstreamError === 'invalid_grant';
    throw new SocialSignInError(refused ? 'social.refresh_refused' : 'social.token_request_failed', {
      ...details,
      reason: `status ${answer.status}`,
    });
  }
  if (!parsed) throw new SocialSignInError('social.token_response_invalid', { reason: `not ${format}` });
  return { tokens: readTokens(parsed), body: parsed };
};

/** RFC 6749 §4.1.3 access token request with PKCE (RFC 7636 §4.5). */
export const requestTokens = (
  config: ClientConfig,
  input: { code: string; redirectUri: string; codeVerifier: string },
  deps: TokenRequestDeps,
): Promise<{ tokens: SocialTokens; body: Record<string, unknown> }> =>
  requestTokenEndpoint(
    config,
    {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    },
    deps,
    [input.code, input.codeVerifier],
  );

/**
 * RFC 6749 §6 refresh: a new access token (and possibly a new refresh token, RFC 9700 §4.14 rotation) for a
 * stored refresh token, with the same client authentication and `customConfig` as the code exchange, and no
 * `scope` (the original grant's scope). The answer must hold an access token; an ID token is optional (OIDC Core
 * §12.2). `social.refresh_refused` when the provider answers `invalid_grant`, `social.token_request_failed` for
 * any other refusal, `social.timeout` past the deadline.
 */
export const refreshTokens = async (
  config: ClientConfig,
  refreshToken: string,
  deps: TokenRequestDeps,
): Promise<SocialTokens> => {
  const { tokens } = await requestTokenEndpoint(
    config,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    deps,
    [refreshToken],
  );
  if (!tokens.accessToken) {
    throw new SocialSignInError('social.token_response_invalid', { reason: 'access_token missing' });
  }
  return tokens;
};

const parseFormBody = (text: string): Record<string, unknown> | undefined => {
  // A JSON body in query-string mode is a configuration mistake, not a token response.
  if (/^\s*[{[]/.test(text)) return undefined;
  const params = new URLSearchParams(text.trim());
  return params.size > 0 ? Object.fromEntries(params) : undefined;
};

/** RFC 6749 §5.1 members, type-checked: a token that is not a string makes the whole response invalid. */
const readTokens = (body: Record<string, unknown>): SocialTokens => {
  const text = (name: string) => {
    const value = body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new SocialSignInError('social.token_response_invalid', { reason: `${name} is not a string` });
    }
    return value;
  };
  const expires = body.expires_in;
  let expiresIn: number | undefined;
  if (typeof expires === 'number' && Number.isFinite(expires)) expiresIn = expires;
  else if (typeof expires === 'string' && /^\d{1,10}$/.test(expires)) expiresIn = Number(expires);
  return {
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    scope: text('scope'),
    tokenType: text('token_type'),
    expiresIn,
  };
};
