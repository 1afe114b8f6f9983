import type { Context } from 'koa';
import type { AccountCaller } from '../domain/account/account.service.ts';
import type { AccountCenter, AccountCenterField } from '../domain/account-center/account-center.schemas.ts';
import { controlOf } from '../domain/account-center/account-center.service.ts';
import { ApiError } from '../http/errors.ts';
import { defineRoutes, type RouteDefinition } from '../http/routes.ts';
import type { Registry } from '../registry.ts';
import type { AccountAuth } from './access-token.ts';
import { type AccountServices, accountServices } from './services.ts';

/** The header naming the verification record of a sensitive change (Logto's name). */
export const verificationHeader = 'logto-verification-id';

const realm = 'Bearer realm="gatehouse"';
// RFC 6750 §2.1: `Bearer` then the token (b64token); the scheme name is case-insensitive (RFC 9110 §11.1).
const bearer = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

type AccountState = { account?: AccountAuth; accountCenter?: AccountCenter };

/**
 * The Account API's authentication (issue 6 item 3): an opaque access token of a first-party app, as the Logto
 * SDKs' `getAccessToken()` (no resource) returns it (access-token.ts). No token, or one that is not valid here
 * → 401 with `WWW-Authenticate` (RFC 6750 §3); a third-party app's token → 403; a token without `openid` → 403.
 * `requireEnabled`: the group answers only while the admin has turned the Account API on (Logto's account center).
 */
const createAccountGuard =
  (registry: Registry, { requireEnabled }: { requireEnabled: boolean }) =>
  async (ctx: Context) => {
    const services = accountServices(registry);
    const match = bearer.exec(ctx.get('authorization'));
    if (!match?.[1]) throw new ApiError('auth.invalid_token', undefined, { 'WWW-Authenticate': realm });
    const checked = await services.checkAccessToken(match[1]);
    if (!checked.ok) {
      if (checked.reason === 'third_party') throw new ApiError('auth.first_party_only');
      throw new ApiError('auth.invalid_token', undefined, {
        'WWW-Authenticate': `${realm}, error="invalid_token"`,
      });
    }
    const state = ctx.state as AccountState;
    state.account = checked.auth;
    requireScope(ctx, 'openid');
    if (requireEnabled) {
      const center = await services.accountCenter.get();
      if (!center.enabled) throw new ApiError('account_center.not_enabled');
      state.accountCenter = center;
    }
  };

/** The caller of this request (the guard ran). */
export const accountOf = (ctx: Context): AccountAuth => {
  const account = (ctx.state as AccountState).account;
  if (!account) throw new Error('Account API route without its guard');
  return account;
};

/** 403 `auth.insufficient_scope` unless the token was granted `scope` (GHSA-6g9q-qrx7-3jxf: check every route). */
export const requireScope = (ctx: Context, scope: string) => {
  if (!accountOf(ctx).scopes.has(scope)) {
    throw new ApiError(
      'auth.insufficient_scope',
      { scope },
      { 'WWW-Authenticate': `${realm}, error="insufficient_scope", scope="${scope}"` },
    );
  }
};

/** The admin's setting for `field` (the group's guard loaded them). */
export const fieldControl = (ctx: Context, field: AccountCenterField) => {
  const center = (ctx.state as AccountState).accountCenter;
  return center ? controlOf(center.fields, field) : 'Off';
};

/** 400 `account_center.field_not_editable` unless the admin set `field` to `Edit`. */
export const requireEditable = (ctx: Context, ...fields: AccountCenterField[]) => {
  for (const field of fields) {
    if (fieldControl(ctx, field) !== 'Edit')
      throw new ApiError('account_center.field_not_editable', { field });
  }
};

/** Who calls, for the services and the audit log: the user, the app, the address and the user agent. */
export const callerOf = (ctx: Context): AccountCaller => {
  const { userId, clientId, grantId } = accountOf(ctx);
  return {
    userId,
    clientId,
    grantId,
    ip: typeof ctx.state.clientIp === 'string' ? ctx.state.clientIp : undefined,
    userAgent: ctx.get('user-agent') || undefined,
  };
};

/** The `logto-verification-id` header, when sent. */
export const verificationIdOf = (ctx: Context) => ctx.get(verificationHeader).trim() || undefined;

/** A route group of the Account API: every route needs a user's first-party token (see the guard). */
export const defineAccountRoutes = (
  prefix: string,
  build: (services: AccountServices, registry: Registry) => RouteDefinition[],
  options: { requireEnabled: boolean } = { requireEnabled: true },
) =>
  defineRoutes<Registry>(
    prefix,
    (registry) => build(accountServices(registry), registry),
    (registry) => createAccountGuard(registry, options),
  );
