import type { z } from 'zod';
import { buildAuthorizationUrl, withOpenidScope } from './authorization-request.ts';
import { readCallback } from './callback.ts';
import type { OutboundFetch, SocialConnector } from './connector.ts';
import { SocialSignInError } from './errors.ts';
import { allowedAlgorithms, durationSeconds, verifyIdToken } from './id-token.ts';
import type { JwksCache } from './jwks.ts';
import { profileFromClaims } from './profile.ts';
import { OidcConnectorConfig } from './schemas.ts';
import { refreshTokens, requestTokens } from './token-request.ts';
import { defaultUpstreamTimeoutMs } from './upstream-request.ts';

export type OidcConnectorDeps = {
  fetch: OutboundFetch;
  /** The server's one JWKS cache (`createJwksCache`). */
  jwks: JwksCache;
  /** The clock of the ID token checks when the config sets no `currentDate` (tests fake it). */
  now?: () => Date;
  /** Deadline of the token request (default 5 s). */
  timeoutMs?: number;
};

/**
 * The generic OIDC connector (factory id `oidc`), authorization code flow only:
 * authorization request (PKCE S256, nonce, `openid` scope) → callback (RFC 9207 `iss`, `error`, `code`) →
 * token request (the configured client authentication) → ID token verification → profile from the claims.
 * The config is parsed again here, so a config that skipped the framework's validation (say, one allowing
 * HS256) is refused when the connector is created, not when a user signs in.
 */
export const createOidcConnector = (
  input: z.input<typeof OidcConnectorConfig>,
  deps: OidcConnectorDeps,
): SocialConnector => {
  const config = OidcConnectorConfig.parse(input);
  const verification = config.idTokenVerificationConfig;
  const algorithms = allowedAlgorithms(verification.algorithms);
  for (const duration of [verification.clockTolerance, verification.maxTokenAge]) {
    if (duration !== undefined) durationSeconds(duration);
  }
  const issuers =
    verification.issuer === undefined
      ? undefined
      : Array.isArray(verification.issuer)
        ? verification.issuer
        : [verification.issuer];
  const scope = withOpenidScope(config.scope);
  const timeoutMs = deps.timeoutMs ?? defaultUpstreamTimeoutMs;

  return {
    authorizationUrl: ({ redirectUri, state, nonce, codeChallenge }) =>
      buildAuthorizationUrl({
        authorizationEndpoint: config.authorizationEndpoint,
        clientId: config.clientId,
        redirectUri,
        scope,
        state,
        nonce,
        codeChallenge,
        optional: config.authRequestOptionalConfig,
        customConfig: config.customConfig,
      }),

    async finish({ params, redirectUri, nonce, codeVerifier }) {
      const { code, iss } = readCallback(params, issuers);
      const { tokens } = await requestTokens(
        config,
        { code, redirectUri, codeVerifier },
        { fetch: deps.fetch, timeoutMs },
      );
      if (!tokens.idToken) throw new SocialSignInError('social.id_token_missing');
      const claims = await verifyIdToken(tokens.idToken, {
        keys: deps.jwks.get(verification.jwksUri),
        verification,
        algorithms,
        clientId: config.clientId,
        nonce,
        now: deps.now,
      });
      // RFC 9207 §2.4 with no issuer configured: the response's `iss` must at least be the ID token's issuer.
      if (iss !== undefined && iss !== claims.iss) {
        throw new SocialSignInError('social.issuer_mismatch', {
          reason: 'iss parameter differs from the ID token',
        });
      }
      return { profile: profileFromClaims(claims, config.acceptStringEmailVerified), tokens };
    },

    refresh: (refreshToken) => refreshTokens(config, refreshToken, { fetch: deps.fetch, timeoutMs }),
  };
};
