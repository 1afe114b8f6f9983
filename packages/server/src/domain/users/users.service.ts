import { ApiError } from '../../http/errors.ts';
import type { PasswordHasher } from '../../vault/passwords.ts';
import { newId } from '../ids.ts';
import { refuseRemovingLastAdministrator } from '../roles/console-administrator.ts';
import { type DomainDeps, epochMs, isUniqueViolation, type Page } from '../shared.ts';
import { createIdentityQueries, type IdentityRow, type IdentityValues } from './identities.queries.ts';
import {
  checkPasswordPolicy,
  defaultPasswordPolicy,
  type PasswordContext,
  type PasswordPolicy,
} from './password-policy.ts';
import {
  createUserQueries,
  type IdentifierKind,
  type UserQueries,
  type UserRow,
  type UserValues,
} from './users.queries.ts';
import {
  type CreateUser,
  normalizeEmail,
  normalizePhone,
  type UpdateUser,
  type User,
  type UserIdentities,
} from './users.schemas.ts';

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** Logto's `identities` of a user: `{[target]: {userId: <upstream sub>, details}}`. */
export const toUserIdentities = (rows: readonly IdentityRow[]): UserIdentities =>
  Object.fromEntries(
    rows.map((row) => [row.target, { userId: row.identity_id, details: asObject(row.details) }]),
  );

/** The API shape of a user (Logto's). Never the password hash: only whether there is one. */
export const toUser = (row: UserRow, identities: UserIdentities = {}): User => ({
  id: row.id,
  username: row.username,
  primaryEmail: row.primary_email,
  primaryPhone: row.primary_phone,
  name: row.name,
  avatar: row.avatar,
  profile: asObject(row.profile),
  customData: asObject(row.custom_data),
  identities,
  isSuspended: row.is_suspended,
  hasPassword: row.password_hash !== null,
  lastSignInAt: row.last_sign_in_at ? epochMs(row.last_sign_in_at) : null,
  createdAt: epochMs(row.created_at),
  updatedAt: epochMs(row.updated_at),
});

/** Maps a unique violation to the identifier it concerns (409); anything else goes on. */
const identifierTaken = (values: UserValues) => (error: unknown) => {
  if (isUniqueViolation(error, 'users__username')) {
    throw new ApiError('user.username_taken', { username: values.username });
  }
  if (isUniqueViolation(error, 'users__primary_email')) throw new ApiError('user.email_taken');
  if (isUniqueViolation(error, 'users__primary_phone')) throw new ApiError('user.phone_taken');
  throw error;
};

export const hasIdentifier = (user: {
  username?: unknown;
  primary_email?: unknown;
  primary_phone?: unknown;
}) => Boolean(user.username || user.primary_email || user.primary_phone);

const passwordContextOf = (user: {
  username?: string | null;
  primaryEmail?: string | null;
  primaryPhone?: string | null;
}): PasswordContext => ({ identifiers: [user.username, user.primaryEmail, user.primaryPhone] });

export type UserServiceDeps = DomainDeps & {
  passwords: PasswordHasher;
  /** The password policy in force (the sign-in experience settings); the defaults when not given. */
  passwordPolicy?: () => PasswordPolicy | Promise<PasswordPolicy>;
};

export type PasswordOptions = {
  /** Overrides the service's policy for this call. */
  policy?: PasswordPolicy;
};

export type CreateOptions = PasswordOptions & {
  /**
   * A social identity created with the user, in the same transaction (domain/users/identities.service.ts). A user
   * with one needs no username, email or phone (social-only sign-up). 409 `identity.taken` when that (target,
   * identity) belongs to someone already.
   */
  identity?: Omit<IdentityValues, 'userId'>;
};

/**
 * Users: identifiers unique per tenant regardless of case (enforced by the unique indexes, whose violations
 * become 409s, so concurrent creations cannot both win), passwords checked by the policy and hashed with
 * argon2id, and everything issued to a user revoked when the user is suspended or deleted.
 */
export const createUserService = ({ db, changes, tenantId, passwords, passwordPolicy }: UserServiceDeps) => {
  const queries = createUserQueries(db, tenantId);
  const identityQueries = createIdentityQueries(db, tenantId);
  const inTransaction = <T>(work: (tx: UserQueries, trx: typeof db) => Promise<T>) =>
    db.transaction().execute((trx) => work(createUserQueries(trx, tenantId), trx));
  // After commit only (db/changes.ts): the OIDC layer drops what it cached for the user (role grants).
  const published = async <T>(id: string, result: T) => {
    await changes.publish({ topic: 'users', key: id });
    return result;
  };
  const notFound = (id: string) => new ApiError('user.not_found', { id });

  const findOrFail = async (id: string) => {
    const row = await queries.findById(id);
    if (!row) throw notFound(id);
    return row;
  };

  /** The API shape with the user's identities (read after commit). */
  const withIdentities = async (row: UserRow) =>
    toUser(row, toUserIdentities(await identityQueries.listForUser(row.id)));
  const allWithIdentities = async (rows: UserRow[]) => {
    const identities = await identityQueries.listForUsers(rows.map((row) => row.id));
    return rows.map((row) =>
      toUser(row, toUserIdentities(identities.filter((identity) => identity.user_id === row.id))),
    );
  };

  const policyFor = async (options?: PasswordOptions) =>
    options?.policy ?? (await passwordPolicy?.()) ?? defaultPasswordPolicy;

  /** Checks the password against the policy (422 `password.rejected`), then hashes it. */
  const acceptPassword = async (password: string, context: PasswordContext, options?: PasswordOptions) => {
    const violations = checkPasswordPolicy(password, await policyFor(options), context);
    if (violations.length > 0) throw new ApiError('password.rejected', { violations });
    return passwords.hash(password);
  };

  const create = async (input: CreateUser, options?: CreateOptions) => {
    const identity = options?.identity;
    const values: UserValues = {
      username: input.username,
      primaryEmail: input.primaryEmail,
      primaryPhone: input.primaryPhone,
      name: input.name,
      avatar: input.avatar,
      profile: input.profile,
      customData: input.customData,
    };
    if (!input.username && !input.primaryEmail && !input.primaryPhone && !identity) {
      throw new ApiError('user.identifier_required');
    }
    // Hashed before the transaction: no row lock or connection is held for the ~50 ms it takes.
    if (input.password !== undefined) {
      values.passwordHash = await acceptPassword(input.password, passwordContextOf(input), options);
    }
    const { row, identityRow } = await db
      .transaction()
      .execute(async (trx) => {
        const tx = createUserQueries(trx, tenantId);
        const inserted = await tx.insert(newId(), values);
        await tx.assignDefaultRoles(inserted.id);
        const linked =
          identity &&
          (await createIdentityQueries(trx, tenantId).insert({ ...identity, userId: inserted.id }));
        return { row: inserted, identityRow: linked };
      })
      .catch((error: unknown) => {
        if (identity && isUniqueViolation(error, 'user_identities__identity')) {
          throw new ApiError('identity.taken', { target: identity.target });
        }
        return identifierTaken(values)(error);
      });
    return published(row.id, toUser(row, toUserIdentities(identityRow ? [identityRow] : [])));
  };

  /** Verifies a user's password, upgrading a hash made with older parameters (SECURITY-TESTS B2). */
  const verifyPassword = async (row: UserRow, password: string): Promise<boolean> => {
    if (row.password_hash === null) return passwords.verifyDummy(password);
    const { ok, needsRehash } = await passwords.verify(row.password_hash, password);
    if (ok && needsRehash) {
      // Best effort: the sign-in succeeds even if the upgrade fails (it is retried at the next one).
      try {
        await queries.replacePasswordHash(row.id, row.password_hash, await passwords.hash(password));
      } catch {
        // The hasher may shed the work under load (429), or the database may be busy: not the user's problem.
      }
    }
    return ok;
  };

  return {
    count: (search?: string) => queries.count(search),

    list: async (search: string | undefined, page: Page) =>
      allWithIdentities(await queries.list(search, page)),

    get: async (id: string) => withIdentities(await findOrFail(id)),

    /** Creates a user with at least one identifier; a password, when given, must pass the policy. */
    create,

    /** Sign-up with a password (hosted pages): like `create`, the password required. */
    createWithPassword: (input: CreateUser & { password: string }, options?: PasswordOptions) =>
      create(input, options),

    /** Replaces the fields given (null clears one); at least one identifier must remain. */
    update: async (id: string, patch: UpdateUser) => {
      const values: UserValues = {
        username: patch.username,
        primaryEmail: patch.primaryEmail,
        primaryPhone: patch.primaryPhone,
        name: patch.name,
        avatar: patch.avatar,
        profile: patch.profile,
        customData: patch.customData,
      };
      const row = await inTransaction(async (tx, trx) => {
        const current = await tx.lockById(id);
        if (!current) throw notFound(id);
        const next = {
          username: values.username === undefined ? current.username : values.username,
          primary_email: values.primaryEmail === undefined ? current.primary_email : values.primaryEmail,
          primary_phone: values.primaryPhone === undefined ? current.primary_phone : values.primaryPhone,
        };
        // A user who signed up through a social connector may have no identifier: the identity is one.
        if (
          !hasIdentifier(next) &&
          (await createIdentityQueries(trx, tenantId).listForUser(id)).length === 0
        ) {
          throw new ApiError('user.identifier_required');
        }
        return tx.update(id, values);
      }).catch(identifierTaken(values));
      if (!row) throw notFound(id);
      return published(id, await withIdentities(row));
    },

    /**
     * Sets a new password (admin reset). Everything issued to the user is revoked with it: a password is reset
     * when an account may be compromised, and refresh tokens must not outlive that (SECURITY-TESTS A9).
     */
    setPassword: async (id: string, password: string, options?: PasswordOptions) => {
      const current = await findOrFail(id);
      const passwordHash = await acceptPassword(
        password,
        passwordContextOf({
          username: current.username,
          primaryEmail: current.primary_email,
          primaryPhone: current.primary_phone,
        }),
        options,
      );
      const row = await inTransaction(async (tx) => {
        const updated = await tx.update(id, { passwordHash });
        if (updated) await tx.revokeOidcArtifacts(id);
        return updated;
      });
      if (!row) throw notFound(id);
      return published(id, await withIdentities(row));
    },

    /** Whether `password` is the user's password (false when the user has none); 404 for an unknown user. */
    verifyPassword: async (id: string, password: string) => verifyPassword(await findOrFail(id), password),

    /**
     * The user behind a sign-in identifier (normalised here: case and surrounding spaces of an email, separators
     * and `+` of a phone), or undefined. Suspended users are returned too: the caller decides what to answer.
     */
    findByIdentifier: async (kind: IdentifierKind, value: string): Promise<UserRow | undefined> => {
      if (kind === 'email') return queries.findByIdentifier('email', normalizeEmail(value));
      if (kind === 'phone') {
        const phone = normalizePhone(value);
        return phone === undefined ? undefined : queries.findByIdentifier('phone', phone);
      }
      return queries.findByIdentifier('username', value.trim());
    },

    /**
     * Checks a password against a user found by `findByIdentifier` (or none), at the same cost whether the user
     * exists, has a password or not (SECURITY-TESTS B5), upgrading an outdated hash on success.
     */
    checkPassword: (user: UserRow | undefined, password: string): Promise<boolean> =>
      user ? verifyPassword(user, password) : passwords.verifyDummy(password),

    /** Stores a fresh hash for the same password (a rehash upgrade); not a password change. */
    setPasswordHash: async (id: string, phc: string) => {
      if (!(await queries.setPasswordHash(id, phc))) throw notFound(id);
    },

    touchLastSignIn: async (id: string) => {
      if (!(await queries.touchLastSignIn(id))) throw notFound(id);
    },

    hasPassword: async (id: string) => (await findOrFail(id)).password_hash !== null,

    /** Suspends (and revokes every session, grant and token of) or reinstates a user. */
    setSuspended: async (id: string, isSuspended: boolean) => {
      const row = await inTransaction(async (tx) => {
        const updated = await tx.setSuspended(id, isSuspended);
        if (updated && isSuspended) await tx.revokeOidcArtifacts(id);
        return updated;
      });
      if (!row) throw notFound(id);
      return published(id, await withIdentities(row));
    },

    /**
     * Deletes the user, the user's role links and social identities (foreign keys cascade) and everything
     * oidc-provider stored for them. The last console administrator is not deleted (403 `role.protected`): the
     * console would reopen its first-run page to anyone.
     */
    remove: async (id: string) => {
      await inTransaction(async (tx, trx) => {
        await refuseRemovingLastAdministrator(trx, tenantId, id);
        await tx.revokeOidcArtifacts(id);
        if (!(await tx.delete(id))) throw notFound(id);
      });
      await published(id, undefined);
    },
  };
};

export type UserService = ReturnType<typeof createUserService>;
