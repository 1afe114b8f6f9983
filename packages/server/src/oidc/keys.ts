import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Vault } from '../vault/vault.ts';

export type SigningAlgorithm = 'ES256' | 'RS256';

export type OidcKeys = {
  /** Private signing JWKs, the current key first (oidc-provider signs with the first usable one). */
  signing: JWK[];
  /** Public signing JWKs as published at /oidc/jwks. */
  publicJwks: { keys: JWK[] };
  /** Keys for oidc-provider's signed cookies, the current key first. */
  cookieKeys: string[];
};

const signingPurpose = 'oidc.signing_key';
const cookiePurpose = 'oidc.cookie_key';

const newSigningKey = async (algorithm: SigningAlgorithm) => {
  const { privateKey } = await generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const privateJwk: JWK = { ...jwk, kid, alg: algorithm, use: 'sig' };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return { kid, privateJwk, publicJwk };
};

/**
 * Signing and cookie keys of a tenant (SPEC §2, §8 D2): private material sealed in the vault, public JWKs in
 * the clear. A retired signing key stays published for `retentionSeconds` (the longest token lifetime), so
 * tokens it signed still verify; after that it is dropped from JWKS.
 */
export const createKeyStore = ({
  vault,
  tenantId,
  retentionSeconds,
}: {
  vault: Vault;
  tenantId: string;
  retentionSeconds: number;
}) => {
  const insertSigningKey = async (db: Kysely<Database>, algorithm: SigningAlgorithm) => {
    const key = await newSigningKey(algorithm);
    const secretId = await vault.store(db, {
      tenantId,
      purpose: signingPurpose,
      plaintext: JSON.stringify(key.privateJwk),
    });
    await db
      .insertInto('oidc_keys')
      .values({
        tenant_id: tenantId,
        id: key.kid,
        usage: 'signing',
        algorithm,
        public_jwk: JSON.stringify(key.publicJwk),
        secret_id: secretId,
        retired_at: null,
      })
      .execute();
    return key.kid;
  };
  const insertCookieKey = async (db: Kysely<Database>) => {
    const id = randomBytes(8).toString('hex');
    const secretId = await vault.store(db, {
      tenantId,
      purpose: cookiePurpose,
      plaintext: randomBytes(32).toString('base64url'),
    });
    await db
      .insertInto('oidc_keys')
      .values({
        tenant_id: tenantId,
        id,
        usage: 'cookie',
        algorithm: 'HS256',
        public_jwk: null,
        secret_id: secretId,
        retired_at: null,
      })
      .execute();
  };

  return {
    /** Creates the first keys if there are none. Safe when several instances start at once. */
    async ensure(db: Kysely<Database>, algorithm: SigningAlgorithm): Promise<void> {
      await db.transaction().execute(async (tx) => {
        // Serialise key creation across instances for this tenant.
        await tx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirst();
        const current = await tx
          .selectFrom('oidc_keys')
          .select(['usage'])
          .where('tenant_id', '=', tenantId)
          .where('retired_at', 'is', null)
          .execute();
        if (!current.some((row) => row.usage === 'signing')) await insertSigningKey(tx, algorithm);
        if (!current.some((row) => row.usage === 'cookie')) await insertCookieKey(tx);
      });
    },

    /** Retires the current signing key (it stays published) and makes a new one current. */
    async rotateSigning(db: Kysely<Database>, algorithm: SigningAlgorithm): Promise<string> {
      return db.transaction().execute(async (tx) => {
        await tx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirst();
        await tx
          .updateTable('oidc_keys')
          .set({ retired_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('usage', '=', 'signing')
          .where('retired_at', 'is', null)
          .execute();
        return insertSigningKey(tx, algorithm);
      });
    },

    /** Signing keys still published (current first), without private material. */
    async listSigning(db: Kysely<Database>) {
      const cutoff = new Date(Date.now() - retentionSeconds * 1000);
      return db
        .selectFrom('oidc_keys')
        .select(['id', 'algorithm', 'created_at', 'retired_at'])
        .where('tenant_id', '=', tenantId)
        .where('usage', '=', 'signing')
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', cutoff)]))
        .orderBy('created_at', 'desc')
        .execute();
    },

    async load(db: Kysely<Database>): Promise<OidcKeys> {
      const cutoff = new Date(Date.now() - retentionSeconds * 1000);
      const rows = await db
        .selectFrom('oidc_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', cutoff)]))
        .execute();
      // Current (not retired) first, then the most recently retired.
      rows.sort((a, b) =>
        (a.retired_at?.getTime() ?? Number.MAX_SAFE_INTEGER) <
        (b.retired_at?.getTime() ?? Number.MAX_SAFE_INTEGER)
          ? 1
          : -1,
      );
      const signing: JWK[] = [];
      const publicKeys: JWK[] = [];
      const cookieKeys: string[] = [];
      for (const row of rows) {
        const secret = await vault.read(db, tenantId, row.secret_id);
        if (!secret) continue;
        if (row.usage === 'signing') {
          signing.push(JSON.parse(secret.toString('utf8')) as JWK);
          publicKeys.push(row.public_jwk as JWK);
        } else {
          cookieKeys.push(secret.toString('utf8'));
        }
      }
      return { signing, publicJwks: { keys: publicKeys }, cookieKeys };
    },
  };
};
