import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EmailSender } from '../../connectors/email/email-sender.ts';
import type { Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { newId } from '../ids.ts';
import { codeEmail } from './messages.ts';
import { createVerificationCodeQueries } from './verification-codes.queries.ts';
import {
  CodeLocale,
  EmailAddress,
  Purpose,
  type SendCode,
  type VerifyCode,
  type VerifyFailure,
  type VerifyOutcome,
} from './verification-codes.schemas.ts';

export const codeLimits = {
  /** A code lives 10 minutes. */
  ttlSeconds: 600,
  /** Wrong guesses a code survives; the fifth kills it. */
  maxAttempts: 5,
  /** At most one send per identifier in this many seconds… */
  sendIntervalSeconds: 60,
  /** …and this many per hour. */
  sendsPerHour: 5,
} as const;

/**
 * Only a digest is stored (SECURITY-TESTS D2). Six digits are a small space, so the digest protects a dump
 * only for as long as the code lives (10 minutes); the id in the input keeps equal codes from having equal
 * digests.
 */
// Keyed with a server secret when one is given (the sign-in pages always give one, derived from the vault's KEK):
// a 6-digit code hashed without a key could be brute-forced from a database dump while it lives (D2).
const digestWith = (key: Buffer | undefined) => (id: string, code: string) =>
  key
    ? createHmac('sha256', key).update(`${id}:${code}`).digest('hex')
    : createHash('sha256').update(`${id}:${code}`).digest('hex');

const sameDigest = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Six digits from a CSPRNG, leading zeros kept. */
export const newVerificationCode = () => randomInt(0, 1_000_000).toString().padStart(6, '0');

const tooManyRequests = (retryAfterSeconds: number) => {
  const seconds = Math.max(1, retryAfterSeconds);
  return new ApiError(
    'verification_code.too_many_requests',
    { retryAfterSeconds: seconds },
    { 'Retry-After': String(seconds) },
  );
};

/**
 * One-time email codes for sign-in, sign-up, password reset and email verification (SPEC §5). A new send for
 * the same purpose and address replaces the previous code. Sends are limited per address (one a minute, five
 * an hour, counted in the database, so across instances); throttle per IP too, in the caller.
 */
export const createVerificationCodeService = ({
  db,
  tenantId,
  email,
  digestKey,
}: {
  db: Kysely<Database>;
  tenantId: string;
  email: EmailSender;
  /** Secret key for the code digests (HMAC-SHA256). */
  digestKey?: Buffer;
}) => {
  const queries = createVerificationCodeQueries(db, tenantId);
  const digestOf = digestWith(digestKey);

  return {
    /**
     * Creates a code and emails it. Throws `verification_code.invalid_email` (400), `…too_many_requests` (429,
     * with `Retry-After`), or `email.send_failed` (502; the code is dead and the send still counts).
     */
    send: async (input: SendCode): Promise<void> => {
      const { purpose } = input;
      if (!Purpose.safeParse(purpose).success) throw new TypeError(`unknown code purpose ${String(purpose)}`);
      // Any other language gets English rather than an error: the page already chose the best it has.
      const locale = CodeLocale.safeParse(input.locale).data ?? 'en';
      const address = EmailAddress.safeParse(input.email);
      if (!address.success) throw new ApiError('verification_code.invalid_email');
      const identifier = address.data;
      const code = newVerificationCode();
      const id = newId();

      await db.transaction().execute(async (trx) => {
        const tx = createVerificationCodeQueries(trx, tenantId);
        await tx.lockIdentifier(identifier);
        const recent = await tx.recentSends(identifier, codeLimits.sendIntervalSeconds);
        if (recent.lastMinute >= 1) throw tooManyRequests(recent.minuteRetrySeconds);
        if (recent.lastHour >= codeLimits.sendsPerHour) throw tooManyRequests(recent.hourRetrySeconds);
        await tx.invalidateLive(purpose, identifier);
        await tx.insert({
          id,
          purpose,
          identifier,
          digest: digestOf(id, code),
          ttlSeconds: codeLimits.ttlSeconds,
        });
      });
      await queries.deleteOld();

      try {
        await email.send({ to: identifier, ...codeEmail(locale, purpose, code) });
      } catch (error) {
        // The row stays (invalidated) and counts toward the limits: a failing mail server is not hammered.
        await queries.invalidate(id);
        throw Object.assign(new ApiError('email.send_failed'), { cause: error });
      }
    },

    /**
     * `{ verified: true }` once for the right code; every other answer is `{ verified: false }` with a reason
     * meant only for logs. Each call on a live code uses one of its 5 attempts, before the comparison, so
     * guesses sent in parallel get no more tries than guesses sent one by one.
     */
    verify: async (input: VerifyCode): Promise<VerifyOutcome> => {
      const fail = (reason: VerifyFailure): VerifyOutcome => ({ verified: false, reason });
      const address = EmailAddress.safeParse(input.email);
      if (!address.success || !Purpose.safeParse(input.purpose).success) return fail('invalid_input');
      const identifier = address.data;
      // People paste codes with spaces ("123 456").
      const code = typeof input.code === 'string' ? input.code.replace(/\s/g, '') : '';

      const taken = await queries.takeAttempt(input.purpose, identifier, codeLimits.maxAttempts);
      if (taken.length === 0) {
        const newest = await queries.newest(input.purpose, identifier);
        if (!newest || newest.invalidated_at) return fail('no_code');
        if (newest.consumed_at) return fail('used');
        if (newest.expired) return fail('expired');
        return fail('too_many_attempts');
      }
      if (!/^\d{6}$/.test(code)) return fail('mismatch');
      for (const row of taken) {
        if (sameDigest(row.digest, digestOf(row.id, code))) {
          return (await queries.consume(row.id)) ? { verified: true } : fail('used');
        }
      }
      return fail('mismatch');
    },
  };
};

export type VerificationCodeService = ReturnType<typeof createVerificationCodeService>;
