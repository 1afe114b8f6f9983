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
};

export { type SocialErrorCode, SocialSignInError, socialErrors } from './errors.ts';
export { createJwksCache, type JwksCache } from './jwks.ts';
export { createOAuth2Connector } from './oauth2.ts';
export { createOidcConnector } from './oidc.ts';
