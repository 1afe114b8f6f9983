import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { createAuditLog } from '../src/audit/audit-log.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLocalChangeBus } from '../src/db/changes.ts';
import { type Db, openDatabase } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Database, defaultTenantId } from '../src/db/schema.ts';
import { createConnectorService } from '../src/domain/connectors/connectors.service.ts';
import { createIdentityTokenService } from '../src/domain/identity-tokens/identity-tokens.service.ts';
import { createRegistry, type Registry } from '../src/registry.ts';
import { createKeyring, envelopeKekId, type Keyring, kekId, VaultError } from '../src/vault/envelope.ts';
import { rewrapAll } from '../src/vault/rewrap.ts';
import { createVault } from '../src/vault/vault.ts';
import { testBackends } from './support/db.ts';
import { captureLogs } from './support/logs.ts';

/**
 * KEK rotation (issue 6 item 2, SECURITY-TESTS D3): a new SECRET_VAULT_KEK with the old one kept as
 * SECRET_VAULT_KEK_PREVIOUS reads everything; `npm run vault:rewrap` re-wraps every stored envelope under the new
 * key, row by row with a compare-and-swap, so it runs beside live servers and loses no concurrent write; then the
 * new key alone reads everything, and a wrong key is refused with a clear error, never plaintext.
 */

const root = path.resolve(import.meta.dirname, '../../..');
const kek1 = randomBytes(32);
const kek2 = randomBytes(32);
const kek3 = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

/** A registry over `db` with `keyring` (what a server restarted with these keys runs). */
const registryWith = async (db: Db, keyring: Keyring): Promise<Registry> =>
  createRegistry({
    config: loadConfig({ NODE_ENV: 'test', SECRET_VAULT_KEK: b64(kek1), LOG_LEVEL: 'silent' }),
    logger: captureLogs('silent').logger,
    db,
    keyring,
    changes: createLocalChangeBus(),
  });

const tokenService = (db: Kysely<Database>, registry: Registry) =>
  createIdentityTokenService({
    db,
    tenantId: defaultTenantId,
    vault: registry.vault,
    social: registry.social,
    audit: createAuditLog({ db, tenantId: defaultTenantId }),
  });

/** A user with an identity at `target` (rows written directly: the users domain is not under test here). */
const userWithIdentity = async (db: Kysely<Database>, target: string) => {
  const id = randomBytes(12).toString('base64url').slice(0, 21);
  await db
    .insertInto('users')
    .values({ tenant_id: defaultTenantId, id, username: `u_${id}` })
    .execute();
  await db
    .insertInto('user_identities')
    .values({ tenant_id: defaultTenantId, user_id: id, target, identity_id: `sub-${id}` })
    .execute();
  return id;
};

/**
 * Everything a server stores sealed, under `registry`'s current KEK: its signing and cookie keys (created with
 * the registry), a social connector's client secret, and provider tokens of `users` users.
 */
const seed = async (db: Kysely<Database>, registry: Registry, users = 3) => {
  const connectors = createConnectorService({
    db,
    changes: registry.changes,
    tenantId: defaultTenantId,
    vault: registry.vault,
  });
  const target = `idp-${randomBytes(4).toString('hex')}`;
  const clientSecret = `client-secret-${randomBytes(8).toString('hex')}`;
  const connector = await connectors.create({
    connectorId: 'oidc',
    config: {
      clientId: 'rp',
      clientSecret,
      authorizationEndpoint: 'https://idp.example.com/auth',
      tokenEndpoint: 'https://idp.example.com/token',
      idTokenVerificationConfig: { jwksUri: 'https://idp.example.com/jwks' },
    },
    metadata: { target },
    syncProfile: false,
    enableTokenStorage: true,
  } as Parameters<typeof connectors.create>[0]);
  const tokens = tokenService(db, registry);
  const userIds: string[] = [];
  for (let n = 0; n < users; n++) {
    const userId = await userWithIdentity(db, target);
    await tokens.store(userId, target, {
      accessToken: `at-${userId}`,
      refreshToken: `rt-${userId}`,
      expiresIn: 3600,
    });
    userIds.push(userId);
  }
  return { target, clientSecret, connectorId: connector.id, userIds };
};

/** The KEK ids of every stored envelope, per table. */
const kekIds = async (db: Kysely<Database>) => ({
  secrets: new Set((await db.selectFrom('secrets').select('kek_id').execute()).map((row) => row.kek_id)),
  connectors: new Set(
    (
      await db
        .selectFrom('connectors')
        .select('sealed_secrets')
        .where('sealed_secrets', 'is not', null)
        .execute()
    ).map((row) => envelopeKekId(row.sealed_secrets ?? '')),
  ),
  identity_tokens: new Set(
    (await db.selectFrom('identity_tokens').select(['kek_id', 'envelope']).execute()).flatMap((row) => [
      row.kek_id,
      envelopeKekId(row.envelope),
    ]),
  ),
});

/** Reads back everything `seed` stored, through the server's own code paths. */
const readsEverything = async (
  db: Kysely<Database>,
  registry: Registry,
  seeded: Awaited<ReturnType<typeof seed>>,
) => {
  const connectors = createConnectorService({
    db,
    changes: registry.changes,
    tenantId: defaultTenantId,
    vault: registry.vault,
  });
  const connector = await connectors.getForSignIn(seeded.connectorId);
  assert.equal(connector?.config.clientSecret, seeded.clientSecret);
  const tokens = tokenService(db, registry);
  for (const userId of seeded.userIds) {
    assert.equal((await tokens.accessToken(userId, seeded.target)).access_token, `at-${userId}`);
  }
  for (const row of await db.selectFrom('secrets').select('id').execute()) {
    assert.ok(await registry.vault.read(db, defaultTenantId, row.id));
  }
};

const runCli = (env: Record<string, string>, command: 'node' | 'npm' = 'node') =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child =
      command === 'npm'
        ? spawn('npm', ['run', '--silent', 'vault:rewrap'], {
            cwd: root,
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
          })
        : spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/vault/rewrap-cli.ts'], {
            cwd: root,
            env: { PATH: process.env.PATH ?? '', ...env },
          });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

for (const backend of testBackends()) {
  describe(`KEK rotation and vault:rewrap (issue 6 item 2, SECURITY-TESTS D3) on ${backend.name}`, () => {
    let db: Db & { url?: string };
    const registries: Registry[] = [];
    const open = async (keyring: Keyring) => {
      const registry = await registryWith(db, keyring);
      registries.push(registry);
      return registry;
    };

    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
    });
    after(async () => {
      for (const registry of registries) registry.oidc.close();
      await db.close();
    });

    it('sealed under KEK1; a server restarted with KEK2 and KEK1 as previous reads everything; rewrap leaves every envelope under KEK2; then KEK2 alone reads everything', async () => {
      const first = await open(createKeyring(kek1));
      const seeded = await seed(db.kysely, first);
      assert.deepEqual(await kekIds(db.kysely), {
        secrets: new Set([kekId(kek1)]),
        connectors: new Set([kekId(kek1)]),
        identity_tokens: new Set([kekId(kek1)]),
      });

      const rotated = createKeyring(kek2, [kek1]);
      const restarted = await open(rotated);
      await readsEverything(db.kysely, restarted, seeded);

      const secretRows = (
        await db.kysely.selectFrom('secrets').select('id').where('kek_id', '=', kekId(kek1)).execute()
      ).length;
      assert.ok(secretRows >= 2, 'signing and cookie keys');
      const report = await rewrapAll({ db: db.kysely, keyring: rotated, batchSize: 2 });
      assert.equal(report.currentKekId, kekId(kek2));
      assert.deepEqual(report.failures, []);
      assert.deepEqual(report.tables, {
        secrets: { rewrapped: secretRows, concurrent: 0, failed: 0, remaining: 0 },
        connectors: { rewrapped: 1, concurrent: 0, failed: 0, remaining: 0 },
        identity_tokens: { rewrapped: seeded.userIds.length, concurrent: 0, failed: 0, remaining: 0 },
      });
      assert.deepEqual(await kekIds(db.kysely), {
        secrets: new Set([kekId(kek2)]),
        connectors: new Set([kekId(kek2)]),
        identity_tokens: new Set([kekId(kek2)]),
      });

      // Idempotent: nothing left to do.
      const again = await rewrapAll({ db: db.kysely, keyring: rotated });
      for (const counts of Object.values(again.tables)) assert.equal(counts.rewrapped, 0);

      // The previous KEK can go: a server with KEK2 alone starts (signing keys open) and reads everything.
      const alone = await open(createKeyring(kek2));
      await readsEverything(db.kysely, alone, seeded);
    });

    it('a wrong KEK (KEK3 alone) is refused with vault.unknown_key: no server start, no token, and rewrap changes nothing', async () => {
      const wrong = createKeyring(kek3);
      await assert.rejects(
        registryWith(db, wrong),
        (error: unknown) => error instanceof VaultError && error.code === 'vault.unknown_key',
      );
      const before = await db.kysely.selectFrom('identity_tokens').select(['user_id', 'envelope']).execute();
      const report = await rewrapAll({ db: db.kysely, keyring: wrong });
      assert.ok(report.failures.length > 0);
      assert.ok(report.failures.every((failure) => failure.code === 'vault.unknown_key'));
      assert.ok(report.failures.every((failure) => failure.kekId === kekId(kek2)));
      assert.equal(report.tables.identity_tokens.remaining, before.length);
      assert.deepEqual(
        await db.kysely.selectFrom('identity_tokens').select(['user_id', 'envelope']).execute(),
        before,
      );

      const vault = createVault(wrong);
      const [row] = before;
      assert.ok(row);
      assert.throws(
        () => vault.open(row.envelope, 'anything'),
        (error: unknown) => error instanceof VaultError && error.code === 'vault.unknown_key',
      );
    });

    it('a write by a server during the rewrap is never overwritten (compare-and-swap on the envelope)', async () => {
      // An instance still on KEK1 (it holds KEK2 as previous only to start over the rotated signing keys).
      const old = await open(createKeyring(kek1, [kek2]));
      const seeded = await seed(db.kysely, old, 2);
      const [raced, untouched] = seeded.userIds;
      assert.ok(raced && untouched);
      const rotated = createKeyring(kek2, [kek1]);
      const server = await open(rotated);
      const tokens = tokenService(db.kysely, server);
      let interleaved = 0;
      const report = await rewrapAll({
        db: db.kysely,
        keyring: rotated,
        // Between the rewrap's read and its swap, the server stores a new sign-in's tokens for `raced`.
        beforeSwap: async (table, key) => {
          if (table === 'identity_tokens' && key[1] === raced && interleaved === 0) {
            interleaved += 1;
            await tokens.store(raced, seeded.target, {
              accessToken: 'at-written-during-rewrap',
              expiresIn: 60,
            });
          }
        },
      });
      assert.equal(interleaved, 1);
      assert.equal(report.tables.identity_tokens.concurrent, 1);
      assert.equal(report.tables.identity_tokens.remaining, 0);
      assert.equal((await tokens.accessToken(raced, seeded.target)).access_token, 'at-written-during-rewrap');
      assert.equal((await tokens.accessToken(untouched, seeded.target)).access_token, `at-${untouched}`);
    });

    if (backend.name === 'postgres') {
      it('on PostgreSQL, writers racing a running rewrap lose nothing (real concurrency, several connections)', async () => {
        const old = await open(createKeyring(kek1, [kek2]));
        const seeded = await seed(db.kysely, old, 60);
        const rotated = createKeyring(kek2, [kek1]);
        const server = await open(rotated);
        const tokens = tokenService(db.kysely, server);
        const last = new Map(seeded.userIds.map((userId) => [userId, `at-${userId}`]));
        let writing = true;
        // Each writer owns every other user, so "the last write" of a user is well defined.
        const writer = async (n: number) => {
          const mine = seeded.userIds.filter((_, index) => index % 2 === n);
          let round = 0;
          while (writing) {
            const userId = mine[(round * 7) % mine.length] ?? '';
            const value = `at-${userId}-w${n}-r${round}`;
            await tokens.store(userId, seeded.target, { accessToken: value, expiresIn: 600 });
            last.set(userId, value);
            round += 1;
          }
        };
        const writers = [writer(0), writer(1)];
        const report = await rewrapAll({ db: db.kysely, keyring: rotated, batchSize: 5 });
        writing = false;
        await Promise.all(writers);
        assert.deepEqual(report.failures, []);
        const alone = tokenService(db.kysely, await open(createKeyring(kek2)));
        for (const userId of seeded.userIds) {
          assert.equal((await alone.accessToken(userId, seeded.target)).access_token, last.get(userId));
        }
        assert.deepEqual((await kekIds(db.kysely)).identity_tokens, new Set([kekId(kek2)]));
      });

      it('`npm run vault:rewrap` as a child process: re-wraps under SECRET_VAULT_KEK, prints counts, exits 0, and a second run finds nothing to do', async () => {
        // Everything is under KEK2 now (the tests above re-wrapped it); more of it sealed by a KEK2 server.
        const seeded = await seed(db.kysely, await open(createKeyring(kek2)), 2);
        const kek4 = randomBytes(32);
        const env = {
          NODE_ENV: 'production',
          DATABASE_URL: db.url ?? '',
          SECRET_VAULT_KEK: b64(kek4),
          SECRET_VAULT_KEK_PREVIOUS: b64(kek1),
        };
        // The wrong previous key: KEK2 is not loaded, every row is refused and listed, nothing changes.
        const partial = await runCli(env);
        assert.equal(partial.code, 1, partial.stdout + partial.stderr);
        assert.match(
          partial.stdout,
          new RegExp(`wrapped under KEK ${kekId(kek2)}, which is not loaded \\(vault.unknown_key\\)`),
        );
        assert.match(partial.stdout, /SECRET_VAULT_KEK_PREVIOUS/);

        // With the right previous key, everything moves to KEK4.
        const ran = await runCli({ ...env, SECRET_VAULT_KEK_PREVIOUS: b64(kek2) }, 'npm');
        assert.equal(ran.code, 0, ran.stdout + ran.stderr);
        assert.match(
          ran.stdout,
          /identity_tokens: \d+ re-wrapped, 0 changed by a server meanwhile \(kept as written\), 0 failed, 0 remaining/,
        );
        assert.match(ran.stdout, new RegExp(`every stored envelope is under KEK ${kekId(kek4)}`));
        assert.deepEqual(await kekIds(db.kysely), {
          secrets: new Set([kekId(kek4)]),
          connectors: new Set([kekId(kek4)]),
          identity_tokens: new Set([kekId(kek4)]),
        });
        const alone = await open(createKeyring(kek4));
        await readsEverything(db.kysely, alone, seeded);
        for (const plaintext of [seeded.clientSecret, ...seeded.userIds.map((id) => `rt-${id}`)]) {
          assert.ok(
            !ran.stdout.includes(plaintext) && !ran.stderr.includes(plaintext),
            'a secret in the output',
          );
        }

        const twice = await runCli({ ...env, SECRET_VAULT_KEK_PREVIOUS: b64(kek2) });
        assert.equal(twice.code, 0, twice.stdout + twice.stderr);
        assert.match(twice.stdout, /identity_tokens: 0 re-wrapped/);

        const missing = await runCli({ NODE_ENV: 'production', DATABASE_URL: db.url ?? '' });
        assert.equal(missing.code, 78);
        assert.match(missing.stderr, /SECRET_VAULT_KEK/);
      });
    }
  });
}

describe('vault:rewrap on the embedded database (PGlite serves one process)', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-rewrap-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses clearly while a server holds DATA_DIR, and re-wraps once it is stopped', async () => {
    const logger = captureLogs('silent').logger;
    const db = await openDatabase({ kind: 'pglite', dataDir }, logger);
    let closed = false;
    try {
      await migrateToLatest(db.kysely);
      const registry = await registryWith(db, createKeyring(kek1));
      await seed(db.kysely, registry, 1);
      registry.oidc.close();

      const env = {
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        SECRET_VAULT_KEK: b64(kek2),
        SECRET_VAULT_KEK_PREVIOUS: b64(kek1),
      };
      const refused = await runCli(env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /is in use by process \d+/);
      assert.match(refused.stderr, /Stop the server, run `npm run vault:rewrap`, then start it again/);

      await db.close();
      closed = true;
      const ran = await runCli(env);
      assert.equal(ran.code, 0, ran.stdout + ran.stderr);
      assert.match(ran.stdout, /identity_tokens: 1 re-wrapped/);
    } finally {
      if (!closed) await db.close();
    }
    const reopened = await openDatabase({ kind: 'pglite', dataDir }, logger);
    try {
      assert.deepEqual(await kekIds(reopened.kysely), {
        secrets: new Set([kekId(kek2)]),
        connectors: new Set([kekId(kek2)]),
        identity_tokens: new Set([kekId(kek2)]),
      });
    } finally {
      await reopened.close();
    }
  });
});
