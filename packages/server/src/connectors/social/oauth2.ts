import type { z } from 'zod';
import { buildAuthorizationUrl } from './authorization-request.ts';
import { readCallback } from './callback.ts';
import type { OutboundFetch, SocialConnector } from './connector.ts';
import { SocialSignInError } from './errors.ts';
import { profileFromUserinfo } from './profile.ts';
import { OAuth2ConnectorConfig } from './schemas.ts';
import { refreshTokens, requestTokens } from './token-request.ts';
import { defaultUpstreamTimeoutMs, parseJsonObject, requestUpstream } from './upstream-request.ts';

export type OAuth2ConnectorDeps = {
  fetch: OutboundFetch;
  /** Deadline of the token request and, separately, of the userinfo request (default 5 s each). */
  timeoutMs?: number;
};

/**
 * The generic OAuth 2.0 connector (factory id `oauth2`): the OIDC connector's authorization request without
 * `nonce` and without adding `openid`, the token request with a JSON or form-encoded answer, then the profile
 * from `userInfoEndpoint` (GET, `Authorization: Bearer`) through `profileMap`. There is no ID token and no
 * configured issuer, so an RFC 9207 `iss` parameter cannot be checked and is ignored; mix-up is prevented by
 * each connector having its own redirect URI (`/callback/<id>`, RFC 9700 §4.4.2).
 */
export const createOAuth2Connector = (
  input: z.input<typeof OAuth2ConnectorConfig>,
  deps: OAuth2ConnectorDeps,
): SocialConnector => {
  const config = OAuth2ConnectorConfig.parse(input);
  const timeoutMs = deps.timeoutMs ?? defaultUpstreamTimeoutMs;

  return {
    authorizationUrl: ({ redirectUri, state, codeChallenge }) =>
      buildAuthorizationUrl({
        authorizationEndpoint: config.authorizationEndpoint,
        clientId: config.clientId,
        redirectUri,
        scope: config.scope?.trim() || undefined,
        state,
        nonce: undefined,
        codeChallenge,
        customConfig: config.customConfig,
      }),

    async finish({ params, redirectUri, codeVerifier }) {
      const { code } = readCallback(params, undefined);
      const { tokens } = await requestTokens(
        config,
        { code, redirectUri, codeVerifier },
        { fetch: deps.fetch, timeoutMs, format: config.tokenEndpointResponseType },
      );
      if (!tokens.accessToken) {
        throw new SocialSignInError('social.token_response_invalid', { reason: 'access_token missing' });
      }
      const answer = await requestUpstream(
        deps.fetch,
        config.userInfoEndpoint,
        {
          method: 'GET',
          headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' },
        },
        { timeoutMs, failure: 'social.userinfo_failed', tooLarge: 'social.userinfo_failed' },
      );
      if (answer.status < 200 || answer.status >= 300) {
        throw new SocialSignInError('social.userinfo_failed', { reason: `status ${answer.status}` });
      }
      const userinfo = parseJsonObject(answer.text);
      if (!userinfo) throw new SocialSignInError('social.userinfo_failed', { reason: 'not a JSON object' });
      const profile = profileFromUserinfo(userinfo, config.profileMap);
      if (!profile)
        throw new SocialSignInError('social.userinfo_failed', { reason: `no ${config.profileMap.id}` });
      return { profile, tokens };
    },

    refresh: (refreshToken) =>
      refreshTokens(config, refreshToken, {
        fetch: deps.fetch,
        timeoutMs,
        format: config.tokenEndpointResponseType,
      }),
  };
};
