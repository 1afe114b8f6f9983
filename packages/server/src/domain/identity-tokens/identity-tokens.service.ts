import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/audit-log.ts';
import { SocialSignInError } from '../../connectors/social/errors.ts';
import type { SocialConnections } from '../../connectors/social/runtime.ts';
import type { SocialTokens } from '../../connectors/social/schemas.ts';
import type { Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { envelopeKekId } from '../../vault/envelope.ts';
import type { Vault } from '../../vault/vault.ts';
import { epochMs, isForeignKeyViolation } from '../shared.ts';
import {
  createIdentityTokenQueries,
  type IdentityTokenRow,
  type IdentityTokenValues,
} from './identity-tokens.queries.ts';

/**
 * The provider tokens of users' social identities (SPEC §7, issue 6 item 1): kept in one vault envelope per
 * identity, read back as a usable access token, refreshed upstream when expired.
 *
 * Time: expiry is decided by this service's clock (`now`, the process clock by default), against the
 * `expires_at` column it wrote from the same clock (`now + expires_in`). The database clock is never consulted,
 * so a test moves time by moving `expires_at` (or by passing `now`). A 30 s margin absorbs clock skew between
 * instances and the time the caller needs to use the token.
 */

/**
 * Associated data of a token envelope: tenant, user and connector target. An envelope copied to another user's
 * or another target's row fails to open (SECURITY-TESTS D1). User ids never contain `|`, so the parts cannot
 * be shifted into one another.
 */
export const identityTokenAad = (tenantId: string, userId: string, target: string) =>
  `identity-token|${tenantId}|${userId}|${target}`;

/** What the envelope holds (JSON). `expiresAt` is epoch milliseconds. */
type SealedTokens = {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  scope: string | null;
  tokenType: string | null;
  expiresAt: number | null;
};

export type IdentityTokenStatus = {
  hasRefreshToken: boolean;
  scope: string | null;
  tokenType: string | null;
  /** Epoch milliseconds; null when the provider gave no lifetime. */
  expiresAt: number | null;
  /** Epoch milliseconds of the last store or refresh. */
  updatedAt: number;
};

/** The Account API's / Management API's answer (Logto's shape). */
export type IdentityAccessToken = {
  access_token: string;
  scope: string;
  token_type: string;
  /** Seconds left; 0 when the provider gave no lifetime (then the token is used until the provider refuses it). */
  expires_in: number;
};

/** A stored token this close to its expiry is refreshed rather than handed out. */
export const refreshMarginMs = 30_000;
/** Attempts of a read that found its row changed under it by a concurrent store, refresh or delete. */
const maxAttempts = 3;

// Plain columns are bounded by the schema (`token_type varchar(64)`) and PostgreSQL refuses NUL in text; the
// envelope keeps the provider's values exactly.
const column = (value: string | null, max?: number) =>
  value === null ? null : value.replaceAll('\u0000', '').slice(0, max);

export type IdentityTokenServiceDeps = {
  db: Kysely<Database>;
  tenantId: string;
  vault: Vault;
  social: SocialConnections;
  audit: AuditLog;
  now?: () => Date;
};

export const createIdentityTokenService = (deps: IdentityTokenServiceDeps) => {
  const { db, tenantId, vault, social, audit } = deps;
  const clock = () => (deps.now ?? (() => new Date()))().getTime();
  const queries = (on: Kysely<Database> = db) => createIdentityTokenQueries(on, tenantId);

  const sealTokens = (userId: string, target: string, tokens: SealedTokens): IdentityTokenValues => {
    const envelope = vault.seal(JSON.stringify(tokens), identityTokenAad(tenantId, userId, target));
    return {
      kekId: envelopeKekId(envelope),
      envelope,
      hasRefreshToken: tokens.refreshToken !== null,
      scope: column(tokens.scope),
      tokenType: column(tokens.tokenType, 64),
      expiresAt: tokens.expiresAt === null ? null : new Date(tokens.expiresAt),
    };
  };

  /** The envelope's tokens; throws `VaultError` when it was moved from another row, altered, or its KEK is gone. */
  const openTokens = (row: IdentityTokenRow): SealedTokens =>
    JSON.parse(
      vault.open(row.envelope, identityTokenAad(tenantId, row.user_id, row.target)).toString('utf8'),
    ) as SealedTokens;

  const expiresAtOf = (expiresIn: number | undefined) =>
    expiresIn === undefined ? null : clock() + expiresIn * 1000;

  const isExpired = (row: IdentityTokenRow) =>
    row.expires_at !== null && epochMs(row.expires_at) - refreshMarginMs <= clock();

  const answer = (tokens: SealedTokens): IdentityAccessToken => ({
    access_token: tokens.accessToken,
    scope: tokens.scope ?? '',
    token_type: tokens.tokenType ?? 'Bearer',
    expires_in: tokens.expiresAt === null ? 0 : Math.max(0, Math.floor((tokens.expiresAt - clock()) / 1000)),
  });

  const sameTokens = (a: SealedTokens, b: SealedTokens) =>
    a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;

  const expired = (target: string) => new ApiError('identity_token.expired', { target });

  /**
   * Deletes tokens that can never be refreshed, unless a concurrent store replaced them meanwhile (then false:
   * read again). The audit entry commits with the deletion.
   */
  const discard = (row: IdentityTokenRow, reason: string) =>
    db.transaction().execute(async (tx) => {
      if (!(await queries(tx).deleteIf(row.user_id, row.target, row.envelope))) return false;
      await audit.record(
        {
          action: 'identity_token.deleted',
          actor: { type: 'system' },
          userId: row.user_id,
          target: row.target,
          data: { reason },
        },
        tx,
      );
      return true;
    });

  const usableToken = async (userId: string, target: string, attempt = 1): Promise<IdentityAccessToken> => {
    const again = () => {
      if (attempt >= maxAttempts) throw new ApiError('identity_token.refresh_failed', { target });
      return usableToken(userId, target, attempt + 1);
    };
    const row = await queries().find(userId, target);
    if (!row) throw new ApiError('identity_token.not_found', { target });
    const stored = openTokens(row);
    if (!isExpired(row)) return answer(stored);

    const giveUp = async (reason: string) => {
      if (await discard(row, reason)) throw expired(target);
      return again();
    };
    if (stored.refreshToken === null) return giveUp('no_refresh_token');
    const connection = await social.get(target);
    if (!connection) return giveUp('connector_missing');

    let fresh: SocialTokens;
    try {
      fresh = await connection.connector.refresh(stored.refreshToken);
    } catch (error) {
      if (!(error instanceof SocialSignInError)) throw error;
      // RFC 6749 §5.2 invalid_grant: revoked or expired upstream, for good. Anything else (down, timeout, a
      // misconfigured client) may pass: the tokens are kept for the next try.
      if (error.code === 'social.refresh_refused') return giveUp('refresh_refused');
      throw new ApiError('identity_token.refresh_failed', { target, reason: error.code });
    }
    // RFC 6749 §6: a new refresh token replaces the old one only when the provider sends one; an omitted scope
    // is the original one (§5.1).
    const tokens: SealedTokens = {
      accessToken: fresh.accessToken ?? '',
      refreshToken: fresh.refreshToken ?? stored.refreshToken,
      idToken: fresh.idToken ?? stored.idToken,
      scope: fresh.scope ?? stored.scope,
      tokenType: fresh.tokenType ?? stored.tokenType,
      expiresAt: expiresAtOf(fresh.expiresIn),
    };
    const values = sealTokens(userId, target, tokens);
    const replace = (expected: string) =>
      db.transaction().execute(async (tx) => {
        if (!(await queries(tx).replaceIf(userId, target, expected, values))) return false;
        await audit.record(
          {
            action: 'identity_token.refreshed',
            actor: { type: 'system' },
            userId,
            target,
            data: { rotatedRefreshToken: tokens.refreshToken !== stored.refreshToken },
          },
          tx,
        );
        return true;
      });
    let expected = row;
    for (let swap = 0; swap < maxAttempts; swap++) {
      if (await replace(expected.envelope)) return answer(tokens);
      const now = await queries().find(userId, target);
      // Re-wrapped under a new KEK meanwhile (`npm run vault:rewrap`): the same tokens, so ours still replace
      // them. Refreshing again instead would use the old refresh token twice.
      if (!now || !sameTokens(openTokens(now), stored)) break;
      expected = now;
    }
    // Replaced or deleted meanwhile (a new sign-in, an unlink, another instance's refresh): what is stored now
    // is newer than what this refresh started from.
    return again();
  };

  // Concurrent reads of one expired token on this instance share one refresh: a provider that rotates refresh
  // tokens would otherwise see the same one used twice and, by RFC 9700 §4.14, revoke the whole grant.
  const inFlight = new Map<string, Promise<IdentityAccessToken>>();

  return {
    /**
     * Stores (replaces) the provider's tokens for the user's identity at `target`; `db` may be a transaction.
     * Nothing stored when `tokens` has no access token. 404 `identity.not_found` when the user has no identity
     * at `target`.
     */
    async store(
      userId: string,
      target: string,
      tokens: SocialTokens,
      on: Kysely<Database> = db,
    ): Promise<void> {
      if (!tokens.accessToken) return;
      const values = sealTokens(userId, target, {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? null,
        idToken: tokens.idToken ?? null,
        scope: tokens.scope ?? null,
        tokenType: tokens.tokenType ?? null,
        expiresAt: expiresAtOf(tokens.expiresIn),
      });
      try {
        await queries(on).upsert(userId, target, values);
      } catch (error) {
        if (isForeignKeyViolation(error)) throw new ApiError('identity.not_found', { userId, target });
        throw error;
      }
      await audit.record(
        {
          action: 'identity_token.stored',
          actor: { type: 'user', id: userId },
          userId,
          target,
          data: { hasRefreshToken: values.hasRefreshToken },
        },
        on,
      );
    },

    /** What is stored, without opening the envelope; undefined when nothing is. */
    async status(userId: string, target: string): Promise<IdentityTokenStatus | undefined> {
      const row = await queries().find(userId, target);
      if (!row) return undefined;
      return {
        hasRefreshToken: row.has_refresh_token,
        scope: row.scope,
        tokenType: row.token_type,
        expiresAt: row.expires_at === null ? null : epochMs(row.expires_at),
        updatedAt: epochMs(row.updated_at),
      };
    },

    /**
     * A usable access token: the stored one while it has more than 30 s left (or no known expiry), else one
     * refreshed upstream through the connector's token endpoint and client authentication, the new tokens
     * stored (a refresh answer without a refresh token keeps the old one). 404 `identity_token.not_found` when
     * none is stored; 401 `identity_token.expired` when it cannot be refreshed (no refresh token, no connector,
     * or the provider answers invalid_grant) — then the tokens are deleted and `identity_token.deleted` is
     * audited with actor `system`; 502 `identity_token.refresh_failed` when the provider is down, slow or
     * refuses otherwise (the tokens are kept). `VaultError` when the envelope cannot be opened.
     */
    accessToken(userId: string, target: string): Promise<IdentityAccessToken> {
      const key = `${userId}\u0000${target}`;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const read = usableToken(userId, target).finally(() => inFlight.delete(key));
      inFlight.set(key, read);
      return read;
    },

    /** Deletes the stored tokens; true when there were some. The caller audits with its own actor. */
    async remove(userId: string, target: string, on: Kysely<Database> = db): Promise<boolean> {
      return queries(on).delete(userId, target);
    },
  };
};

export type IdentityTokenService = ReturnType<typeof createIdentityTokenService>;
