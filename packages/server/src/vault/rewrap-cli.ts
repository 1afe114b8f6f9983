import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { type Config, ConfigError, loadConfig } from '../config/load.ts';
import { openDatabase } from '../db/client.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createKeyring, type Keyring } from './envelope.ts';
import { devKekFile, loadKeyring } from './kek.ts';
import { type RewrapReport, rewrapAll } from './rewrap.ts';

/**
 * `npm run vault:rewrap`: the second step of a KEK rotation (docs/secret-vault.md). Reads the same configuration
 * as the server (DATABASE_URL or DATA_DIR, SECRET_VAULT_KEK, SECRET_VAULT_KEK_PREVIOUS), re-wraps every stored
 * envelope under SECRET_VAULT_KEK (vault/rewrap.ts), prints what it did, and exits:
 *
 * - 0: done; nothing is left under another key (the previous KEK may be dropped once flows have expired);
 * - 1: some envelopes could not be opened with the loaded keys (listed; nothing was changed for them), or the
 *   embedded database is in use by a running server;
 * - 78 (EX_CONFIG): a bad or missing setting.
 *
 * On PostgreSQL it runs while the servers run (row by row, compare-and-swap). On PGlite it cannot: the embedded
 * database serves one process, so stop the server, run the command, start the server again.
 */

const exitConfig = 78;

class CliError extends Error {}

const keyringFor = (config: Config, logger: Logger): Keyring => {
  if (config.vault.kek) {
    return createKeyring(config.vault.kek, config.vault.previousKek ? [config.vault.previousKek] : []);
  }
  // Development without SECRET_VAULT_KEK: the generated key beside the data, if there is one. Never a new key:
  // re-wrapping under a key made up now would make everything unreadable to the server.
  if (config.nodeEnv !== 'production' && existsSync(path.join(config.dataDir, devKekFile))) {
    return loadKeyring(config, logger);
  }
  throw new CliError(
    'SECRET_VAULT_KEK is not set: set it to the new key-encryption key and SECRET_VAULT_KEK_PREVIOUS to the one it replaces.',
  );
};

const print = (report: RewrapReport, out: (line: string) => void) => {
  out(`Re-wrapping vault envelopes under KEK ${report.currentKekId}`);
  for (const [table, counts] of Object.entries(report.tables)) {
    out(
      `  ${table}: ${counts.rewrapped} re-wrapped, ${counts.concurrent} changed by a server meanwhile (kept as written), ${counts.failed} failed, ${counts.remaining} remaining under another key`,
    );
  }
  if (report.failures.length === 0) return;
  const groups = new Map<string, number>();
  for (const failure of report.failures) {
    const key = `${failure.code}|${failure.kekId ?? '?'}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  for (const [key, n] of groups) {
    const [code, kekId] = key.split('|');
    out(
      code === 'vault.unknown_key'
        ? `  ${n} envelope(s) are wrapped under KEK ${kekId}, which is not loaded (${code}): set SECRET_VAULT_KEK_PREVIOUS to that key and run again.`
        : `  ${n} envelope(s) under KEK ${kekId} could not be opened (${code}): altered, moved to another row, or the key with that id is not the right one.`,
    );
  }
  for (const failure of report.failures.slice(0, 20))
    out(`    ${failure.table} ${failure.key}: ${failure.code}`);
};

export const runRewrapCli = async (
  env: Record<string, string | undefined>,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> => {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.lines) err(line);
    return exitConfig;
  }
  // Log lines (the development-key warning, a lost connection) go to stderr; the report goes to stdout.
  const logger = createLogger({ level: config.logLevel, destination: pino.destination(2) });
  let keyring: Keyring;
  try {
    keyring = keyringFor(config, logger);
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    return exitConfig;
  }
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    err(
      `There is no embedded database in DATA_DIR ${config.dataDir} (and DATABASE_URL is not set): nothing to re-wrap.`,
    );
    return exitConfig;
  }
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(
      config.databaseUrl
        ? { kind: 'postgres', url: config.databaseUrl, poolSize: 2 }
        : { kind: 'pglite', dataDir: config.dataDir },
      logger,
    );
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    err(
      `${error.message} Stop the server, run \`npm run vault:rewrap\`, then start it again: the embedded database (PGlite) serves one process. On PostgreSQL the command runs while servers run.`,
    );
    return 1;
  }
  try {
    const report = await rewrapAll({ db: db.kysely, keyring });
    print(report, out);
    if (report.failures.length > 0) return 1;
    out(
      `Done: every stored envelope is under KEK ${report.currentKekId}. Keep SECRET_VAULT_KEK_PREVIOUS until sign-in flows started before the restart have expired (1 hour), then remove it.`,
    );
    return 0;
  } finally {
    await db.close();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runRewrapCli(process.env);
}
