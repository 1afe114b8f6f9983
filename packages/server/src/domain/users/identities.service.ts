import { z } from 'zod';
import { ApiError } from '../../http/errors.ts';
import { ConnectorTarget } from '../connectors/connectors.schemas.ts';
import { epochMs, isUniqueViolation } from '../shared.ts';
import { createIdentityQueries, type IdentityQueries, type IdentityRow } from './identities.queries.ts';
import { createUserQueries, type UserRow } from './users.queries.ts';
import { CreateUser, maxCustomDataBytes, type User } from './users.schemas.ts';
import { createUserService, hasIdentifier, type UserServiceDeps } from './users.service.ts';

/**
 * Users' social identities (SPEC §6): one per user and connector target, keyed on (target, upstream subject) and
 * never on an email, so an upstream account always signs in to the same user whatever address it shows.
 */

export type UserIdentity = {
  userId: string;
  /** The connector target (IdP name). */
  target: string;
  /** The upstream subject. */
  identityId: string;
  /** The upstream claims / userinfo fields of the last sign-in. */
  details: Record<string, unknown>;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
};

/** What a new identity is: the connector target, the upstream subject and, optionally, its claims. */
export type NewIdentity = { target: string; identityId: string; details?: Record<string, unknown> };

/** The profile a social sign-up starts from; every field optional (social-only sign-up needs none). */
export type SocialProfileInput = {
  username?: string | null;
  primaryEmail?: string | null;
  name?: string | null;
  avatar?: string | null;
};

const toIdentity = (row: IdentityRow): UserIdentity => ({
  userId: row.user_id,
  target: row.target,
  identityId: row.identity_id,
  details:
    typeof row.details === 'object' && row.details !== null && !Array.isArray(row.details)
      ? (row.details as Record<string, unknown>)
      : {},
  createdAt: epochMs(row.created_at),
  updatedAt: epochMs(row.updated_at),
});

const invalid = (reason: string) => new ApiError('identity.invalid', { reason });

// OIDC Core §2: `sub` is at most 255 ASCII characters; an OAuth 2.0 profile id is no longer in practice.
const IdentityId = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters');

const maxDetailsDepth = 16;
const loneSurrogates = /\p{Cs}/gu;

/**
 * Upstream claims made storable as `jsonb`: PostgreSQL refuses NUL and lone surrogates in JSON strings and
 * overflows its stack on deep nesting, and a provider's claims are not ours to refuse a sign-in over. Strings
 * are cleaned, values nested deeper than 16 levels dropped; more than 64 KiB in all is refused.
 */
const storableDetails = (details: Record<string, unknown> = {}): Record<string, unknown> => {
  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return value.replaceAll('\u0000', '').replace(loneSurrogates, '\uFFFD');
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'boolean' || value === null) return value;
    if (depth >= maxDetailsDepth) return undefined;
    if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1) ?? null);
    if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
        const cleaned = clean(item, depth + 1);
        return cleaned === undefined ? [] : [[clean(key, depth) as string, cleaned] as const];
      });
      return Object.fromEntries(entries);
    }
    return undefined; // functions, symbols, bigints, undefined
  };
  const cleaned = (clean(details, 0) ?? {}) as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(cleaned)) > maxCustomDataBytes) {
    throw invalid(`the details exceed ${maxCustomDataBytes} bytes of JSON`);
  }
  return cleaned;
};

const checkedIdentity = (target: string, identityId: string, details?: Record<string, unknown>) => {
  if (!ConnectorTarget.safeParse(target).success) throw invalid('the target is not a connector target');
  if (!IdentityId.safeParse(identityId).success) {
    throw invalid('the identity id must be 1-255 characters without control characters');
  }
  return { target, identityId, details: storableDetails(details) };
};

// Username and email are identifiers: a bad one is an error. Name and avatar only decorate the account: a value
// from the provider that Gatehouse would refuse (too long, not an http(s) URL) is left out instead.
const ProfileIdentifiers = CreateUser.pick({ username: true, primaryEmail: true });
const ProfileName = CreateUser.shape.name;
const ProfileAvatar = CreateUser.shape.avatar;

/**
 * Linking, finding and unlinking identities, and the social sign-up. Changes are published on the `users`
 * topic after commit, like every change to a user.
 */
export const createIdentityService = (deps: UserServiceDeps) => {
  const { db, changes, tenantId } = deps;
  const queries = createIdentityQueries(db, tenantId);
  const users = createUserService(deps);
  const inTransaction = <T>(work: (tx: IdentityQueries, trx: typeof db) => Promise<T>) =>
    db.transaction().execute((trx) => work(createIdentityQueries(trx, tenantId), trx));
  const published = async <T>(userId: string, result: T) => {
    await changes.publish({ topic: 'users', key: userId });
    return result;
  };
  const taken = (target: string) => (error: unknown) => {
    if (isUniqueViolation(error, 'user_identities__identity'))
      throw new ApiError('identity.taken', { target });
    throw error;
  };
  const identityNotFound = (userId: string, target: string) =>
    new ApiError('identity.not_found', { userId, target });

  return {
    /**
     * The user behind upstream account `identityId` at connector `target`, with the identity; undefined when
     * nobody has it. Suspended users are returned too: the caller decides what to answer.
     */
    findUserByIdentity: async (
      target: string,
      identityId: string,
    ): Promise<{ user: UserRow; identity: UserIdentity } | undefined> => {
      const identity = await queries.findByIdentity(target, identityId);
      if (!identity) return undefined;
      const user = await createUserQueries(db, tenantId).findById(identity.user_id);
      return user && { user, identity: toIdentity(identity) };
    },

    /**
     * Links upstream account `identityId` at `target` to the user (a user has one identity per target: linking
     * another replaces it; linking the same one again replaces its details). 404 `user.not_found`; 409
     * `identity.taken` when it belongs to another user.
     */
    link: async (
      userId: string,
      target: string,
      identityId: string,
      details: Record<string, unknown> = {},
    ): Promise<UserIdentity> => {
      const identity = checkedIdentity(target, identityId, details);
      const row = await inTransaction(async (tx, trx) => {
        // Locks the user: a concurrent deletion cannot leave the insert pointing at nothing.
        if (!(await createUserQueries(trx, tenantId).lockById(userId))) {
          throw new ApiError('user.not_found', { id: userId });
        }
        return tx.upsert({ userId, ...identity });
      }).catch(taken(target));
      return published(userId, toIdentity(row));
    },

    /** Replaces the details of the user's identity at `target` (at each sign-in); 404 `identity.not_found`. */
    updateDetails: async (userId: string, target: string, details: Record<string, unknown>) => {
      const row = await queries.updateDetails(userId, target, storableDetails(details));
      if (!row) throw identityNotFound(userId, target);
      return published(userId, toIdentity(row));
    },

    /**
     * Removes the user's identity at `target`; 404 `identity.not_found`. Refused (400
     * `user.identifier_required`) when it is the only way left to sign in: no username, email, phone or other
     * identity.
     */
    unlink: async (userId: string, target: string): Promise<void> => {
      await inTransaction(async (tx, trx) => {
        const user = await createUserQueries(trx, tenantId).lockById(userId);
        if (!user) throw new ApiError('user.not_found', { id: userId });
        const identities = await tx.listForUser(userId);
        if (!identities.some((identity) => identity.target === target))
          throw identityNotFound(userId, target);
        if (!hasIdentifier(user) && identities.length === 1) throw new ApiError('user.identifier_required');
        await tx.delete(userId, target);
      });
      await published(userId, undefined);
    },

    listForUser: async (userId: string): Promise<UserIdentity[]> =>
      (await queries.listForUser(userId)).map(toIdentity),

    /**
     * Social sign-up: creates the user and the identity in one transaction, with the rules of `users.create`
     * (default roles; 409 `user.username_taken` / `user.email_taken`), but no identifier required and no
     * password. 409 `identity.taken` when the identity exists already (also when two sign-ups race: exactly one
     * user is created). 400 `request.invalid_body` for a malformed username or email; a name or avatar Gatehouse
     * would refuse is left out.
     */
    createUserWithIdentity: async (
      profile: SocialProfileInput,
      identity: NewIdentity,
    ): Promise<{ user: User; identity: UserIdentity }> => {
      const checked = checkedIdentity(identity.target, identity.identityId, identity.details);
      const identifiers = ProfileIdentifiers.safeParse({
        username: profile.username,
        primaryEmail: profile.primaryEmail,
      });
      if (!identifiers.success) {
        throw new ApiError('request.invalid_body', {
          issues: identifiers.error.issues.map((issue) => ({
            path: issue.path.map(String).join('.'),
            message: issue.message,
          })),
        });
      }
      const user = await users.create(
        {
          ...identifiers.data,
          name: ProfileName.safeParse(profile.name).data,
          avatar: ProfileAvatar.safeParse(profile.avatar).data,
        },
        { identity: checked },
      );
      const row = await queries.find(user.id, checked.target);
      if (!row) throw new Error('the identity created with the user is missing'); // cannot happen: same transaction
      return { user, identity: toIdentity(row) };
    },
  };
};

export type IdentityService = ReturnType<typeof createIdentityService>;
