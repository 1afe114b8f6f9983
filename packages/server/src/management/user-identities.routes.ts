import type { Context } from 'koa';
import { z } from 'zod';
import { defaultTenantId, managementApi } from '../db/schema.ts';
import { ConnectorTarget } from '../domain/connectors/connectors.schemas.ts';
import { id } from '../domain/shared.ts';
import { createIdentityService } from '../domain/users/identities.service.ts';
import { User, type UserIdentities } from '../domain/users/users.schemas.ts';
import { createUserService } from '../domain/users/users.service.ts';
import { ApiError } from '../http/errors.ts';
import { del, get, ok, put, type Reply } from '../http/routes.ts';
import { managementAuditOrigin } from './audit-context.ts';
import { defineManagementRoutes, defineScopedManagementRoutes, type ManagementToken } from './guard.ts';

/**
 * Management API: a user's social identities (issue 6 item 4), Logto's paths, with the status of the provider
 * tokens stored for each (never the tokens); and, separately authorised, the backend read of a stored access
 * token (docs/decisions/0014). Every change and every read is written to the audit log (docs/audit-log.md).
 */

const UserParams = z.object({ userId: id() });
const IdentityParams = z.object({ userId: id(), target: ConnectorTarget });

/** Logto's body: the upstream subject (named `userId` there) and, optionally, its claims. */
const LinkIdentity = z.object({
  userId: z.string().min(1).max(255).describe("The upstream account's subject at the connector."),
  details: z.record(z.string(), z.unknown()).optional().describe("The upstream account's claims."),
});

/** What is stored for an identity, from the plain columns of `identity_tokens`: never a token. */
const TokenStatus = z.object({
  stored: z.boolean(),
  hasRefreshToken: z.boolean(),
  scope: z.string().nullable(),
  tokenType: z.string().nullable(),
  /** Epoch milliseconds; null when nothing is stored or the provider gave no lifetime. */
  expiresAt: z.number().nullable(),
  /** When the tokens were last stored or refreshed (epoch ms); null when nothing is stored. */
  updatedAt: z.number().nullable(),
});

const UserIdentity = z.object({
  target: z.string(),
  /** The upstream subject, as Logto names it. */
  userId: z.string(),
  details: z.record(z.string(), z.unknown()),
  tokenStatus: TokenStatus,
});

/** Logto's answer to PUT: the user's identities by target. */
const Identities = User.shape.identities;

/** RFC 6749 §5.1's names, as Logto's Account API answers them. */
const AccessToken = z.object({
  access_token: z.string(),
  scope: z.string(),
  token_type: z.string(),
  /** Seconds left; 0 when the provider gave no lifetime. */
  expires_in: z.number(),
});

/** The identity at `target` of a user's identities map; own keys only (a target may be `constructor`). */
const identityAt = (identities: UserIdentities, target: string) =>
  Object.hasOwn(identities, target) ? identities[target] : undefined;

export const userIdentityRoutes = defineManagementRoutes('/api/users', (registry) => {
  const deps = {
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
    passwords: registry.passwords,
  };
  const users = createUserService(deps);
  const identities = createIdentityService(deps);
  const audit = registry.audit;
  const tokens = registry.identityTokens;

  const tokenStatusOf = async (userId: string, target: string): Promise<z.infer<typeof TokenStatus>> => {
    const status = await tokens.status(userId, target);
    if (!status) {
      return {
        stored: false,
        hasRefreshToken: false,
        scope: null,
        tokenType: null,
        expiresAt: null,
        updatedAt: null,
      };
    }
    return {
      stored: true,
      hasRefreshToken: status.hasRefreshToken,
      scope: status.scope,
      tokenType: status.tokenType,
      expiresAt: status.expiresAt,
      updatedAt: status.updatedAt,
    };
  };
  const withStatus = async (userId: string, target: string, identity: UserIdentities[string]) => ({
    target,
    userId: identity.userId,
    details: identity.details,
    tokenStatus: await tokenStatusOf(userId, target),
  });
  /** The user's identity at `target`: 404 `user.not_found`, then 404 `identity.not_found`. */
  const identityOf = async (userId: string, target: string) => {
    const identity = identityAt((await users.get(userId)).identities, target);
    if (!identity) throw new ApiError('identity.not_found', { userId, target });
    return identity;
  };

  return [
    get(
      '/:userId/identities',
      {
        params: UserParams,
        response: z.array(UserIdentity),
        status: [200, 404],
        summary: "List a user's social identities, each with the status of its stored provider tokens",
      },
      async ({ params }) => {
        const { identities: byTarget } = await users.get(params.userId);
        return ok(
          await Promise.all(
            Object.entries(byTarget).map(([target, identity]) => withStatus(params.userId, target, identity)),
          ),
        );
      },
    ),
    get(
      '/:userId/identities/:target',
      {
        params: IdentityParams,
        response: UserIdentity,
        status: [200, 404],
        summary:
          "Get a user's social identity with the status of its stored provider tokens (never the tokens)",
      },
      async ({ params: { userId, target } }) =>
        ok(await withStatus(userId, target, await identityOf(userId, target))),
    ),
    put(
      '/:userId/identities/:target',
      {
        params: IdentityParams,
        body: LinkIdentity,
        response: Identities,
        status: [200, 201, 400, 404, 409],
        summary:
          "Link an upstream account to a user (201), or replace the user's identity at this target (200); " +
          'a different upstream account drops the tokens stored for the previous one',
      },
      async ({ params: { userId, target }, body, ctx }) => {
        const before = identityAt((await users.get(userId)).identities, target);
        await identities.link(userId, target, body.userId, body.details ?? {});
        // The upsert keeps the row (and so its tokens): tokens of another upstream account must not stay attached.
        const subjectChanged = before !== undefined && before.userId !== body.userId;
        const tokensDeleted = subjectChanged ? await tokens.remove(userId, target) : false;
        const origin = managementAuditOrigin(ctx);
        await audit.record({
          action: before === undefined || subjectChanged ? 'identity.linked' : 'identity.updated',
          ...origin,
          userId,
          target,
          data: {
            identityId: body.userId,
            ...(subjectChanged && { previousIdentityId: before.userId, tokensDeleted }),
          },
        });
        if (tokensDeleted) {
          await audit.record({
            action: 'identity_token.deleted',
            ...origin,
            userId,
            target,
            data: { reason: 'identity_replaced' },
          });
        }
        const { identities: after } = await users.get(userId);
        return { status: before === undefined ? 201 : 200, body: after } satisfies Reply;
      },
    ),
    del(
      '/:userId/identities/:target',
      {
        params: IdentityParams,
        response: User,
        status: [200, 400, 404],
        summary:
          'Unlink a social identity from a user, with its stored provider tokens (400 when it is the only way ' +
          'left to sign in); answers the user',
      },
      async ({ params: { userId, target }, ctx }) => {
        const identity = await identityOf(userId, target);
        const hadTokens = (await tokens.status(userId, target)) !== undefined;
        // The stored tokens go with the identity row (foreign key, on delete cascade), in the same statement.
        await identities.unlink(userId, target);
        const origin = managementAuditOrigin(ctx);
        await audit.record({
          action: 'identity.unlinked',
          ...origin,
          userId,
          target,
          data: { identityId: identity.userId, tokensDeleted: hadTokens },
        });
        if (hadTokens) {
          await audit.record({
            action: 'identity_token.deleted',
            ...origin,
            userId,
            target,
            data: { reason: 'identity_unlinked' },
          });
        }
        return ok(await users.get(userId));
      },
    ),
  ];
});

/** The path's user id and target, when they fit the audit columns (the guard runs before validation). */
const pathNames = (ctx: Context) => {
  const { userId, target } = (ctx.params ?? {}) as Record<string, string | undefined>;
  return {
    userId:
      userId !== undefined && userId.length <= 21 && UserParams.safeParse({ userId }).success
        ? userId
        : undefined,
    target: ConnectorTarget.safeParse(target).success ? target : undefined,
  };
};

/**
 * The backend read of a user's stored provider access token (issue 6 item 4). Only for a Management API token
 * with the dedicated scope `identity-tokens:read`, which `all` does not imply; a valid management token without
 * it is refused (403) and the attempt audited. Every read, and every failed one, is audited with the client id.
 */
export const userIdentityTokenRoutes = defineScopedManagementRoutes(
  '/api/users',
  (registry) => {
    const audit = registry.audit;
    const tokens = registry.identityTokens;
    return [
      get(
        '/:userId/identities/:target/access-token',
        {
          params: IdentityParams,
          response: AccessToken,
          status: [200, 401, 403, 404, 502],
          summary:
            "Read a user's stored provider access token, refreshed when expired (scope identity-tokens:read " +
            'only, not all; every read is audited)',
        },
        async ({ params: { userId, target }, ctx }) => {
          const origin = managementAuditOrigin(ctx);
          try {
            // Suspension stops everything done on the user's behalf (their own tokens are already revoked), the
            // use of their provider tokens by a backend included.
            const user = await registry.db.kysely
              .selectFrom('users')
              .select('is_suspended')
              .where('tenant_id', '=', defaultTenantId)
              .where('id', '=', userId)
              .executeTakeFirst();
            if (user?.is_suspended) throw new ApiError('user.suspended', { id: userId });
            const token = await tokens.accessToken(userId, target);
            // Written before the token leaves: a read that cannot be audited is not answered.
            await audit.record({ action: 'identity_token.read', ...origin, userId, target });
            return ok(token);
          } catch (error) {
            if (error instanceof ApiError) {
              await audit.record({
                action: 'identity_token.read_failed',
                ...origin,
                userId,
                target,
                data: { error: error.code },
              });
            }
            throw error;
          }
        },
      ),
    ];
  },
  (registry) => {
    const audit = registry.audit;
    return {
      scope: managementApi.identityTokensReadScope,
      onInsufficientScope: async (ctx: Context, token: ManagementToken) => {
        await audit.record({
          action: 'identity_token.read_denied',
          ...managementAuditOrigin(ctx, token),
          ...pathNames(ctx),
          data: { error: 'auth.insufficient_scope', scope: managementApi.identityTokensReadScope },
        });
      },
    };
  },
);
