import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createAdapterClass } from '../oidc/adapter.ts';
import type { Oidc } from '../oidc/index.ts';
import { oidcLifetimes } from '../oidc/index.ts';

/** The signed-in user behind an Account API call. */
export type AccountAuth = {
  userId: string;
  /** The app the token was issued to (a first-party app). */
  clientId: string;
  grantId: string;
  scopes: ReadonlySet<string>;
};

export type TokenCheck =
  | { ok: true; auth: AccountAuth }
  /** No such token, expired, revoked, bound to a resource or a key, its grant, app or user gone: 401. */
  | { ok: false; reason: 'invalid' }
  /** A valid token of a third-party app: 403 (the Account API is for the apps of the Gatehouse owner). */
  | { ok: false; reason: 'third_party' };

type StoredToken = Record<string, unknown> & {
  kind?: unknown;
  exp?: unknown;
  iat?: unknown;
  accountId?: unknown;
  clientId?: unknown;
  grantId?: unknown;
  scope?: unknown;
  aud?: unknown;
};

// oidc-provider's opaque tokens are 43 base64url characters (256 bits); anything else (a JWT, garbage) is not one.
const opaqueToken = /^[A-Za-z0-9_-]{20,128}$/;

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Checks an access token the way oidc-provider's userinfo endpoint does (lib/shared/access_token.js), on the
 * same storage (oidc/adapter.ts): the opaque `AccessToken` is found and unexpired, it is for the userinfo
 * audience (no `aud`: Logto's "opaque token for OP"), not sender-constrained, its grant exists for the same user
 * and app, the app still exists, and the user exists and is not suspended. Revocation, sign-out, suspension and a
 * password reset delete the rows, so they end the token here at once. A client-credentials token is stored as
 * another model (`ClientCredentials`) or is a JWT: never found here (SECURITY-TESTS A10).
 */
export const createAccessTokenChecker = (deps: {
  db: Kysely<Database>;
  tenantId: string;
  findClient: Oidc['findClient'];
}) => {
  const { db, tenantId } = deps;
  const Adapter = createAdapterClass({ db, tenantId, refreshGraceSeconds: oidcLifetimes.refreshGrace });
  const accessTokens = new Adapter('AccessToken');
  const grants = new Adapter('Grant');
  const invalid: TokenCheck = { ok: false, reason: 'invalid' };

  return async (value: string): Promise<TokenCheck> => {
    if (!opaqueToken.test(value)) return invalid;
    const token = (await accessTokens.find(value)) as StoredToken | undefined;
    const now = Math.floor(Date.now() / 1000);
    if (
      token?.kind !== 'AccessToken' ||
      typeof token.exp !== 'number' ||
      token.exp <= now ||
      !isString(token.accountId) ||
      !isString(token.clientId) ||
      !isString(token.grantId) ||
      token.aud !== undefined ||
      token.jkt !== undefined ||
      token['x5t#S256'] !== undefined
    ) {
      return invalid;
    }
    const grant = (await grants.find(token.grantId)) as StoredToken | undefined;
    if (
      !grant ||
      (typeof grant.exp === 'number' && grant.exp <= now) ||
      grant.accountId !== token.accountId ||
      grant.clientId !== token.clientId
    ) {
      return invalid;
    }
    const client = await deps.findClient(token.clientId);
    if (!client || client.type === 'MachineToMachine') return invalid;
    const user = await db
      .selectFrom('users')
      .select(['id', 'is_suspended'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', token.accountId)
      .executeTakeFirst();
    if (!user || user.is_suspended) return invalid;
    if (client.isThirdParty) return { ok: false, reason: 'third_party' };
    return {
      ok: true,
      auth: {
        userId: token.accountId,
        clientId: token.clientId,
        grantId: token.grantId,
        scopes: new Set(typeof token.scope === 'string' ? token.scope.split(' ').filter(Boolean) : []),
      },
    };
  };
};

export type AccessTokenChecker = ReturnType<typeof createAccessTokenChecker>;
