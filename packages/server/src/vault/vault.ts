import { hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { envelopeKekId, type Keyring, open, seal } from './envelope.ts';
import { createSecretQueries } from './secrets.queries.ts';

export type Vault = ReturnType<typeof createVault>;

/** Associated data of a stored secret: its tenant, id and purpose. A row moved or relabelled fails to open. */
export const rowAad = (tenantId: string, id: string, purpose: string) =>
  `secrets|${tenantId}|${id}|${purpose}`;

export const newSecretId = () => randomBytes(16).toString('base64url').slice(0, 21);

/**
 * The Secret Vault: stores and reads secrets sealed by envelope encryption. Callers keep only the secret's id.
 * `db` may be a transaction, so a secret is written or deleted together with the row that owns it.
 */
export const createVault = (keyring: Keyring) => ({
  keyring,
  /**
   * A 256-bit key for one purpose, derived from the current KEK with HKDF-SHA256: the same on every instance,
   * different per purpose, and never stored. (It changes when the KEK rotates: use it only for short-lived data.)
   */
  deriveKey: (purpose: string) =>
    Buffer.from(
      hkdfSync(
        'sha256',
        keyring.get(keyring.currentId) as Buffer,
        Buffer.alloc(0),
        `gatehouse|${purpose}`,
        32,
      ),
    ),
  seal: (plaintext: Buffer | string, aad: string) => seal(keyring, plaintext, aad),
  open: (envelope: string, aad: string) => open(keyring, envelope, aad),

  async store(
    db: Kysely<Database>,
    input: { tenantId: string; purpose: string; plaintext: Buffer | string; id?: string },
  ): Promise<string> {
    const id = input.id ?? newSecretId();
    const envelope = seal(keyring, input.plaintext, rowAad(input.tenantId, id, input.purpose));
    await createSecretQueries(db).upsert({
      tenant_id: input.tenantId,
      id,
      purpose: input.purpose,
      kek_id: envelopeKekId(envelope),
      envelope,
    });
    return id;
  },

  /** The plaintext, or undefined when no such secret exists. Throws VaultError when it cannot be opened. */
  async read(db: Kysely<Database>, tenantId: string, id: string): Promise<Buffer | undefined> {
    const row = await createSecretQueries(db).find(tenantId, id);
    return row ? open(keyring, row.envelope, rowAad(row.tenant_id, row.id, row.purpose)) : undefined;
  },

  async remove(db: Kysely<Database>, tenantId: string, id: string): Promise<boolean> {
    const result = await createSecretQueries(db).delete(tenantId, id);
    return result.numDeletedRows > 0n;
  },
});
