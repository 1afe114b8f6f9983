import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations as defaultMigrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

// An arbitrary constant: the key of the session-level advisory lock that serialises migrations across instances.
const migrationLockKey = 7_204_117_301;

export const migrationTables = {
  migrationTableName: 'schema_migrations',
  migrationLockTableName: 'schema_migrations_lock',
} as const;

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(
      `Migration ${migration ?? '(setup)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationError';
  }
}

const unwrap = ({ error, results }: MigrationResultSet) => {
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
};

/**
 * Runs `step` with a Migrator on one connection that holds a PostgreSQL advisory lock, so instances
 * starting together on one database apply each migration exactly once, one after another.
 * Kysely also takes a transaction-level lock per run; the session lock additionally covers the creation
 * of its bookkeeping tables, which would otherwise race.
 */
const withMigrator = <T>(
  db: Kysely<Database>,
  migrations: Record<string, Migration>,
  step: (migrator: Migrator) => Promise<T>,
): Promise<T> =>
  db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${sql.lit(migrationLockKey)})`.execute(connection);
    try {
      const migrator = new Migrator({
        db: connection,
        provider: { getMigrations: async () => migrations },
        ...migrationTables,
      });
      return await step(migrator);
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(migrationLockKey)})`.execute(connection);
    }
  });

/** Applies every pending migration; answers the names applied by this call (empty when up to date). */
export const migrateToLatest = (db: Kysely<Database>, migrations = defaultMigrations): Promise<string[]> =>
  withMigrator(db, migrations, async (migrator) => unwrap(await migrator.migrateToLatest()));

/** Applies exactly the next pending migration, if any (used by the step-by-step schema test). */
export const migrateUpOne = (db: Kysely<Database>, migrations = defaultMigrations): Promise<string[]> =>
  withMigrator(db, migrations, async (migrator) => unwrap(await migrator.migrateUp()));

/** Names of the migrations not yet applied. */
export const pendingMigrations = (db: Kysely<Database>, migrations = defaultMigrations): Promise<string[]> =>
  withMigrator(db, migrations, async (migrator) =>
    (await migrator.getMigrations()).filter((info) => !info.executedAt).map((info) => info.name),
  );
