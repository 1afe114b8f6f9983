import type { SocialProfile, SocialTokens } from './schemas.ts';

/**
 * The relying-party side of the social connectors (SPEC §6, issue 5 items 2-3): build the upstream
 * authorization URL, then turn the callback parameters into a verified profile. Pure of HTTP routing and
 * storage: the hosted pages keep `state`, `nonce` and the PKCE verifier server-side, bound to the browser's
 * interaction, check `state` themselves, and hand the rest in here.
 */

/** fetch-compatible: in the server the SSRF-guarded client of net/outbound.ts; tests may pass `globalThis.fetch`. */
export type { OutboundFetch } from '../../net/outbound.ts';

export type SocialConnector = {
  /** The upstream authorization URL for one sign-in attempt. */
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }): string;
  /**
   * Finishes one attempt from the callback parameters (query of a GET or body of a form_post), after the caller
   * has checked `state` against its server-side record. Throws `SocialSignInError` on any failure.
   */
  finish(input: {
    params: Record<string, string>;
    redirectUri: string;
    nonce: string;
    codeVerifier: string;
  }): Promise<{ profile: SocialProfile; tokens: SocialTokens }>;
  /**
   * RFC 6749 §6: new tokens for a stored refresh token, through the token endpoint with the configured client
   * authentication (SPEC §7 stored tokens). The answer holds an access token; a refresh token only when the
   * provider rotates it; an ID token only when the provider sends one (it is not verified: no identity is read
   * from it). Throws `SocialSignInError`: `social.refresh_refused` when the provider answers `invalid_grant` (the
   * grant is gone for good), `social.timeout`, `social.token_request_failed` or `social.token_response_invalid`
   * otherwise (worth retrying later).
   */
  refresh(refreshToken: string): Promise<SocialTokens>;
};

export { type SocialErrorCode, SocialSignInError, socialErrors } from './errors.ts';
export { createJwksCache, type JwksCache } from './jwks.ts';
export { createOAuth2Connector } from './oauth2.ts';
export { createOidcConnector } from './oidc.ts';
