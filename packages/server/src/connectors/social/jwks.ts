import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import type { OutboundFetch } from './connector.ts';
import { SocialSignInError } from './errors.ts';
import { readCapped } from './upstream-request.ts';

/** The key resolver of one provider JWKS, for `jwtVerify`. */
export type JwksKeys = JWTVerifyGetKey;

/** The providers' key sets, one resolver per `jwksUri`, shared by every connector of the server. */
export type JwksCache = { get(jwksUri: string): JwksKeys };

/** A JWKS document larger than this is refused (a real one is a few KiB). */
const maxJwksBytes = 256 * 1024;
/** Distinct JWKS URIs kept; past this the least recently added is dropped (it is refetched when used again). */
const maxEntries = 500;

/**
 * One per server (registry). Each resolver wraps jose's `createRemoteJWKSet`:
 * - fetches go through `fetch` (in production the SSRF-guarded outbound client), never following redirects;
 * - the set is cached for `cacheMaxAgeMs` (10 min), then refetched on the next use;
 * - an ID token whose `kid` is not in the cached set triggers one refetch, unless the set was fetched less than
 *   `cooldownMs` (1 min) ago: upstream key rotation works within a minute, while a flood of tokens naming
 *   unknown keys costs the provider at most one request per minute (SECURITY-TESTS C7);
 * - a fetch that fails or times out is `social.jwks_unavailable` / `social.timeout`, not "invalid token".
 */
export const createJwksCache = ({
  fetch,
  cooldownMs = 60_000,
  cacheMaxAgeMs = 10 * 60_000,
  timeoutMs = 5_000,
}: {
  fetch: OutboundFetch;
  cooldownMs?: number;
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
}): JwksCache => {
  const sets = new Map<string, JwksKeys>();
  const cappedFetch = async (url: string, init: RequestInit) => {
    const response = await fetch(url, init);
    const text = await readCapped(response, maxJwksBytes);
    if (text === undefined) throw new Error('JWKS response too large');
    return new Response(text, { status: response.status, headers: response.headers });
  };

  const create = (jwksUri: string): JwksKeys => {
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      [customFetch]: cappedFetch,
      cooldownDuration: cooldownMs,
      cacheMaxAge: cacheMaxAgeMs,
      timeoutDuration: timeoutMs,
    });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // "No key" and "several keys" are verdicts on the token; anything else means we could not get the keys.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
          throw error;
        }
        if (error instanceof errors.JWKSTimeout)
          throw new SocialSignInError('social.timeout', {}, { cause: error });
        throw new SocialSignInError('social.jwks_unavailable', {}, { cause: error });
      }
    };
  };

  return {
    get(jwksUri) {
      let keys = sets.get(jwksUri);
      if (!keys) {
        keys = create(jwksUri);
        sets.set(jwksUri, keys);
        if (sets.size > maxEntries) sets.delete(sets.keys().next().value as string);
      }
      return keys;
    },
  };
};
