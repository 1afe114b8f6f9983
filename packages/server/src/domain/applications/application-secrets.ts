import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createApplicationQueries } from './applications.queries.ts';

/**
 * Application secrets (SPEC §3): 256 random bits, stored only as a hex SHA-256 digest. A slow password hash
 * would add nothing for a value this random and would cost time on every token request.
 */

/** A new secret value: 32 random bytes, base64url (43 characters). */
export const generateSecretValue = (): string => randomBytes(32).toString('base64url');

/** What `application_secrets.digest` holds for `value`: its SHA-256, hex. */
export const secretDigest = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('hex');

/** The digests of the application's secrets that have not expired at `now`, with their expiry. */
export const findActiveSecretDigests = (
  db: Kysely<Database>,
  tenantId: string,
  applicationId: string,
  now: Date = new Date(),
): Promise<Array<{ digest: string; expiresAt: Date | null }>> =>
  createApplicationQueries(db, tenantId).secrets.listActive(applicationId, now);

/**
 * Whether `presented` hashes to one of `digests` (hex SHA-256). Every digest is compared in constant time,
 * with no early exit, so the timing says nothing about which secret matched or how much of it.
 */
export const matchesAnyDigest = (presented: string, digests: readonly string[]): boolean => {
  const candidate = createHash('sha256').update(presented, 'utf8').digest();
  let matched = false;
  for (const digest of digests) {
    const stored = Buffer.from(digest, 'hex');
    // A malformed digest (not 32 bytes) matches nothing; timingSafeEqual needs equal lengths.
    const equal = stored.length === candidate.length && timingSafeEqual(stored, candidate);
    matched = equal || matched;
  }
  return matched;
};

/**
 * Whether `presented` is one of the application's unexpired secrets: the check behind `client_secret_basic`
 * and `client_secret_post` at the token endpoint.
 */
export const verifyApplicationSecret = async (
  db: Kysely<Database>,
  tenantId: string,
  applicationId: string,
  presented: string,
  now: Date = new Date(),
): Promise<boolean> => {
  const secrets = await findActiveSecretDigests(db, tenantId, applicationId, now);
  return matchesAnyDigest(
    presented,
    secrets.map((secret) => secret.digest),
  );
};
