import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createLockoutQueries, type LockoutPolicy } from './lockout.queries.ts';

export type { LockoutPolicy } from './lockout.queries.ts';

/** SECURITY-TESTS B3 and OWASP ASVS 5 V6.3: 5 consecutive failures lock for 1 min, then 5 min, 15 min, 1 h. */
export const defaultLockoutPolicy: LockoutPolicy = {
  threshold: 5,
  lockSeconds: [60, 300, 900, 3600],
  maxFailuresPerHour: 100,
  forgetAfterSeconds: 24 * 60 * 60,
};

export type LockState = { locked: boolean; retryAfterSeconds: number };

const stateOf = ({ lockedFor, cappedFor }: { lockedFor: number; cappedFor: number }): LockState => {
  const retryAfterSeconds = Math.max(lockedFor, cappedFor);
  return { locked: retryAfterSeconds > 0, retryAfterSeconds };
};

const assertPolicy = (policy: LockoutPolicy) => {
  const whole = (value: number, min: number) => Number.isInteger(value) && value >= min;
  if (
    !whole(policy.threshold, 2) ||
    !whole(policy.maxFailuresPerHour, 1) ||
    !whole(policy.forgetAfterSeconds, 1) ||
    policy.lockSeconds.length === 0 ||
    !policy.lockSeconds.every((seconds) => whole(seconds, 1))
  ) {
    throw new RangeError('lockout policy: threshold >= 2 and positive whole numbers everywhere');
  }
};

/**
 * Per-account lockout (SECURITY-TESTS B3), counted in the database so every instance shares it. Use it so:
 *
 * 1. `reserveAttempt(userId)` before checking a password (or a code): it counts the attempt as failed at once,
 *    atomically, and says whether it may be evaluated. Of 50 parallel attempts with the threshold 5, at most 5
 *    are allowed. When not allowed, answer exactly as for a wrong password, without evaluating it.
 * 2. On success, `recordSuccess(userId)`: the attempt was not a failure after all, and the count restarts.
 *    On failure, nothing more: the attempt is already counted.
 *
 * `recordFailure(userId)` counts a failure after the fact, for paths that evaluate before they can reserve
 * (use one or the other for an attempt, never both). Throttle per IP before this (`createRateLimiter`), so an
 * attacker cannot keep a victim locked out by failing on purpose.
 */
export const createLockout = ({
  db,
  tenantId,
  policy = defaultLockoutPolicy,
}: {
  db: Kysely<Database>;
  tenantId: string;
  policy?: LockoutPolicy;
}) => {
  assertPolicy(policy);
  const queries = createLockoutQueries(db, tenantId);

  const count = async (userId: string) => {
    const row = await queries.countFailure(userId, policy);
    return { allowed: row.outcome === 'counted', ...stateOf(row) };
  };

  return {
    /** Whether the account is locked now, and for how long. */
    check: async (userId: string): Promise<LockState> => {
      const row = await queries.find(userId, policy.maxFailuresPerHour);
      return row ? stateOf(row) : { locked: false, retryAfterSeconds: 0 };
    },

    /**
     * Counts this attempt before it is evaluated. `allowed: false`: locked (or at the hourly cap), do not
     * evaluate. `locked` is the state after this attempt (the attempt that reaches the threshold is still
     * allowed, and locks the account for the attempts after it).
     */
    reserveAttempt: async (userId: string): Promise<LockState & { allowed: boolean }> => count(userId),

    /** Counts one failure that was evaluated without a reservation. Answers the state after it. */
    recordFailure: async (userId: string): Promise<LockState> => {
      const { allowed: _allowed, ...state } = await count(userId);
      return state;
    },

    /** The attempt succeeded: consecutive failures and any lock end (the hourly cap still counts). */
    recordSuccess: async (userId: string): Promise<void> => {
      await queries.reset(userId);
    },

    /**
     * The bucket of one trusted device of an account (see device-cookies.ts): counted and locked like the
     * account, apart from it. Use it in place of the account id in the calls above.
     */
    deviceBucket: (userId: string, deviceId: string) => `${userId}#${deviceId}`,

    /** An administrator lifts the lock and forgets every failure. Answers false for an unknown user. */
    unlock: async (userId: string): Promise<boolean> => {
      if (!(await queries.userExists(userId))) return false;
      await queries.clear(userId);
      return true;
    },
  };
};

export type Lockout = ReturnType<typeof createLockout>;
