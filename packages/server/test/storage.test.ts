import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from '../src/db/client.ts';
import { DataDirInUseError } from '../src/db/data-dir-lock.ts';
import { migrateToLatest, migrateUpOne, pendingMigrations } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import type { Database } from '../src/db/schema.ts';
import { testBackends } from './support/db.ts';
import { captureLogs } from './support/logs.ts';

/** Everything that makes up the schema, in a stable order, to compare two databases. */
const schemaSnapshot = async (db: Kysely<Database>) => {
  const columns = await sql<Record<string, unknown>>`
    select table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
    from information_schema.columns where table_schema = 'public'
    order by table_name, column_name`.execute(db);
  const constraints = await sql<Record<string, unknown>>`
    select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace
    order by 1, 2`.execute(db);
  const indexes = await sql<Record<string, unknown>>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`.execute(
    db,
  );
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows };
};

for (const backend of testBackends()) {
  describe(`migrations on ${backend.name}`, () => {
    it('a database migrated step by step equals a freshly migrated one', async () => {
      const stepwise = await backend.create();
      const fresh = await backend.create();
      try {
        const names = Object.keys(migrations);
        for (const name of names) {
          assert.deepEqual(await migrateUpOne(stepwise.kysely), [name]);
        }
        assert.deepEqual(await migrateToLatest(fresh.kysely), names);
        assert.deepEqual(await schemaSnapshot(stepwise.kysely), await schemaSnapshot(fresh.kysely));
      } finally {
        await stepwise.close();
        await fresh.close();
      }
    });

    it('applies nothing the second time and reports no pending migration', async () => {
      const db = await backend.create();
      try {
        assert.ok((await migrateToLatest(db.kysely)).length > 0);
        assert.deepEqual(await migrateToLatest(db.kysely), []);
        assert.deepEqual(await pendingMigrations(db.kysely), []);
      } finally {
        await db.close();
      }
    });

    it('seeds the default tenant that every tenant-owned row refers to', async () => {
      const db = await backend.create();
      try {
        await migrateToLatest(db.kysely);
        const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
        assert.deepEqual(tenants, [{ id: 'default' }]);
        await assert.rejects(
          db.kysely
            .insertInto('secrets')
            .values({ tenant_id: 'nope', id: 'x', purpose: 'p', kek_id: 'k', envelope: 'e' })
            .execute(),
        );
      } finally {
        await db.close();
      }
    });

    it('gives every table except tenants and the migration bookkeeping a tenant_id column', async () => {
      const db = await backend.create();
      try {
        await migrateToLatest(db.kysely);
        const tables = await sql<{ table_name: string; has_tenant: boolean }>`
          select t.table_name, exists (
            select 1 from information_schema.columns c
            where c.table_schema = 'public' and c.table_name = t.table_name and c.column_name = 'tenant_id'
          ) as has_tenant
          from information_schema.tables t where t.table_schema = 'public'`.execute(db.kysely);
        const exempt = new Set(['tenants', 'schema_migrations', 'schema_migrations_lock']);
        const missing = tables.rows.filter((row) => !exempt.has(row.table_name) && !row.has_tenant);
        assert.deepEqual(missing, []);
      } finally {
        await db.close();
      }
    });

    it('rolls back a failing migration whole and reports which one failed', async () => {
      const db = await backend.create();
      try {
        const broken = {
          ...migrations,
          '9999_broken': {
            up: async (trx: Kysely<unknown>) => {
              await sql`create table half_written (id int)`.execute(trx);
              await sql`select * from table_that_does_not_exist`.execute(trx);
            },
          },
        };
        await assert.rejects(migrateToLatest(db.kysely, broken), /Migration 9999_broken failed/);
        const leftover = await sql`select to_regclass('public.half_written') as t`.execute(db.kysely);
        assert.deepEqual(leftover.rows, [{ t: null }]);
      } finally {
        await db.close();
      }
    });
  });
}

const postgresUrl = process.env.TEST_DATABASE_URL;
const postgres = testBackends().find((backend) => backend.name === 'postgres');
if (postgres && postgresUrl) {
  describe('several instances on one PostgreSQL (SPEC §1 scale-out)', () => {
    it('applies each migration exactly once when five instances migrate at the same moment', async () => {
      const first = await postgres.create();
      const others = await Promise.all(
        Array.from({ length: 4 }, () =>
          openDatabase({ kind: 'postgres', url: first.url ?? '', poolSize: 2 }, captureLogs('silent').logger),
        ),
      );
      try {
        const applied = await Promise.all([first, ...others].map((db) => migrateToLatest(db.kysely)));
        assert.deepEqual(applied.flat().sort(), Object.keys(migrations).sort());
        const rows = await sql<{
          count: string;
        }>`select count(*)::text as count from schema_migrations`.execute(first.kysely);
        assert.equal(rows.rows[0]?.count, String(Object.keys(migrations).length));
      } finally {
        await Promise.all(others.map((db) => db.close()));
        await first.close();
      }
    });
  });
}

describe('embedded PGlite in DATA_DIR', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pglite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const logger = captureLogs('silent').logger;

  it('keeps its data across a close and a reopen of the same folder', async () => {
    const first = await openDatabase({ kind: 'pglite', dataDir: dir }, logger);
    await migrateToLatest(first.kysely);
    await first.kysely.insertInto('tenants').values({ id: 'kept', name: 'Kept' }).execute();
    await first.close();

    const second = await openDatabase({ kind: 'pglite', dataDir: dir }, logger);
    try {
      assert.deepEqual(await migrateToLatest(second.kysely), []);
      const row = await second.kysely
        .selectFrom('tenants')
        .select('name')
        .where('id', '=', 'kept')
        .executeTakeFirst();
      assert.deepEqual(row, { name: 'Kept' });
    } finally {
      await second.close();
    }
  });

  it('refuses a second opener of the same folder while the first holds it', async () => {
    const holder = await openDatabase({ kind: 'pglite', dataDir: dir }, logger);
    try {
      // Simulate another live process by rewriting the pid file with the parent's pid.
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path.join(dir, 'gatehouse.pid'), String(process.ppid));
      await assert.rejects(openDatabase({ kind: 'pglite', dataDir: dir }, logger), DataDirInUseError);
    } finally {
      await holder.close();
    }
  });

  it('serialises concurrent transactions on its single connection', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: dir }, logger);
    try {
      await migrateToLatest(db.kysely);
      await db.kysely.deleteFrom('tenants').where('id', 'like', 'c%').execute();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.kysely
            .transaction()
            .execute(async (tx) => {
              await tx
                .insertInto('tenants')
                .values({ id: `c${i}`, name: 'x' })
                .execute();
              if (i % 2 === 1) throw new Error('rollback odd ones');
            })
            .catch(() => undefined),
        ),
      );
      const rows = await db.kysely
        .selectFrom('tenants')
        .select('id')
        .where('id', 'like', 'c%')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((row) => row.id),
        ['c0', 'c2', 'c4', 'c6', 'c8'],
      );
    } finally {
      await db.close();
    }
  });
});
