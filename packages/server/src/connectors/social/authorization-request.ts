import type { z } from 'zod';
import type { AuthRequestOptionalConfig } from './schemas.ts';

type OptionalConfig = z.infer<typeof AuthRequestOptionalConfig>;

/**
 * `authRequestOptionalConfig` members and the OAuth/OIDC parameter each one becomes (OIDC Core §3.1.2.1).
 * `responseType` and `tokenEndpoint` are not here on purpose: only `response_type=code` is ever sent, and the
 * token endpoint is the top-level `tokenEndpoint` (Logto keeps both fields for compatibility; we accept and
 * ignore them).
 */
const optionalParams = {
  responseMode: 'response_mode',
  display: 'display',
  prompt: 'prompt',
  maxAge: 'max_age',
  uiLocales: 'ui_locales',
  idTokenHint: 'id_token_hint',
  loginHint: 'login_hint',
  acrValues: 'acr_values',
} as const satisfies Partial<Record<keyof OptionalConfig, string>>;

/** OIDC scope: the configured space-separated list with `openid` first when it is missing. */
export const withOpenidScope = (scope: string | undefined) => {
  const scopes = (scope ?? '').split(/\s+/).filter(Boolean);
  return (scopes.includes('openid') ? scopes : ['openid', ...scopes]).join(' ');
};

/**
 * RFC 6749 §4.1.1 authorization request with PKCE S256 (RFC 7636 §4.3). Parameters are layered, each layer
 * overriding the previous one: the query already in `authorizationEndpoint` (kept, e.g. a tenant or policy
 * parameter), then `customConfig`, then `authRequestOptionalConfig`, then the protocol parameters we own
 * (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`, `code_challenge`,
 * `code_challenge_method`), which nothing can replace.
 */
export const buildAuthorizationUrl = (input: {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string | undefined;
  state: string;
  nonce: string | undefined;
  codeChallenge: string;
  optional?: OptionalConfig | undefined;
  customConfig?: Record<string, string> | undefined;
}): string => {
  const url = new URL(input.authorizationEndpoint);
  const params = url.searchParams;
  for (const [name, value] of Object.entries(input.customConfig ?? {})) params.set(name, value);
  for (const [member, param] of Object.entries(optionalParams)) {
    const value = input.optional?.[member as keyof typeof optionalParams];
    if (value !== undefined && value !== '') params.set(param, String(value));
  }
  params.set('response_type', 'code');
  params.set('client_id', input.clientId);
  params.set('redirect_uri', input.redirectUri);
  if (input.scope) params.set('scope', input.scope);
  else params.delete('scope');
  params.set('state', input.state);
  if (input.nonce !== undefined) params.set('nonce', input.nonce);
  else params.delete('nonce');
  params.set('code_challenge', input.codeChallenge);
  params.set('code_challenge_method', 'S256');
  return url.toString();
};
