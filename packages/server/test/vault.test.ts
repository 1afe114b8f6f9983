import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import { createKeyring, kekId, open, rewrap, seal, VaultError } from '../src/vault/envelope.ts';
import { createVault } from '../src/vault/vault.ts';
import { testBackends } from './support/db.ts';

const key = () => randomBytes(32);

const assertVaultError = (fn: () => unknown, code: VaultError['code']) =>
  assert.throws(fn, (error: unknown) => error instanceof VaultError && error.code === code);

describe('envelope encryption (SPEC §7: AES-256-GCM, a data key per secret, wrapped by the KEK)', () => {
  const keyring = createKeyring(key());

  it('opens what it sealed, and seals the same plaintext differently every time (random data key and IV)', () => {
    const first = seal(keyring, 'refresh-token-value', 'row-1');
    const second = seal(keyring, 'refresh-token-value', 'row-1');
    assert.notEqual(first, second);
    assert.equal(open(keyring, first, 'row-1').toString(), 'refresh-token-value');
    assert.doesNotMatch(first, /refresh-token-value/);
  });

  it('names the KEK in the envelope so a rotated key can still be found', () => {
    const envelope = seal(keyring, 'x', 'row');
    assert.equal(envelope.split('.')[1], keyring.currentId);
  });

  it('refuses an envelope opened with other associated data (a ciphertext moved to another row)', () => {
    const envelope = seal(keyring, 'secret', 'tenant-a/row-1');
    assertVaultError(() => open(keyring, envelope, 'tenant-a/row-2'), 'vault.decrypt_failed');
  });

  it('reports a flipped bit in any part as an error, never as garbage plaintext', () => {
    const envelope = seal(keyring, 'a secret long enough to flip bits in', 'row');
    const parts = envelope.split('.');
    for (const index of [2, 3, 4, 5]) {
      const bytes = Buffer.from(parts[index] ?? '', 'base64url');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part)).join('.');
      assert.throws(() => open(keyring, tampered, 'row'), VaultError, `part ${index}`);
    }
  });

  it('refuses with a clear error when the KEK that wrapped a secret is not loaded (wrong or missing KEK)', () => {
    const envelope = seal(keyring, 'secret', 'row');
    assertVaultError(() => open(createKeyring(key()), envelope, 'row'), 'vault.unknown_key');
  });

  it('refuses a KEK id it does know when the envelope claims another key (forged header)', () => {
    const other = createKeyring(key());
    const envelope = seal(other, 'secret', 'row').split('.');
    envelope[1] = keyring.currentId;
    assertVaultError(() => open(keyring, envelope.join('.'), 'row'), 'vault.decrypt_failed');
  });

  it('refuses malformed envelopes', () => {
    for (const bad of ['', 'plaintext', 'v1.a.b.c.d', 'v2.a.b.c.d.e', 'v1.k.!!.c.d.e']) {
      assertVaultError(() => open(keyring, bad, 'row'), 'vault.malformed');
    }
  });

  it('keeps secrets readable through a KEK rotation and re-wraps them under the new key', () => {
    const oldKek = key();
    const newKek = key();
    const envelope = seal(createKeyring(oldKek), 'survives rotation', 'row');
    const during = createKeyring(newKek, [oldKek]);
    assert.equal(open(during, envelope, 'row').toString(), 'survives rotation');
    const rewrapped = rewrap(during, envelope, 'row');
    assert.equal(rewrapped.split('.')[1], kekId(newKek));
    assert.equal(open(createKeyring(newKek), rewrapped, 'row').toString(), 'survives rotation');
  });

  it('refuses a key that is not 32 bytes', () => {
    assertVaultError(() => createKeyring(randomBytes(16)), 'vault.malformed');
  });
});

for (const backend of testBackends()) {
  describe(`the Secret Vault's secrets table on ${backend.name}`, () => {
    let db: Db;
    const vault = createVault(createKeyring(key()));
    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
    });
    after(() => db.close());

    it('stores a secret sealed and reads it back', async () => {
      const id = await vault.store(db.kysely, {
        tenantId: defaultTenantId,
        purpose: 'test.token',
        plaintext: 'upstream-access-token',
      });
      assert.equal((await vault.read(db.kysely, defaultTenantId, id))?.toString(), 'upstream-access-token');
      const row = await db.kysely
        .selectFrom('secrets')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(row.envelope, /upstream-access-token/);
      assert.equal(row.kek_id, vault.keyring.currentId);
    });

    it('fails to open a ciphertext copied into another row', async () => {
      const a = await vault.store(db.kysely, {
        tenantId: defaultTenantId,
        purpose: 'test.token',
        plaintext: 'alice',
      });
      const b = await vault.store(db.kysely, {
        tenantId: defaultTenantId,
        purpose: 'test.token',
        plaintext: 'bob',
      });
      await sql`update secrets set envelope = (select envelope from secrets where id = ${a}) where id = ${b}`.execute(
        db.kysely,
      );
      await assert.rejects(
        vault.read(db.kysely, defaultTenantId, b),
        (error: unknown) => error instanceof VaultError && error.code === 'vault.decrypt_failed',
      );
    });

    it('fails to open a secret whose purpose was relabelled', async () => {
      const id = await vault.store(db.kysely, {
        tenantId: defaultTenantId,
        purpose: 'test.token',
        plaintext: 'x',
      });
      await db.kysely
        .updateTable('secrets')
        .set({ purpose: 'oidc.signing_key' })
        .where('id', '=', id)
        .execute();
      await assert.rejects(vault.read(db.kysely, defaultTenantId, id), VaultError);
    });

    it('answers undefined for a secret that does not exist and deletes one that does', async () => {
      assert.equal(await vault.read(db.kysely, defaultTenantId, 'missing'), undefined);
      const id = await vault.store(db.kysely, {
        tenantId: defaultTenantId,
        purpose: 'test.token',
        plaintext: 'x',
      });
      assert.equal(await vault.remove(db.kysely, defaultTenantId, id), true);
      assert.equal(await vault.read(db.kysely, defaultTenantId, id), undefined);
      assert.equal(await vault.remove(db.kysely, defaultTenantId, id), false);
    });

    it('writes a secret in the caller’s transaction: a rollback leaves nothing behind', async () => {
      let id = '';
      await assert.rejects(
        db.kysely.transaction().execute(async (tx) => {
          id = await vault.store(tx, {
            tenantId: defaultTenantId,
            purpose: 'test.token',
            plaintext: 'half-written',
          });
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await vault.read(db.kysely, defaultTenantId, id), undefined);
    });
  });
}
