import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { type Db, openDatabase } from '../../src/db/client.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { captureLogs } from './logs.ts';

export type TestBackend = {
  name: 'pglite' | 'postgres';
  /** A new, empty (unmigrated) database; `close()` also drops it. */
  create(logger?: Logger): Promise<Db & { url?: string }>;
};

const quietLogger = () => captureLogs('silent').logger;

const pgliteBackend: TestBackend = {
  name: 'pglite',
  create: async (logger = quietLogger()) => {
    const template = process.env.GATEHOUSE_TEST_PGLITE_TEMPLATE;
    const loadDataDir = template ? new Blob([readFileSync(template)]) : undefined;
    return openDatabase({ kind: 'pglite-memory', loadDataDir }, logger);
  },
};

/** A fresh database on the server of TEST_DATABASE_URL per call, dropped on close. */
const postgresBackend = (adminUrl: string): TestBackend => ({
  name: 'postgres',
  create: async (logger = quietLogger()) => {
    const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 }, logger);
    return {
      ...db,
      url: url.toString(),
      close: async () => {
        await db.close();
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  },
});

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const testBackends = (): TestBackend[] => {
  const url = process.env.TEST_DATABASE_URL;
  return url ? [pgliteBackend, postgresBackend(url)] : [pgliteBackend];
};

export const pglite = pgliteBackend;
