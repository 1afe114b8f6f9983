import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SocialSignInError } from '../../connectors/social/connector.ts';
import type { SocialConnections } from '../../connectors/social/runtime.ts';
import type { SocialProfile, SocialTokens } from '../../connectors/social/schemas.ts';
import type { Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Lockout } from '../../security/lockout.ts';
import type { RateLimiter } from '../../security/rate-limiter.ts';
import type { Vault } from '../../vault/vault.ts';
import { newId } from '../ids.ts';
import { absoluteUriProblem } from '../shared.ts';
import { createUserQueries, type UserRow } from '../users/users.queries.ts';
import type { UserService } from '../users/users.service.ts';
import { EmailAddress } from '../verification-codes/verification-codes.schemas.ts';
import type { VerificationCodeService } from '../verification-codes/verification-codes.service.ts';
import { createVerificationRecordQueries, type FoundRecord } from './verifications.queries.ts';
import {
  type CodeIdentifier,
  identityRecordTypes,
  recordTypes,
  verificationTtlSeconds,
} from './verifications.schemas.ts';

/** Per-IP throttle of password re-verification, before the account lockout (SECURITY-TESTS B3: per-IP first). */
const passwordIpLimit = { limit: 60, windowSeconds: 60 };
/** Codes one user may have sent in an hour, on top of the per-address limits of the code service. */
const codeSendsPerUser = { limit: 10, windowSeconds: 3600 };

/** A social verification between its start and the provider's answer: the secrets sealed, the state digested. */
type PendingSocial = {
  connectorId: string;
  target: string;
  redirectUri: string;
  /** base64url SHA-256 of the client's `state`. */
  state: string;
  /** Vault envelope of `{nonce, verifier}`. */
  secrets: string;
};

/** What a verified social record proves: this upstream account, as the connector read it, with its tokens. */
export type VerifiedSocialIdentity = {
  connectorId: string;
  target: string;
  profile: SocialProfile;
  tokens: SocialTokens;
};

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const random = () => randomBytes(32).toString('base64url');
const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** The callback parameters as strings (other values dropped), bounded in number and size, as on the pages. */
const callbackParams = (source: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(source)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .slice(0, 32)
      .map(([name, value]) => [name, value.slice(0, 4096)]),
  );

const smsUnavailable = () => new ApiError('verification_code.sms_unavailable');

/**
 * The Account API's verifications (Logto's Verification API, issue 6 item 3): short-lived records, owned by the
 * token's user, that prove something before a sensitive change.
 *
 * - `password`: the user re-entered their password. Counted by the account lockout exactly like a sign-in
 *   (SECURITY-TESTS B3), with the same answer whether the password is wrong or the account is locked.
 * - `email_code`: the user read a code sent to an address. It proves the user is present when the address is the
 *   user's primary email, and proves ownership of a new address otherwise.
 * - `social`: the user signed in at a provider; Gatehouse's own nonce and PKCE verifier are sealed in the record
 *   (the client's `state` only passes through), so a callback can finish only the attempt it belongs to, once.
 *
 * A record lives 10 minutes and is used once: `consume` takes it in one conditional UPDATE. Its `data` holds
 * digests and vault envelopes only.
 */
export const createVerificationService = (deps: {
  db: Kysely<Database>;
  tenantId: string;
  vault: Vault;
  users: UserService;
  lockout: Lockout;
  limiter: RateLimiter;
  codes: VerificationCodeService;
  social: SocialConnections;
  logger: Logger;
}) => {
  const { db, tenantId, vault, users, lockout, limiter, codes, social, logger } = deps;
  const queries = createVerificationRecordQueries(db, tenantId);
  const userQueries = createUserQueries(db, tenantId);
  const aad = (id: string, userId: string) => `verification-records|${tenantId}|${id}|${userId}`;
  // Keyed, so a dump does not reveal which address a record was for (an unkeyed digest of an email is guessable).
  const digestKey = vault.deriveKey('verification-records');
  const emailDigest = (email: string) => createHmac('sha256', digestKey).update(email).digest('base64url');

  const created = (row: { id: string; expires_at: Date }) => ({
    verificationRecordId: row.id,
    expiresAt: new Date(row.expires_at).toISOString(),
  });

  const insert = async (
    userId: string,
    type: string,
    data: Record<string, unknown>,
    verified: boolean,
    id = newId(),
  ) => {
    const row = await queries.insert({
      id,
      userId,
      type,
      data,
      verified,
      ttlSeconds: verificationTtlSeconds,
    });
    await queries.deleteOld().catch(() => {});
    return row;
  };

  const emailOf = (identifier: CodeIdentifier) => {
    if (identifier.type === 'phone') throw smsUnavailable();
    const parsed = EmailAddress.safeParse(identifier.value);
    if (!parsed.success) throw new ApiError('verification_code.invalid_email');
    return parsed.data;
  };

  /** Why a record referenced by id cannot be used: expired, used, or (unknown, another user's, wrong kind) absent. */
  const unusable = (record: FoundRecord | undefined, id: string, notFound: () => ApiError) => {
    if (!record) return notFound();
    if (record.consumed_at) return new ApiError('verification_record.used', { id });
    if (record.expired) return new ApiError('verification_record.expired', { id });
    return notFound();
  };
  const notFound = (id: string, reason?: string) => () =>
    new ApiError('verification_record.not_found', { id, ...(reason && { reason }) });

  /** A verified, unused, unexpired record of `userId`, or the reason it is not. */
  const usableRecord = async (userId: string, id: string, type: string, missing: () => ApiError) => {
    const record = await queries.findForUser(id, userId);
    if (!record || record.type !== type) throw missing();
    if (!record.verified_at || record.consumed_at || record.expired) throw unusable(record, id, missing);
    return record;
  };

  return {
    /** `POST /api/verifications/password`. 422 `user.password_mismatch` for a wrong password and a locked account. */
    createByPassword: async (userId: string, password: string, ip: string) => {
      const limited = await limiter.hit(`account-password:ip:${ip}`, passwordIpLimit);
      if (!limited.allowed) {
        throw new ApiError('request.too_many_requests', undefined, {
          'Retry-After': String(limited.retryAfterSeconds),
        });
      }
      const row = await userQueries.findById(userId);
      const active = row && !row.is_suspended ? row : undefined;
      // Counted before it is evaluated (lockout.ts): of parallel guesses, no more than the threshold are checked.
      const allowed = active ? (await lockout.reserveAttempt(userId)).allowed : false;
      // Locked: a dummy check of the same cost, then the same answer as a wrong password (B3, B5).
      const matches = await users.checkPassword(allowed ? active : undefined, password);
      if (!allowed || !matches) throw new ApiError('user.password_mismatch');
      await lockout.recordSuccess(userId);
      return created(await insert(userId, recordTypes.password, {}, true));
    },

    /** `POST /api/verifications/verification-code`: emails a code (purpose `Generic`) and answers the record. */
    sendCode: async (userId: string, identifier: CodeIdentifier) => {
      const email = emailOf(identifier);
      const limited = await limiter.hit(`account-code:user:${userId}`, codeSendsPerUser);
      if (!limited.allowed) {
        throw new ApiError(
          'verification_code.too_many_requests',
          { retryAfterSeconds: limited.retryAfterSeconds },
          { 'Retry-After': String(limited.retryAfterSeconds) },
        );
      }
      await codes.send({ purpose: 'Generic', email });
      return created(await insert(userId, recordTypes.emailCode, { email: emailDigest(email) }, false));
    },

    /** `POST /api/verifications/verification-code/verify`. 400 `verification_code.mismatch` for any wrong code. */
    verifyCode: async (
      userId: string,
      input: { identifier: CodeIdentifier; verificationId: string; code: string },
    ) => {
      const email = emailOf(input.identifier);
      const id = input.verificationId;
      const record = await queries.findForUser(id, userId);
      if (!record || record.type !== recordTypes.emailCode) throw notFound(id)();
      if (record.verified_at) throw notFound(id, 'already verified')();
      if (record.consumed_at || record.expired) throw unusable(record, id, notFound(id));
      const data = asObject(record.data);
      // The code was sent for another address: the same answer as a wrong code.
      if (data.email !== emailDigest(email)) throw new ApiError('verification_code.mismatch');
      const outcome = await codes.verify({ purpose: 'Generic', email, code: input.code });
      if (!outcome.verified) throw new ApiError('verification_code.mismatch');
      if (!(await queries.markVerified(id, userId, data))) throw notFound(id)();
      return { verificationRecordId: id };
    },

    /** `POST /api/verifications/social`: the provider's authorization URI for a link (Logto's shape). */
    startSocial: async (
      userId: string,
      input: { connectorId: string; redirectUri: string; state: string },
    ) => {
      const problem = absoluteUriProblem(input.redirectUri);
      if (problem) {
        throw new ApiError('request.invalid_body', { issues: [{ path: 'redirectUri', message: problem }] });
      }
      const connection = await social.get(input.connectorId);
      if (!connection) throw new ApiError('connector.not_found', { id: input.connectorId });
      const id = newId();
      const nonce = random();
      const verifier = random();
      const pending: PendingSocial = {
        connectorId: connection.id,
        target: connection.target,
        redirectUri: input.redirectUri,
        state: sha256(input.state).toString('base64url'),
        secrets: vault.seal(JSON.stringify({ nonce, verifier }), aad(id, userId)),
      };
      const authorizationUri = connection.connector.authorizationUrl({
        redirectUri: input.redirectUri,
        // Logto semantics: the client's state goes to the provider as is; the app checks it on its redirect URI.
        state: input.state,
        nonce,
        codeChallenge: sha256(verifier).toString('base64url'),
      });
      const row = await insert(userId, recordTypes.social, { pending }, false, id);
      return { ...created(row), authorizationUri };
    },

    /**
     * `POST /api/verifications/social/verify`: finishes the upstream sign-in from the callback parameters the app
     * received. The pending secrets are taken out of the record before anything else, so a callback is tried
     * once: a replay, or a second attempt after a failure, is refused (SECURITY-TESTS C1).
     */
    verifySocial: async (
      userId: string,
      input: { verificationRecordId: string; connectorData: Record<string, unknown> },
    ) => {
      const id = input.verificationRecordId;
      const params = callbackParams(input.connectorData);
      const pending = await db.transaction().execute(async (trx) => {
        const tx = createVerificationRecordQueries(trx, tenantId);
        const record = await tx.lockPending(id, userId, recordTypes.social);
        const data = asObject(record?.data);
        if (!record || !data.pending) return undefined;
        await tx.setData(id, { connectorId: asObject(data.pending).connectorId });
        return data.pending as PendingSocial;
      });
      if (!pending) {
        const record = await queries.findForUser(id, userId);
        if (record?.type !== recordTypes.social) throw notFound(id)();
        if (record.expired && !record.consumed_at) throw new ApiError('verification_record.expired', { id });
        // Verified already, or an attempt was made: this callback (or another) was presented before.
        throw new ApiError('verification_record.used', { id });
      }
      const failed = (reason: string) => new ApiError('social.verification_failed', { reason });
      // The state the client sent at the start must come back: a callback of another attempt is refused.
      if (!params.state || !sameBytes(sha256(params.state), Buffer.from(pending.state, 'base64url'))) {
        logger.warn({ connector: pending.target, reason: 'state_mismatch' }, 'social verification refused');
        throw failed('state_mismatch');
      }
      const connection = await social.get(pending.connectorId);
      if (!connection || connection.target !== pending.target) {
        throw new ApiError('connector.not_found', { id: pending.connectorId });
      }
      const { nonce, verifier } = JSON.parse(
        vault.open(pending.secrets, aad(id, userId)).toString('utf8'),
      ) as {
        nonce: string;
        verifier: string;
      };
      let result: { profile: SocialProfile; tokens: SocialTokens };
      try {
        result = await connection.connector.finish({
          params,
          redirectUri: pending.redirectUri,
          nonce,
          codeVerifier: verifier,
        });
      } catch (error) {
        if (!(error instanceof SocialSignInError)) throw error;
        logger.warn(
          {
            connector: connection.target,
            code: error.code,
            reason: error.reason,
            upstreamError: error.upstreamError,
          },
          'social verification failed',
        );
        throw failed(error.code);
      }
      const identity = vault.seal(
        JSON.stringify({ connectorId: connection.id, target: connection.target, ...result }),
        aad(id, userId),
      );
      const verified = await queries.markVerified(id, userId, {
        connectorId: connection.id,
        target: connection.target,
        identity,
      });
      if (!verified) throw new ApiError('verification_record.expired', { id });
      return { verificationRecordId: id };
    },

    /**
     * The `logto-verification-id` header of a sensitive change: a verified, unused, unexpired password record of
     * the user, or code record for the user's current primary email. Answers its id (to `consume` with the change);
     * 401 `verification_record.permission_denied` / `.expired` / `.used` otherwise.
     */
    identityRecord: async (user: Pick<UserRow, 'id' | 'primary_email'>, header: string | undefined) => {
      const denied = () => new ApiError('verification_record.permission_denied');
      if (!header) throw denied();
      const record = await queries.findForUser(header, user.id);
      const proves =
        record?.type === recordTypes.password ||
        (record?.type === recordTypes.emailCode &&
          user.primary_email !== null &&
          asObject(record.data).email === emailDigest(user.primary_email));
      if (!record || !proves || !record.verified_at) throw denied();
      if (record.consumed_at || record.expired) throw unusable(record, header, denied);
      return record.id;
    },

    /** A verified code record for `email` (the new primary email), or 400 `verification_record.not_found`. */
    newEmailRecord: async (userId: string, id: string, email: string) => {
      const record = await usableRecord(userId, id, recordTypes.emailCode, notFound(id));
      if (asObject(record.data).email !== emailDigest(email))
        throw notFound(id, 'issued for another email')();
      return record.id;
    },

    /** The upstream identity a verified social record proves, or 400 `verification_record.not_found`. */
    socialIdentity: async (userId: string, id: string): Promise<VerifiedSocialIdentity> => {
      const record = await usableRecord(userId, id, recordTypes.social, notFound(id));
      const sealed = asObject(record.data).identity;
      if (typeof sealed !== 'string') throw notFound(id)();
      return JSON.parse(vault.open(sealed, aad(id, userId)).toString('utf8')) as VerifiedSocialIdentity;
    },

    /**
     * Uses up the records `ids` (all or none), in `trx` when given so they go with the change they allow. 401
     * `verification_record.used` when one was used (or expired) since it was checked.
     */
    consume: async (userId: string, ids: readonly string[], trx: Kysely<Database> = db) => {
      if (ids.length === 0) return;
      const types = [...identityRecordTypes, recordTypes.social];
      const run = async (tx: Kysely<Database>) => {
        const used = await createVerificationRecordQueries(tx, tenantId).consume(userId, ids, types);
        if (used.length !== ids.length) {
          throw new ApiError('verification_record.used', { id: ids.find((id) => !used.includes(id)) });
        }
      };
      if (trx !== db) return run(trx);
      await db.transaction().execute(run);
    },
  };
};

export type VerificationService = ReturnType<typeof createVerificationService>;
