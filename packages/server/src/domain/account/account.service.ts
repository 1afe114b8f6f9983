import { type Kysely, sql } from 'kysely';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { SocialConnections } from '../../connectors/social/runtime.ts';
import type { ChangeBus } from '../../db/changes.ts';
import type { Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { digest } from '../../oidc/adapter.ts';
import type { PasswordHasher } from '../../vault/passwords.ts';
import type { IdentityTokenService } from '../identity-tokens/identity-tokens.service.ts';
import { isUniqueViolation } from '../shared.ts';
import type { SignInExperienceService } from '../sign-in-experience/sign-in-experience.service.ts';
import { createIdentityQueries } from '../users/identities.queries.ts';
import type { IdentityService } from '../users/identities.service.ts';
import { checkPasswordPolicy, passwordPolicyFromSettings } from '../users/password-policy.ts';
import { createUserQueries, type UserRow, type UserValues } from '../users/users.queries.ts';
import type { Profile } from '../users/users.schemas.ts';
import type { UserService } from '../users/users.service.ts';
import type { VerificationService } from '../verifications/verifications.service.ts';

/** Who asks, through which app, from where: the Account API caller, for the audit log. */
export type AccountCaller = {
  userId: string;
  /** The client id of the app the access token was issued to. */
  clientId: string;
  /** The grant behind the access token: kept when the password changes (the other grants are revoked). */
  grantId: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
};

/** The `logto-verification-id` header, when sent. */
export type VerificationHeader = string | undefined;

/** What may change through `PATCH /api/my-account`. */
export type AccountBasics = {
  name?: string | null | undefined;
  avatar?: string | null | undefined;
  username?: string | null | undefined;
  customData?: Record<string, unknown> | undefined;
};

/**
 * Whether the user could still sign in with what is left: a password with an identifier to type it after, an
 * email (codes, or a password reset), or a social identity. Phone numbers do not count: without an SMS
 * connector no code reaches them.
 */
const canSignIn = (state: {
  hasPassword: boolean;
  username: string | null;
  email: string | null;
  phone: string | null;
  identities: number;
}) =>
  (state.hasPassword && Boolean(state.username || state.email || state.phone)) ||
  Boolean(state.email) ||
  state.identities > 0;

/**
 * The signed-in user's own account (Logto's Account API, issue 6 item 3): profile changes, and the sensitive
 * ones (password, primary email and phone, social identities) only with a fresh verification record, used up with
 * the change: in its transaction when the change is a user update, just before it for links and unlinks; the checks
 * that can refuse a change run before the record is spent. Every sensitive change is written to the audit log with
 * the user as actor.
 */
export const createAccountService = (deps: {
  db: Kysely<Database>;
  changes: ChangeBus;
  tenantId: string;
  passwords: PasswordHasher;
  users: UserService;
  identities: IdentityService;
  verifications: VerificationService;
  signInExperience: SignInExperienceService;
  social: SocialConnections;
  identityTokens: IdentityTokenService;
  audit: AuditLog;
  logger: Logger;
}) => {
  const { db, changes, tenantId, users, identities, verifications, audit, logger } = deps;
  const userQueries = createUserQueries(db, tenantId);
  const identityQueries = createIdentityQueries(db, tenantId);

  const findUser = async (userId: string) => {
    const row = await userQueries.findById(userId);
    if (!row) throw new ApiError('user.not_found', { id: userId });
    return row;
  };
  const published = (userId: string) => changes.publish({ topic: 'users', key: userId });

  const auditEntry = (
    caller: AccountCaller,
    action: string,
    extra: { target?: string; data?: Record<string, string | number | boolean | null> } = {},
  ) => ({
    action,
    actor: { type: 'user' as const, id: caller.userId },
    userId: caller.userId,
    target: extra.target,
    ip: caller.ip,
    userAgent: caller.userAgent,
    data: { applicationId: caller.clientId, ...extra.data },
  });

  /**
   * Uses up the verification records and applies `values` in one transaction, so a record is spent only with
   * the change it allowed; a taken identifier rolls both back (409).
   */
  const changeWithRecords = async (
    caller: AccountCaller,
    records: string[],
    values: UserValues,
    entry?: ReturnType<typeof auditEntry>,
    more?: (trx: Kysely<Database>) => Promise<void>,
  ) => {
    await db
      .transaction()
      .execute(async (trx) => {
        await verifications.consume(caller.userId, records, trx);
        const row = await createUserQueries(trx, tenantId).update(caller.userId, values);
        if (!row) throw new ApiError('user.not_found', { id: caller.userId });
        await more?.(trx);
        if (entry) await audit.record(entry, trx);
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'users__username')) {
          throw new ApiError('user.username_taken', { username: values.username });
        }
        if (isUniqueViolation(error, 'users__primary_email')) throw new ApiError('user.email_taken');
        if (isUniqueViolation(error, 'users__primary_phone')) throw new ApiError('user.phone_taken');
        throw error;
      });
    await published(caller.userId);
  };

  const identityCount = async (userId: string) => (await identityQueries.listForUser(userId)).length;

  const assertCanSignInAfter = async (
    user: UserRow,
    change: { email?: null; phone?: null; username?: null; identities?: number },
  ) => {
    const state = {
      hasPassword: user.password_hash !== null,
      username: change.username === null ? null : user.username,
      email: change.email === null ? null : user.primary_email,
      phone: change.phone === null ? null : user.primary_phone,
      identities: change.identities ?? (await identityCount(user.id)),
    };
    if (!canSignIn(state)) throw new ApiError('identity.last_sign_in_method');
  };

  /** Everything issued to the user except the grant (and its tokens) of the app making this call. */
  const revokeOtherGrants = async (trx: Kysely<Database>, userId: string, grantId: string) => {
    const kept = digest(grantId);
    await trx
      .deleteFrom('oidc_model_instances')
      .where('tenant_id', '=', tenantId)
      .where(sql`payload ->> 'accountId'`, '=', userId)
      .where((eb) => eb.or([eb('grant_id', 'is', null), eb('grant_id', '!=', kept)]))
      .where((eb) => eb.not(eb.and([eb('model_name', '=', 'Grant'), eb('id', '=', kept)])))
      .execute();
  };

  return {
    /** The user in the Management API's shape, identities included (the route filters by scope and settings). */
    get: (userId: string) => users.get(userId),

    /**
     * `PATCH /api/my-account`: name, avatar and custom data directly; a username only with a verification
     * (Logto: it is an identifier). Custom data is replaced whole.
     */
    updateBasics: async (caller: AccountCaller, patch: AccountBasics, header: VerificationHeader) => {
      if (patch.username === undefined) {
        return users.update(caller.userId, {
          name: patch.name,
          avatar: patch.avatar,
          customData: patch.customData,
        });
      }
      const values: UserValues = {
        name: patch.name,
        avatar: patch.avatar,
        username: patch.username,
        customData: patch.customData,
      };
      const user = await findUser(caller.userId);
      const record = await verifications.identityRecord(user, header);
      if (patch.username === null) await assertCanSignInAfter(user, { username: null });
      else {
        // Checked before the record is spent (the unique index still decides a race).
        const holder = await users.findByIdentifier('username', patch.username);
        if (holder && holder.id !== user.id) {
          throw new ApiError('user.username_taken', { username: patch.username });
        }
      }
      await changeWithRecords(caller, [record], values);
      return users.get(caller.userId);
    },

    /** `PATCH /api/my-account/profile`: the keys given replace the stored ones (Logto merges `profile`). */
    updateProfile: async (userId: string, patch: Profile) => {
      const current = await users.get(userId);
      const updated = await users.update(userId, { profile: { ...current.profile, ...patch } as Profile });
      return updated.profile;
    },

    /**
     * `POST /api/my-account/password`. A user who has a password, an email or a phone proves it is them first
     * (Logto's rule; a social-only user has nothing to verify with and may set a first password). The new
     * password passes the policy before the record is spent; every other session and grant of the user is
     * revoked with the change, as after an admin's password reset, except the grant of the calling app.
     */
    changePassword: async (caller: AccountCaller, password: string, header: VerificationHeader) => {
      const user = await findUser(caller.userId);
      const needsProof =
        user.password_hash !== null || user.primary_email !== null || user.primary_phone !== null;
      const records = needsProof ? [await verifications.identityRecord(user, header)] : [];
      const policy = passwordPolicyFromSettings((await deps.signInExperience.get()).passwordPolicy);
      const violations = checkPasswordPolicy(password, policy, {
        identifiers: [user.username, user.primary_email, user.primary_phone],
      });
      if (violations.length > 0) throw new ApiError('password.rejected', { violations });
      const passwordHash = await deps.passwords.hash(password);
      await changeWithRecords(
        caller,
        records,
        { passwordHash },
        auditEntry(caller, 'password.changed'),
        (trx) => revokeOtherGrants(trx, caller.userId, caller.grantId),
      );
    },

    /** `POST /api/my-account/primary-email`: the new address proven by a code record, the user by the header. */
    setPrimaryEmail: async (
      caller: AccountCaller,
      input: { email: string; newIdentifierVerificationRecordId: string },
      header: VerificationHeader,
    ) => {
      const user = await findUser(caller.userId);
      const identity = await verifications.identityRecord(user, header);
      const proof = await verifications.newEmailRecord(
        caller.userId,
        input.newIdentifierVerificationRecordId,
        input.email,
      );
      const holder = await users.findByIdentifier('email', input.email);
      if (holder && holder.id !== user.id) throw new ApiError('user.email_taken');
      await changeWithRecords(
        caller,
        [identity, proof],
        { primaryEmail: input.email },
        auditEntry(caller, 'email.changed', { data: { removed: false } }),
      );
    },

    /**
     * `DELETE /api/my-account/primary-email` / `primary-phone`: refused when the sign-up settings require the
     * identifier (Logto's rule) or when nothing would be left to sign in with.
     */
    removePrimaryIdentifier: async (
      caller: AccountCaller,
      kind: 'email' | 'phone',
      header: VerificationHeader,
    ) => {
      const user = await findUser(caller.userId);
      const record = await verifications.identityRecord(user, header);
      const { signUp } = await deps.signInExperience.get();
      const other = kind === 'email' ? 'phone' : 'email';
      const otherValue = kind === 'email' ? user.primary_phone : user.primary_email;
      if (signUp.identifiers.includes(kind) && (!signUp.identifiers.includes(other) || !otherValue)) {
        throw new ApiError(kind === 'email' ? 'user.email_required' : 'user.phone_required');
      }
      await assertCanSignInAfter(user, { [kind]: null });
      await changeWithRecords(
        caller,
        [record],
        kind === 'email' ? { primaryEmail: null } : { primaryPhone: null },
        auditEntry(caller, `${kind}.changed`, { data: { removed: true } }),
      );
    },

    /**
     * `POST /api/my-account/identities`: links the upstream account a verified social record proves (Logto
     * requires the header too). 409 `identity.taken` when another user has it, `identity.already_linked` when
     * the user has an identity at that provider already. With token storage on, the provider's tokens are kept
     * in the vault.
     */
    linkIdentity: async (caller: AccountCaller, recordId: string, header: VerificationHeader) => {
      const user = await findUser(caller.userId);
      const identity = await verifications.identityRecord(user, header);
      const proven = await verifications.socialIdentity(caller.userId, recordId);
      const { target, profile } = proven;
      const owner = await identities.findUserByIdentity(target, profile.id);
      if (owner && owner.user.id !== user.id) throw new ApiError('identity.taken', { target });
      if (await identityQueries.find(user.id, target))
        throw new ApiError('identity.already_linked', { target });
      const connection = await deps.social.get(proven.connectorId);
      if (!connection || connection.target !== target) {
        throw new ApiError('connector.not_found', { id: proven.connectorId });
      }
      await verifications.consume(caller.userId, [identity, recordId]);
      await identities.link(user.id, target, profile.id, profile.rawData);
      await audit.record(auditEntry(caller, 'identity.linked', { target }));
      if (connection.enableTokenStorage && proven.tokens.accessToken) {
        try {
          await deps.identityTokens.store(user.id, target, proven.tokens);
        } catch (error) {
          // The link stands (Logto does the same): the tokens are stored again at the next sign-in.
          logger.warn({ err: error, target }, 'provider tokens not stored after a link');
        }
      }
    },

    /** `DELETE /api/my-account/identities/{target}` (the stored tokens go with the identity). */
    unlinkIdentity: async (caller: AccountCaller, target: string, header: VerificationHeader) => {
      const user = await findUser(caller.userId);
      const record = await verifications.identityRecord(user, header);
      const linked = await identityQueries.listForUser(user.id);
      if (!linked.some((identity) => identity.target === target)) {
        throw new ApiError('identity.not_found', { userId: user.id, target });
      }
      await assertCanSignInAfter(user, { identities: linked.length - 1 });
      await verifications.consume(caller.userId, [record]);
      await identities.unlink(user.id, target);
      await audit.record(auditEntry(caller, 'identity.unlinked', { target }));
    },

    /**
     * `GET /api/my-account/identities/{target}/access-token`: the provider access token (refreshed when
     * expired), each read audited as `identity_token.read` with the app that asked. Never the token in the log.
     */
    readIdentityToken: async (caller: AccountCaller, target: string) => {
      const token = await deps.identityTokens.accessToken(caller.userId, target);
      await audit.record(auditEntry(caller, 'identity_token.read', { target }));
      return token;
    },
  };
};

export type AccountService = ReturnType<typeof createAccountService>;
