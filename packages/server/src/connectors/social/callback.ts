import { SocialSignInError, upstreamErrorDetails } from './errors.ts';

/** The authorization response (RFC 6749 §4.1.2), after the caller has matched `state`. */
export type CallbackResult = { code: string; iss: string | undefined };

/**
 * Reads the callback parameters in this order:
 * 1. RFC 9207 §2.4: when the response carries `iss` and issuers are configured, `iss` must be one of them —
 *    checked first, so a mixed-up provider's error page is reported as the mix-up it is;
 * 2. RFC 6749 §4.1.2.1: an `error` ends the attempt before any token request (`social.upstream_error`);
 * 3. `code` must be present.
 * When no issuer is configured the `iss` value is returned for the caller to compare with the ID token's
 * `iss` claim (the OIDC connector does; see docs/connectors.md).
 */
export const readCallback = (
  params: Record<string, string>,
  issuers: readonly string[] | undefined,
): CallbackResult => {
  const iss = typeof params.iss === 'string' ? params.iss : undefined;
  if (iss !== undefined && issuers && !issuers.includes(iss)) {
    throw new SocialSignInError('social.issuer_mismatch', { reason: 'iss parameter' });
  }
  if (params.error !== undefined) {
    const details = upstreamErrorDetails(params);
    throw new SocialSignInError('social.upstream_error', {
      ...details,
      upstreamError: details.upstreamError ?? 'invalid_response',
    });
  }
  const code = params.code;
  if (typeof code !== 'string' || code === '') throw new SocialSignInError('social.code_missing');
  return { code, iss };
};
