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
};

/**
 * SPEC §4: the Management API takes a bearer JWT access token (RFC 9068, `typ: at+jwt`) issued by this server
 * for the resource `urn:gatehouse:management` with the scope `all`. Verified locally: signature against our
 * own JWKS, issuer, audience, expiry, type. No token or a bad one → 401; a valid one without `all` → 403.
 */
export const createManagementGuard = ({ issuer, publicJwks }: AccessTokenVerifierOptions): Guard => {
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
    let scope: unknown;
    try {
      const { payload } = await jwtVerify(match[1], keySet as ReturnType<typeof createLocalJWKSet>, {
        issuer,
        audience: managementApi.indicator,
        typ: 'at+jwt',
        algorithms: ['ES256', 'RS256'],
      });
      scope = payload.scope;
      ctx.state.managementToken = { subject: payload.sub, clientId: payload.client_id };
    } catch {
      throw new ApiError('auth.invalid_token', undefined, {
        'WWW-Authenticate': 'Bearer realm="gatehouse", error="invalid_token"',
      });
    }
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    if (!scopes.includes(managementApi.scope)) {
      throw new ApiError(
        'auth.insufficient_scope',
        { scope: managementApi.scope },
        {
          'WWW-Authenticate': `Bearer realm="gatehouse", error="insufficient_scope", scope="${managementApi.scope}"`,
        },
      );
    }
  };
};

/** A route group of the Management API: every route requires the management token (SPEC §4). */
export const defineManagementRoutes = (prefix: string, build: (registry: Registry) => RouteDefinition[]) =>
  defineRoutes<Registry>(prefix, build, (registry) => registry.managementGuard);
