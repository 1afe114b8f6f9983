import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the sign-in forms (SECURITY-TESTS B6): an HMAC of the interaction id under a server key. The
 * interaction id lives in an HttpOnly, SameSite=Lax cookie another site cannot read, so it cannot forge the token;
 * no extra cookie or storage is needed, and every instance computes the same token.
 */
export const csrfToken = (key: string, interactionId: string) =>
  createHmac('sha256', key).update(`gatehouse-csrf|${interactionId}`).digest('base64url');

export const csrfValid = (key: string, interactionId: string, presented: unknown): boolean => {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
  const expected = Buffer.from(csrfToken(key, interactionId));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
};
