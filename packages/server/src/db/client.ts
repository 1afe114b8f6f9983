import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

export type Db = {
  kind: 'pglite' | 'postgres';
  kysely: Kysely<Database>;
  /** Resolves when the database answers a trivial query within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize: number }
  | { kind: 'pglite'; dataDir: string }
  /** An in-memory PGlite, optionally restored from a `dumpDataDir()` tarball (tests). */
  | { kind: 'pglite-memory'; loadDataDir?: Blob };

// PGlite defaults to 128 MB of shared buffers; 16 MB keeps a warm start near 150 MB RSS (docs/decisions/0003).
const pgliteConf = ['shared_buffers=16MB'];

const withTimeout = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

const initdbInWorker = (dataDir: string) =>
  new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./pglite-initdb.worker.mjs', import.meta.url), {
      workerData: { dataDir },
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`PGlite initdb exited with ${code}`)),
    );
  });

const openPglite = async (
  options: Extract<DatabaseOptions, { kind: 'pglite' | 'pglite-memory' }>,
  logger: Logger,
) => {
  if (options.kind === 'pglite-memory') {
    return {
      client: new PGlite({ loadDataDir: options.loadDataDir, postgresqlconf: pgliteConf }),
      release: () => {},
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const release = acquireDataDirLock(options.dataDir);
  try {
    const pgDir = path.join(options.dataDir, 'pglite');
    if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
      logger.info(
        { dataDir: options.dataDir },
        'creating the embedded database (first start only, a few seconds)',
      );
      await initdbInWorker(pgDir);
    }
    return { client: new PGlite(pgDir, { postgresqlconf: pgliteConf }), release };
  } catch (error) {
    release();
    throw error;
  }
};

export const openDatabase = async (options: DatabaseOptions, logger: Logger): Promise<Db> => {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server (PostgreSQL restarted) emits here; without a listener the process dies.
    pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kind: 'postgres',
      kysely,
      ping: async (timeoutMs = 2_000) => {
        await withTimeout(sql`select 1`.execute(kysely), timeoutMs, 'database ping');
      },
      close: () => kysely.destroy(),
    };
  }
  const { client, release } = await openPglite(options, logger);
  await client.waitReady;
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    kind: 'pglite',
    kysely,
    ping: async (timeoutMs = 2_000) => {
      await withTimeout(sql`select 1`.execute(kysely), timeoutMs, 'database ping');
    },
    close: async () => {
      try {
        await kysely.destroy();
      } finally {
        release();
      }
    },
  };
};
