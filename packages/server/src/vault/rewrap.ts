import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { associatedData as connectorSecretsAad } from '../domain/connectors/connector-secrets.ts';
import { identityTokenAad } from '../domain/identity-tokens/identity-tokens.service.ts';
import { envelopeKekId, type Keyring, rewrap, VaultError } from './envelope.ts';
import { rowAad as secretAad } from './vault.ts';

/**
 * KEK rotation, second half (issue 6 item 2, `npm run vault:rewrap`): every long-lived envelope whose data key is
 * wrapped under another KEK than the current one is re-wrapped under the current one. Only the wrapped data key
 * changes; the encrypted secret is untouched, so nothing is decrypted to more than a data key in memory.
 *
 * Safe while servers run (SECURITY-TESTS D3 "rotation online loses nothing"): each row is read, re-wrapped, and
 * written back by a compare-and-swap on the envelope it read (`… where envelope = <read>`), one row per
 * statement, no long transaction. A row that a server changed in between (a new sign-in's tokens, a refresh, a
 * connector update) fails the swap and is read again: the server's write is never overwritten. Rows a server
 * writes meanwhile are sealed under the current KEK already (servers must run with the new KEK first).
 *
 * What is re-wrapped: `secrets` (signing keys), `connectors.sealed_secrets` (client secrets, SMTP passwords) and
 * `identity_tokens` (provider tokens). Not re-wrapped, on purpose: `experience_flows` and
 * `verification_records`, short-lived (an hour at most) and sealed under whatever KEK was current when they
 * were written; keep the previous KEK until they have expired (docs/secret-vault.md).
 */

export type SealedTable = 'secrets' | 'connectors' | 'identity_tokens';

export type RewrapCount = {
  /** Re-wrapped under the current KEK by this run. */
  rewrapped: number;
  /** Changed or deleted by someone else while this run was at it, and left as they wrote it. */
  concurrent: number;
  /** Could not be opened (`vault.unknown_key`: its KEK is not loaded; `vault.decrypt_failed`, `vault.malformed`). */
  failed: number;
  /** Still under another KEK after the run: 0 means the previous KEK may be dropped (for these tables). */
  remaining: number;
};

export type RewrapFailure = { table: SealedTable; key: string; code: VaultError['code']; kekId?: string };

export type RewrapReport = {
  currentKekId: string;
  tables: Record<SealedTable, RewrapCount>;
  /** One per row that could not be re-wrapped; never holds a secret (the row's key and the error code). */
  failures: RewrapFailure[];
};

type Key = readonly string[];
type SealedRow = { key: Key; envelope: string; aad: string };

/** One long-lived vault column: where its rows are, how to read one, how to swap its envelope. */
type SealedColumn = {
  table: SealedTable;
  /** Up to `limit` rows, in key order after `after`, whose envelope is not under `kekId`. */
  pending(db: Kysely<Database>, kekId: string, after: Key | undefined, limit: number): Promise<SealedRow[]>;
  read(db: Kysely<Database>, key: Key): Promise<SealedRow | undefined>;
  /** Replaces `expected` by `next`; false when the row no longer holds `expected`. */
  swap(db: Kysely<Database>, key: Key, expected: string, next: string): Promise<boolean>;
  remaining(db: Kysely<Database>, kekId: string): Promise<number>;
};

const after2 = (a: string, b: string, key: Key | undefined) =>
  key === undefined
    ? sql<boolean>`true`
    : sql<boolean>`(${sql.ref(a)}, ${sql.ref(b)}) > (${key[0]}, ${key[1]})`;

const count = async (query: Promise<{ n: string | number | bigint } | undefined>) =>
  Number((await query)?.n ?? 0);

const secretsColumn: SealedColumn = {
  table: 'secrets',
  pending: async (db, kekId, after, limit) => {
    const rows = await db
      .selectFrom('secrets')
      .select(['tenant_id', 'id', 'purpose', 'envelope'])
      .where('kek_id', '<>', kekId)
      .where(after2('tenant_id', 'id', after))
      .orderBy('tenant_id')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      key: [row.tenant_id, row.id],
      envelope: row.envelope,
      aad: secretAad(row.tenant_id, row.id, row.purpose),
    }));
  },
  read: async (db, [tenantId = '', id = '']) => {
    const row = await db
      .selectFrom('secrets')
      .select(['purpose', 'envelope'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { key: [tenantId, id], envelope: row.envelope, aad: secretAad(tenantId, id, row.purpose) };
  },
  swap: async (db, [tenantId = '', id = ''], expected, next) => {
    const result = await db
      .updateTable('secrets')
      .set({ envelope: next, kek_id: envelopeKekId(next) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('envelope', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },
  remaining: (db, kekId) =>
    count(
      db
        .selectFrom('secrets')
        .select(sql<string>`count(*)`.as('n'))
        .where('kek_id', '<>', kekId)
        .executeTakeFirst(),
    ),
};

// `connectors` has no kek_id column: the KEK id is the envelope's second dot-separated part (envelope.ts).
const connectorKekId = sql<string>`split_part(sealed_secrets, '.', 2)`;

const connectorsColumn: SealedColumn = {
  table: 'connectors',
  pending: async (db, kekId, after, limit) => {
    const rows = await db
      .selectFrom('connectors')
      .select(['tenant_id', 'id', 'sealed_secrets'])
      .where('sealed_secrets', 'is not', null)
      .where(connectorKekId, '<>', kekId)
      .where(after2('tenant_id', 'id', after))
      .orderBy('tenant_id')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      key: [row.tenant_id, row.id],
      envelope: row.sealed_secrets ?? '',
      aad: connectorSecretsAad(row.tenant_id, row.id),
    }));
  },
  read: async (db, [tenantId = '', id = '']) => {
    const row = await db
      .selectFrom('connectors')
      .select('sealed_secrets')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.sealed_secrets
      ? { key: [tenantId, id], envelope: row.sealed_secrets, aad: connectorSecretsAad(tenantId, id) }
      : undefined;
  },
  swap: async (db, [tenantId = '', id = ''], expected, next) => {
    const result = await db
      .updateTable('connectors')
      .set({ sealed_secrets: next })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('sealed_secrets', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },
  remaining: (db, kekId) =>
    count(
      db
        .selectFrom('connectors')
        .select(sql<string>`count(*)`.as('n'))
        .where('sealed_secrets', 'is not', null)
        .where(connectorKekId, '<>', kekId)
        .executeTakeFirst(),
    ),
};

const identityTokensColumn: SealedColumn = {
  table: 'identity_tokens',
  pending: async (db, kekId, after, limit) => {
    const rows = await db
      .selectFrom('identity_tokens')
      .select(['tenant_id', 'user_id', 'target', 'envelope'])
      .where('kek_id', '<>', kekId)
      .where(
        after === undefined
          ? sql<boolean>`true`
          : sql<boolean>`(tenant_id, user_id, target) > (${after[0]}, ${after[1]}, ${after[2]})`,
      )
      .orderBy('tenant_id')
      .orderBy('user_id')
      .orderBy('target')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      key: [row.tenant_id, row.user_id, row.target],
      envelope: row.envelope,
      aad: identityTokenAad(row.tenant_id, row.user_id, row.target),
    }));
  },
  read: async (db, [tenantId = '', userId = '', target = '']) => {
    const row = await db
      .selectFrom('identity_tokens')
      .select('envelope')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('target', '=', target)
      .executeTakeFirst();
    return (
      row && {
        key: [tenantId, userId, target],
        envelope: row.envelope,
        aad: identityTokenAad(tenantId, userId, target),
      }
    );
  },
  // `updated_at` is left alone: it says when the tokens changed, and a re-wrap does not change them.
  swap: async (db, [tenantId = '', userId = '', target = ''], expected, next) => {
    const result = await db
      .updateTable('identity_tokens')
      .set({ envelope: next, kek_id: envelopeKekId(next) })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('target', '=', target)
      .where('envelope', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },
  remaining: (db, kekId) =>
    count(
      db
        .selectFrom('identity_tokens')
        .select(sql<string>`count(*)`.as('n'))
        .where('kek_id', '<>', kekId)
        .executeTakeFirst(),
    ),
};

export const sealedColumns: readonly SealedColumn[] = [secretsColumn, connectorsColumn, identityTokensColumn];

/** How often one row is read again after a concurrent write before the run leaves it as the writer left it. */
const maxSwapAttempts = 5;

export type RewrapOptions = {
  db: Kysely<Database>;
  /** The current KEK (which wraps from now on) and the previous ones (to unwrap). */
  keyring: Keyring;
  /** Rows fetched per query (default 100). */
  batchSize?: number;
  /** Called after a row is re-wrapped in memory and before it is swapped (tests interleave writes here). */
  beforeSwap?: (table: SealedTable, key: Key) => Promise<void> | void;
};

/**
 * Re-wraps every long-lived envelope that is not under the current KEK. Idempotent: a second run finds nothing
 * to do. Never throws for a row it cannot open: it counts it in `failed` (with the key id in `failures`) and goes
 * on, so one run tells everything that the loaded keys cannot read.
 */
export const rewrapAll = async (options: RewrapOptions): Promise<RewrapReport> => {
  const { db, keyring } = options;
  const batchSize = options.batchSize ?? 100;
  const currentKekId = keyring.currentId;
  const failures: RewrapFailure[] = [];
  const tables = {} as Record<SealedTable, RewrapCount>;

  for (const column of sealedColumns) {
    const counts: RewrapCount = { rewrapped: 0, concurrent: 0, failed: 0, remaining: 0 };
    tables[column.table] = counts;

    const rewrapRow = async (first: SealedRow) => {
      let row: SealedRow | undefined = first;
      for (let attempt = 0; attempt < maxSwapAttempts; attempt++) {
        if (attempt > 0) row = await column.read(db, first.key);
        // Deleted, or rewritten under the current KEK by a server: its write stands.
        if (!row || envelopeKekId(row.envelope) === currentKekId) {
          counts.concurrent += 1;
          return;
        }
        const next = rewrap(keyring, row.envelope, row.aad);
        await options.beforeSwap?.(column.table, row.key);
        if (await column.swap(db, row.key, row.envelope, next)) {
          counts.rewrapped += 1;
          return;
        }
      }
      counts.concurrent += 1;
    };

    let after: Key | undefined;
    for (;;) {
      const batch = await column.pending(db, currentKekId, after, batchSize);
      for (const row of batch) {
        try {
          await rewrapRow(row);
        } catch (error) {
          if (!(error instanceof VaultError)) throw error;
          counts.failed += 1;
          let kekId: string | undefined;
          try {
            kekId = envelopeKekId(row.envelope);
          } catch {
            kekId = undefined;
          }
          failures.push({ table: column.table, key: row.key.join('/'), code: error.code, kekId });
        }
      }
      if (batch.length < batchSize) break;
      after = batch.at(-1)?.key;
    }
    counts.remaining = await column.remaining(db, currentKekId);
  }
  return { currentKekId, tables, failures };
};
