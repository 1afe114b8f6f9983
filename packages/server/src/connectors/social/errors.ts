/**
 * Why a social sign-in attempt failed. One stable dotted code per failure (never renamed: the hosted pages
 * and the logs key on them); the message is generic and never carries the client secret, the authorization
 * code, the code verifier or a token.
 */
export const socialErrors = {
  'social.upstream_error': 'The provider did not complete the sign-in.',
  'social.issuer_mismatch': 'The authorization response names another issuer (RFC 9207).',
  'social.code_missing': 'The provider answered without an authorization code.',
  'social.token_request_failed': 'The provider refused to exchange the authorization code.',
  'social.token_response_invalid': 'The provider answered the token request with an unreadable response.',
  'social.id_token_missing': 'The provider answered the token request without an ID token.',
  'social.id_token_invalid': 'The ID token from the provider is not valid.',
  'social.nonce_mismatch': 'The ID token was not issued for this sign-in attempt (nonce).',
  'social.jwks_unavailable': "The provider's signing keys (JWKS) could not be fetched.",
  'social.userinfo_failed': 'The profile could not be read from the provider.',
  'social.timeout': 'The provider did not answer in time.',
  'social.refresh_refused':
    'The provider refused the refresh token (invalid_grant): it was revoked or expired.',
} as const;

export type SocialErrorCode = keyof typeof socialErrors;

export type SocialErrorDetails = {
  /** The upstream OAuth `error` value (RFC 6749 §4.1.2.1, §5.2), e.g. `access_denied`, `invalid_grant`. */
  upstreamError?: string | undefined;
  /** The upstream `error_description`, cut to a safe charset and length; for display and logs. */
  upstreamErrorDescription?: string | undefined;
  /** The upstream `error_uri`, when it is an http(s) URL. */
  upstreamErrorUri?: string | undefined;
  /** A short machine-readable detail for logs, e.g. `ERR_JWT_EXPIRED`, `aud`, `status 502`. */
  reason?: string | undefined;
};

export class SocialSignInError extends Error {
  override readonly name = 'SocialSignInError';
  readonly upstreamError: string | undefined;
  readonly upstreamErrorDescription: string | undefined;
  readonly upstreamErrorUri: string | undefined;
  readonly reason: string | undefined;

  constructor(
    readonly code: SocialErrorCode,
    details: SocialErrorDetails = {},
    options?: ErrorOptions,
  ) {
    const suffix = [details.upstreamError, details.reason].filter(Boolean).join(', ');
    super(suffix ? `${socialErrors[code]} (${suffix})` : socialErrors[code], options);
    this.upstreamError = details.upstreamError;
    this.upstreamErrorDescription = details.upstreamErrorDescription;
    this.upstreamErrorUri = details.upstreamErrorUri;
    this.reason = details.reason;
  }
}

// RFC 6749 §4.1.2.1 / §5.2: `error` and `error_description` are limited to %x20-21 / %x23-5B / %x5D-7E.
const oauthErrorChars = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * The upstream error fields in a form safe to show and log: the RFC charset, a bounded length, and none of
 * the values in `hide` (an upstream that echoes the code or our secret back does not get it into a log line).
 */
export const upstreamErrorDetails = (
  body: Record<string, unknown>,
  hide: ReadonlyArray<string | undefined> = [],
): SocialErrorDetails => {
  const clean = (value: unknown, max: number) => {
    if (typeof value !== 'string') return undefined;
    let text = value;
    for (const secret of hide) if (secret && secret.length >= 4) text = text.split(secret).join('[redacted]');
    text = text.replace(oauthErrorChars, '').slice(0, max);
    return text || undefined;
  };
  const uri = clean(body.error_uri, 512);
  return {
    upstreamError: clean(body.error, 64),
    upstreamErrorDescription: clean(body.error_description, 300),
    upstreamErrorUri: uri && /^https?:\/\//i.test(uri) ? uri : undefined,
  };
};
