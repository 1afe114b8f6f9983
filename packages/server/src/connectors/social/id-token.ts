import {
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
  type KeyObject,
} from 'jose';
import type { z } from 'zod';
import { SocialSignInError } from './errors.ts';
import type { JwksKeys } from './jwks.ts';
import { IdTokenAlgorithm, type IdTokenVerificationConfig } from './schemas.ts';

type VerificationConfig = z.infer<typeof IdTokenVerificationConfig>;

/**
 * The ID token algorithms Gatehouse will ever accept: the asymmetric ones of the config schema. Never `none`,
 * never an HMAC — with HS256 an attacker who knows the provider's *public* key could mint tokens
 * (SECURITY-TESTS C6). A configured `algorithms` list is intersected with this one.
 */
export const asymmetricIdTokenAlgorithms: readonly string[] = IdTokenAlgorithm.options;

/**
 * JWS header parameters that name or carry a verification key (RFC 7515 §4.1.2–4.1.6). Only the configured
 * `jwksUri` is trusted, so a token that points elsewhere is refused outright rather than silently verified
 * against the JWKS: its issuer does something we do not support, or someone is probing.
 */
const keyReferenceHeaders = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/** How far in the future `iat` may be, on top of `clockTolerance` (upstream clocks drift; a token is not minted next week). */
const iatFutureSlackSeconds = 5 * 60;

const durationPattern =
  /^(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)$/i;
const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_557_600 };

/** Seconds of a config duration (a number, or a jose time span such as "30 s", "5 minutes"); throws when invalid. */
export const durationSeconds = (value: number | string): number => {
  if (typeof value === 'number') return value;
  const match = durationPattern.exec(value.trim());
  if (!match?.[1] || !match[2]) throw new TypeError(`invalid duration "${value}"`);
  return Math.round(Number.parseFloat(match[1]) * (unitSeconds[match[2][0]?.toLowerCase() ?? 's'] ?? 1));
};

export type IdTokenCheck = {
  keys: JwksKeys;
  verification: VerificationConfig;
  /** The allow-list actually applied (see `allowedAlgorithms`). */
  algorithms: string[];
  clientId: string;
  /** The nonce sent in this attempt's authorization request (OIDC Core §3.1.2.1): the claim must equal it. */
  nonce: string;
  now?: (() => Date) | undefined;
};

/** The configured algorithms, minus anything that is not asymmetric; the full asymmetric list when none are set. */
export const allowedAlgorithms = (configured: readonly string[] | undefined): string[] => {
  const allowed = (configured ?? asymmetricIdTokenAlgorithms).filter((alg) =>
    asymmetricIdTokenAlgorithms.includes(alg),
  );
  if (allowed.length === 0)
    throw new TypeError('idTokenVerificationConfig.algorithms allows no asymmetric algorithm');
  return [...new Set(allowed)];
};

const invalid = (reason: string, cause?: unknown) =>
  new SocialSignInError('social.id_token_invalid', { reason }, cause === undefined ? undefined : { cause });

/**
 * OIDC Core §3.1.3.7 ID token validation. jose's `jwtVerify` checks the signature against the provider JWKS and
 * exactly the configured `idTokenVerificationConfig` options (`audience` defaulting to the client id), with
 * `sub`, `iat` and `exp` required; then, beyond jose: `sub` is a string of at most 255 characters, `iat` is not
 * in the future (more than `clockTolerance` + 5 min), several audiences require `azp` = client id, a present
 * `azp` must be the client id, and `nonce` must equal the one sent.
 */
export const verifyIdToken = async (
  idToken: string,
  check: IdTokenCheck,
): Promise<JWTPayload & { sub: string }> => {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(idToken);
  } catch (error) {
    throw invalid('malformed', error);
  }
  for (const name of keyReferenceHeaders) {
    if (name in header) throw invalid(`${name} header`);
  }

  const { verification } = check;
  const currentDate = verification.currentDate ?? check.now?.();
  const options: JWTVerifyOptions = {
    issuer: verification.issuer,
    audience: verification.audience ?? check.clientId,
    algorithms: check.algorithms,
    clockTolerance: verification.clockTolerance,
    crit: verification.crit,
    currentDate,
    maxTokenAge: verification.maxTokenAge,
    subject: verification.subject,
    typ: verification.typ,
    requiredClaims: ['sub', 'iat', 'exp'],
  };

  let payload: JWTPayload;
  try {
    payload = await verifyWithKeys(idToken, check.keys, options);
  } catch (error) {
    if (error instanceof SocialSignInError) throw error;
    if (error instanceof errors.JOSEError) {
      const claim = (error as { claim?: unknown }).claim;
      throw invalid(typeof claim === 'string' ? `${error.code} ${claim}` : error.code, error);
    }
    throw invalid('unverifiable', error);
  }

  const { sub, iat, aud, azp, nonce } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw invalid('sub');
  const nowSeconds = Math.floor((currentDate ?? new Date()).getTime() / 1000);
  const tolerance =
    verification.clockTolerance === undefined ? 0 : durationSeconds(verification.clockTolerance);
  if (typeof iat !== 'number' || iat > nowSeconds + tolerance + iatFutureSlackSeconds) throw invalid('iat');
  // OIDC Core §3.1.3.7 items 4-5: with several audiences, the token must say which one it was issued to.
  if (Array.isArray(aud) && aud.length > 1 && azp === undefined) throw invalid('azp missing');
  if (azp !== undefined && azp !== check.clientId) throw invalid('azp');
  // OIDC Core §3.1.3.7 item 11: a nonce was sent, so the claim is mandatory and must match.
  if (typeof nonce !== 'string') throw new SocialSignInError('social.nonce_mismatch', { reason: 'missing' });
  if (nonce !== check.nonce) throw new SocialSignInError('social.nonce_mismatch');
  return { ...payload, sub };
};

/** `jwtVerify`, trying each candidate when the JWKS holds several keys that fit a token without a `kid`. */
const verifyWithKeys = async (idToken: string, keys: JwksKeys, options: JWTVerifyOptions) => {
  try {
    return (await jwtVerify(idToken, keys, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error as unknown as AsyncIterable<KeyObject>) {
      try {
        return (await jwtVerify(idToken, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
};
