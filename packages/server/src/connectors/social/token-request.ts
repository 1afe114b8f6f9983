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
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
]);

/**
 * RFC 6749 §4.1.3 access token request with PKCE (RFC 7636 §4.5), authenticated by the configured method, and
 * the answer read as JSON (RFC 6749 §5.1) or, for `query-string` providers, as a form-encoded body.
 */
export const requestTokens = async (
  config: ClientConfig,
  input: { code: string; redirectUri: string; codeVerifier: string },
  deps: { fetch: OutboundFetch; timeoutMs: number; format?: 'json' | 'query-string' },
): Promise<{ tokens: SocialTokens; body: Record<string, unknown> }> => {
  const format = deps.format ?? 'json';
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(config.customConfig ?? {})) {
    if (!reservedTokenParams.has(name)) body.set(name, value);
  }
  body.set('grant_type', 'authorization_code');
  body.set('code', input.code);
  body.set('redirect_uri', input.redirectUri);
  body.set('code_verifier', input.codeVerifier);
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
  const hide = [config.clientSecret, input.code, input.codeVerifier];
  const parsed = format === 'json' ? parseJsonObject(answer.text) : parseFormBody(answer.text);
  const ok = answer.status >= 200 && answer.status < 300;
  // RFC 6749 §5.2 error response; some providers (GitHub) answer 200 with an `error` member.
  if (!ok || parsed?.error !== undefined) {
    throw new SocialSignInError('social.token_request_failed', {
      ...upstreamErrorDetails(parsed ?? {}, hide),
      reason: `status ${answer.status}`,
    });
  }
  if (!parsed) throw new SocialSignInError('social.token_response_invalid', { reason: `not ${format}` });
  return { tokens: readTokens(parsed), body: parsed };
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
