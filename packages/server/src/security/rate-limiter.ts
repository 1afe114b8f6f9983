import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createRateLimitQueries } from './rate-limits.queries.ts';

export type RateLimit = {
  /** Hits allowed per window. */
  limit: number;
  windowSeconds: number;
};

export type RateLimitDecision = {
  allowed: boolean;
  /** Hits left in this window after this one. */
  remaining: number;
  /** 0 when allowed; otherwise the seconds until the window ends (for `Retry-After`). */
  retryAfterSeconds: number;
};

// The key column holds 256 characters; longer keys (long emails, IPv6 with a prefix) are stored as digests.
const storedKey = (key: string) =>
  key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;

const purgeEveryMs = 60_000;

/**
 * Fixed-window rate limits counted in the database, so every instance shares them (SPEC §1 scale-out,
 * SECURITY-TESTS E5) and windows follow the database clock (E6). A window lets at most `limit` hits through;
 * a burst at a window's end and the next one's start can pass `2 × limit` in a short time, the known price of
 * fixed windows. Keys name what is limited, e.g. `sign-in:ip:203.0.113.7` or `code-send:email:a@b.c`.
 */
export const createRateLimiter = ({ db, tenantId }: { db: Kysely<Database>; tenantId: string }) => {
  const queries = createRateLimitQueries(db, tenantId);
  let lastPurge = Date.now();

  const purge = async () => {
    lastPurge = Date.now();
    await queries.deleteExpired();
  };

  return {
    hit: async (key: string, { limit, windowSeconds }: RateLimit): Promise<RateLimitDecision> => {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a whole number >= 1');
      if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 7 * 86_400) {
        throw new RangeError('windowSeconds must be a whole number of seconds, 1 to 604800');
      }
      const { count, endsInSeconds } = await queries.hit(storedKey(key), windowSeconds);
      // Opportunistic: at most once a minute per instance, old windows go.
      if (Date.now() - lastPurge > purgeEveryMs) await purge().catch(() => {});
      const allowed = count <= limit;
      return {
        allowed,
        remaining: Math.max(0, limit - count),
        retryAfterSeconds: allowed ? 0 : Math.max(1, endsInSeconds),
      };
    },

    /** Deletes the counters of windows that have ended. */
    purge,
  };
};

export type RateLimiter = ReturnType<typeof createRateLimiter>;
