import { createHash } from 'node:crypto';
import { createConfiguredEmailSender } from '../connectors/email/email-sender.ts';
import { defaultTenantId } from '../db/schema.ts';
import { createSignInExperienceService } from '../domain/sign-in-experience/sign-in-experience.service.ts';
import { createIdentityService } from '../domain/users/identities.service.ts';
import {
  checkPasswordPolicy,
  type PasswordViolationCode,
  passwordPolicyFromSettings,
} from '../domain/users/password-policy.ts';
import { UpdateUser } from '../domain/users/users.schemas.ts';
import { createUserService } from '../domain/users/users.service.ts';
import { createVerificationCodeService } from '../domain/verification-codes/verification-codes.service.ts';
import { ApiError } from '../http/errors.ts';
import type { Registry } from '../registry.ts';
import { createDeviceCookies } from '../security/device-cookies.ts';
import { createLockout, defaultLockoutPolicy } from '../security/lockout.ts';
import { createRateLimiter } from '../security/rate-limiter.ts';
import type { ExperienceServices, ExperienceSettings, PolicyViolation } from './services.ts';
import { experienceSettingsOf } from './settings.ts';

/** Per-IP limits of the sign-in pages' POSTs (SECURITY-TESTS B3: throttle per IP before any account lockout). */
const ipLimit = { limit: 30, windowSeconds: 60 };

const violation: Record<PasswordViolationCode, PolicyViolation> = {
  'password.too_short': 'too_short',
  'password.too_long': 'too_long',
  'password.invalid_characters': 'invalid',
  'password.missing_upper': 'character_types',
  'password.missing_lower': 'character_types',
  'password.missing_digit': 'character_types',
  'password.missing_symbol': 'character_types',
  'password.too_few_character_types': 'character_types',
  'password.breached': 'breached',
  'password.contains_identifier': 'personal',
};

/** The hosted pages' services, built from the domain services of this registry. */
export const createExperienceServices = (registry: Registry): ExperienceServices => {
  const tenantId = defaultTenantId;
  const db = registry.db.kysely;
  const passwords = registry.passwords;
  const signInExperience = createSignInExperienceService({ db, changes: registry.changes, tenantId });
  const policy = async () => passwordPolicyFromSettings((await signInExperience.get()).passwordPolicy);
  const users = createUserService({
    db,
    changes: registry.changes,
    tenantId,
    passwords,
    passwordPolicy: policy,
  });
  const codes = createVerificationCodeService({
    db,
    tenantId,
    digestKey: registry.vault.deriveKey('verification-codes'),
    email: createConfiguredEmailSender({
      smtpUrl: registry.config.smtp.url,
      from: registry.config.smtp.from,
      db,
      tenantId,
      vault: registry.vault,
      changes: registry.changes,
    }),
  });
  const lockout = createLockout({ db, tenantId });
  const identities = createIdentityService({ db, changes: registry.changes, tenantId, passwords });
  const limiter = createRateLimiter({ db, tenantId });
  const identityTokens = registry.identityTokens;

  const findRow = (id: string) =>
    db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  const toUser = (
    row:
      | { id: string; username: string | null; primary_email: string | null; is_suspended: boolean }
      | undefined,
  ) =>
    row
      ? { id: row.id, username: row.username, primaryEmail: row.primary_email, isSuspended: row.is_suspended }
      : undefined;

  return {
    settings: async (): Promise<ExperienceSettings> => experienceSettingsOf(await signInExperience.get()),
    findUser: async (kind, value) => toUser(await users.findByIdentifier(kind, value)),
    findUserById: async (id) => toUser(await findRow(id)),
    passwordMatches: async (userId, password) => {
      // SECURITY-TESTS B5: the same row read with or without an account (no user has the id ''), then a real or a
      // dummy verification of equal cost.
      const row = await findRow(userId ?? '');
      return users.checkPassword(row, password);
    },
    createUser: async ({ username, email, password }) => {
      try {
        const user = await users.create({ username, primaryEmail: email, password });
        return { id: user.id };
      } catch (error) {
        if (
          error instanceof ApiError &&
          ['user.username_taken', 'user.email_taken', 'user.phone_taken'].includes(error.code)
        ) {
          return { conflict: true };
        }
        throw error;
      }
    },
    setPassword: async (userId, password) => {
      await users.setPassword(userId, password);
    },
    touchSignIn: (userId) => users.touchLastSignIn(userId),
    checkPassword: async (password, identifiers) =>
      checkPasswordPolicy(password, await policy(), { identifiers }).map((item) => violation[item.code]),
    sendCode: async (purpose, email, locale) => {
      try {
        await codes.send({ purpose, email, locale });
        return { sent: true };
      } catch (error) {
        if (error instanceof ApiError) {
          registry.logger.warn({ code: error.code, purpose }, 'verification code not sent');
          return { sent: false };
        }
        throw error;
      }
    },
    verifyCode: async (purpose, email, code) => (await codes.verify({ purpose, email, code })).verified,
    reserveAttempt: async (userId) => (await lockout.reserveAttempt(userId)).allowed,
    reserveNoAccountAttempt: async (identifier) => {
      const key = createHash('sha256').update(identifier.toLowerCase()).digest('hex');
      await limiter.hit(`sign-in:no-account:${key}`, {
        limit: defaultLockoutPolicy.maxFailuresPerHour,
        windowSeconds: 3600,
      });
    },
    attemptSucceeded: (userId) => lockout.recordSuccess(userId),
    reserveDeviceAttempt: async (userId, deviceId) =>
      (await lockout.reserveAttempt(lockout.deviceBucket(userId, deviceId))).allowed,
    deviceAttemptSucceeded: (userId, deviceId) =>
      lockout.recordSuccess(lockout.deviceBucket(userId, deviceId)),
    devices: createDeviceCookies({
      key: registry.vault.deriveKey('device-cookies'),
      secure: registry.config.endpoint.startsWith('https:'),
    }),
    throttle: async (ip, action) => {
      const decision = await limiter.hit(`${action}:ip:${ip}`, ipLimit);
      return { allowed: decision.allowed, retryAfterSeconds: decision.retryAfterSeconds };
    },
    socialButtons: (targets) => registry.social.buttons(targets),
    socialConnection: (id) => registry.social.get(id),
    findUserByIdentity: async (target, identityId) =>
      toUser((await identities.findUserByIdentity(target, identityId))?.user),
    signUpWithIdentity: async (target, profile) => {
      try {
        const { user } = await identities.createUserWithIdentity(
          { primaryEmail: profile.email, name: profile.name, avatar: profile.avatar },
          { target, identityId: profile.id, details: profile.rawData },
        );
        return { id: user.id };
      } catch (error) {
        if (
          error instanceof ApiError &&
          ['user.email_taken', 'user.username_taken', 'identity.taken'].includes(error.code)
        ) {
          return { conflict: true };
        }
        throw error;
      }
    },
    linkIdentity: async (userId, target, profile) => {
      await identities.link(userId, target, profile.id, profile.rawData);
    },
    syncIdentity: async (userId, target, profile, syncProfile) => {
      await identities.updateDetails(userId, target, profile.rawData);
      if (syncProfile) {
        const patch = { name: profile.name ?? null, avatar: profile.avatar ?? null };
        const valid = UpdateUser.safeParse(patch);
        if (valid.success) await users.update(userId, valid.data);
      }
    },
    storeIdentityTokens: (userId, target, tokens) => identityTokens.store(userId, target, tokens),
    hasherSaturated: () => {
      const stats = passwords.stats();
      return stats.queued >= stats.maxQueue;
    },
    seal: (value, context) => registry.vault.seal(value, `experience-flow|${context}`),
    open: (sealed, context) => registry.vault.open(sealed, `experience-flow|${context}`).toString('utf8'),
  };
};
