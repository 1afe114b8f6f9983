import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { errors } from 'oidc-provider';
import type { Database } from '../db/schema.ts';

/**
 * oidc-provider's storage on our database, for every model it persists (codes, tokens, sessions, grants,
 * interactions…). Clients are not stored here: they come from applications (see clients.ts).
 *
 * - Ids and uids are stored as SHA-256 digests, and the `jti` is removed from the stored payload, so a
 *   database dump holds no usable code, token or session id (SECURITY-TESTS D2).
 * - `consume` is one conditional UPDATE: of concurrent redemptions of one code or refresh token, across any
 *   number of instances, exactly one succeeds; the others get `invalid_grant` (SECURITY-TESTS A6, A9).
 * - RFC 9700 §4.14: oidc-provider revokes the whole grant when a rotated refresh token comes back. A token
 *   replayed within `refreshGraceSeconds` of its rotation (a client retrying after a lost response, two tabs
 *   racing) is refused with `invalid_grant` but does not revoke the grant; later replays do.
 */

type Payload = Record<string, unknown> & {
  jti?: string;
  grantId?: string;
  uid?: string;
  consumed?: unknown;
};

export const digest = (value: string) => createHash('sha256').update(value).digest('hex');

export type AdapterOptions = {
  db: Kysely<Database>;
  tenantId: string;
  refreshGraceSeconds: number;
};

const grantScopedModels = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export const createAdapterClass = ({ db, tenantId, refreshGraceSeconds }: AdapterOptions) =>
  class DatabaseAdapter {
    constructor(readonly name: string) {}

    async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
      const { jti: _jti, ...stored } = payload;
      const row = {
        tenant_id: tenantId,
        model_name: this.name,
        id: digest(id),
        payload: JSON.stringify(stored),
        grant_id: payload.grantId ? digest(payload.grantId) : null,
        uid: payload.uid ? digest(payload.uid) : null,
        expires_at: new Date(Date.now() + expiresIn * 1000),
      };
      await db
        .insertInto('oidc_model_instances')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['tenant_id', 'model_name', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            uid: row.uid,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    private async findBy(
      column: 'id' | 'uid',
      value: string,
      restoreId?: string,
    ): Promise<Payload | undefined> {
      const row = await db
        .selectFrom('oidc_model_instances')
        .select(['id', 'payload', 'consumed_at'])
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', this.name)
        .where(column, '=', digest(value))
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      if (!row) return undefined;
      const payload = { ...(row.payload as Payload) };
      if (restoreId !== undefined) payload.jti = restoreId;
      if (row.consumed_at) {
        const consumedAt = new Date(row.consumed_at);
        const withinGrace = Date.now() - consumedAt.getTime() < refreshGraceSeconds * 1000;
        if (this.name === 'RefreshToken' && withinGrace) {
          throw new errors.InvalidGrant('refresh token already used');
        }
        payload.consumed = Math.floor(consumedAt.getTime() / 1000);
      }
      return payload;
    }

    find(id: string) {
      return this.findBy('id', id, id);
    }

    async findByUid(uid: string) {
      // Sessions are found by uid; their id (the cookie value) is only known to the browser.
      const row = await db
        .selectFrom('oidc_model_instances')
        .select('payload')
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', this.name)
        .where('uid', '=', digest(uid))
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return row ? (row.payload as Payload) : undefined;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined; // The device flow is not enabled.
    }

    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_model_instances')
        .set({ consumed_at: sql<Date>`now()` })
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', this.name)
        .where('id', '=', digest(id))
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new errors.InvalidGrant(
          `${this.name === 'RefreshToken' ? 'refresh token' : 'grant'} already used`,
        );
      }
    }

    async destroy(id: string): Promise<void> {
      await db
        .deleteFrom('oidc_model_instances')
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', this.name)
        .where('id', '=', digest(id))
        .execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db
        .deleteFrom('oidc_model_instances')
        .where('tenant_id', '=', tenantId)
        .where('grant_id', '=', digest(grantId))
        .where('model_name', 'in', [...grantScopedModels, 'Grant'])
        .execute();
      // The Grant model's own row is keyed by its id, which is the grant id.
      await db
        .deleteFrom('oidc_model_instances')
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', 'Grant')
        .where('id', '=', digest(grantId))
        .execute();
    }
  };

/** Deletes expired rows in batches; run periodically by one timer per instance. */
export const purgeExpired = async (db: Kysely<Database>, batch = 1_000): Promise<number> => {
  const result = await sql`
    delete from oidc_model_instances where ctid in (
      select ctid from oidc_model_instances where expires_at < now() limit ${batch}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
};
