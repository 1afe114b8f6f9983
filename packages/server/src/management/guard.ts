import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import type { Context } from 'koa';
import { managementApi } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { defineRoutes, type Guard, type RouteDefinition } from '../http/routes.ts';
import type { Registry } from '../registry.ts';

export type AccessTokenVerifierOptions = {
  issuer: string;
  /** The current public signing keys (they change on rotation, so read at every call). */
  publicJwks: () => JSONWebKeySet;
  /** The scope every route of the group requires; `all` unless a route group needs a dedicated one. */
  scope?: string;
  /**
   * Called before a valid management token that lacks `scope` is refused with 403 (e.g. to audit the attempt:
   * docs/decisions/0014). Not called for a missing or invalid token: it names no caller.
   */
  onInsufficientScope?: (ctx: Context, token: ManagementToken) => Promise<void>;
};

/** The verified caller of a Management API request, in `ctx.state.managementToken`. */
export type ManagementToken = {
  /** `sub`: for a client credentials token, the client id. */
  subject?: string | undefined;
  clientId?: string | undefined;
  scopes: string[];
};

/**
 * SPEC §4: the Management API takes a bearer JWT access token (RFC 9068, `typ: at+jwt`) issued by this server
 * for the resource `urn:gatehouse:management` with the scope `all`. Verified locally: signature against our
 * own JWKS, issuer, audience, expiry, type. No token or a bad one → 401; a valid one without `all` (or the
 * group's dedicated `scope`) → 403.
 */
export const createManagementGuard = ({
  issuer,
  publicJwks,
  scope: required = managementApi.scope,
  onInsufficientScope,
}: AccessTokenVerifierOptions): Guard => {
  let cachedFor: JSONWebKeySet | undefined;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  return async (ctx: Context) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(ctx.get('authorization'));
    if (!match?.[1]) {
      throw new ApiError('auth.invalid_token', undefined, { 'WWW-Authenticate': 'Bearer realm="gatehouse"' });
    }
    const jwks = publicJwks();
    if (jwks !== cachedFor) {
      cachedFor = jwks;
      keySet = createLocalJWKSet(jwks);
    }
    let token: ManagementToken;
    try {
      const { payload } = await jwtVerify(match[1], keySet as ReturnType<typeof createLocalJWKSet>, {
        issuer,
        audience: managementApi.indicator,
        typ: 'at+jwt',
        algorithms: ['ES256', 'RS256'],
      });
      token = {
        subject: payload.sub,
        clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ') : [],
      };
      ctx.state.managementToken = token;
    } catch {
      throw new ApiError('auth.invalid_token', undefined, {
        'WWW-Authenticate': 'Bearer realm="gatehouse", error="invalid_token"',
      });
    }
    if (!token.scopes.includes(required)) {
      await onInsufficientScope?.(ctx, token);
      throw new ApiError(
        'auth.insufficient_scope',
        { scope: required },
        {
          'WWW-Authenticate': `Bearer realm="gatehouse", error="insufficient_scope", scope="${required}"`,
        },
      );
    }
  };
};

/** A route group of the Management API: every route requires the management token (SPEC §4). */
export const defineManagementRoutes = (prefix: string, build: (registry: Registry) => RouteDefinition[]) =>
  defineRoutes<Registry>(prefix, build, (registry) => registry.managementGuard);

/**
 * A route group of the Management API that requires a dedicated scope instead of `all`, which does not imply it
 * (the backend token read: docs/decisions/0014). Its guard is built once per router, like the shared one.
 */
export const defineScopedManagementRoutes = (
  prefix: string,
  build: (registry: Registry) => RouteDefinition[],
  guard: (
    registry: Registry,
  ) => Required<Pick<AccessTokenVerifierOptions, 'scope'>> &
    Pick<AccessTokenVerifierOptions, 'onInsufficientScope'>,
) =>
  defineRoutes<Registry>(prefix, build, (registry) =>
    createManagementGuard({
      issuer: registry.oidc.issuer,
      publicJwks: registry.oidc.publicJwks,
      ...guard(registry),
    }),
  );
