import { ensureBootstrapClient } from './bootstrap.ts';
import type { Config } from './config/load.ts';
import { createLocalChangeBus, createPostgresChangeBus } from './db/changes.ts';
import { openDatabase } from './db/client.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createApp } from './http/app.ts';
import { listen } from './http/server.ts';
import { createLogger } from './observability/logger.ts';
import { createRegistry } from './registry.ts';
import { loadKeyring } from './vault/kek.ts';

/** Open db → migrate → bootstrap → createRegistry() → listen; then drain on SIGTERM/SIGINT. */
export const start = async (config: Config) => {
  const logger = createLogger({ level: config.logLevel });
  const startedAt = performance.now();
  try {
    const keyring = loadKeyring(config, logger);
    if (config.nodeEnv === 'production' && !config.smtp.url) {
      logger.warn(
        'SMTP_URL is not set: verification codes go to the development outbox (readable through GET /api/outbox) instead of being emailed. Set SMTP_URL for real use.',
      );
    }
    const db = await openDatabase(
      config.databaseUrl
        ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
        : { kind: 'pglite', dataDir: config.dataDir },
      logger,
    );
    const applied = await migrateToLatest(db.kysely);
    logger.info(
      { applied, database: db.kind },
      applied.length ? 'migrations applied' : 'database schema up to date',
    );

    const changes = config.databaseUrl
      ? await createPostgresChangeBus(config.databaseUrl, logger)
      : createLocalChangeBus();
    await ensureBootstrapClient(db.kysely, config, changes, logger);
    const registry = await createRegistry({ config, logger, db, keyring, changes });
    const running = await listen(createApp(registry), {
      port: config.port,
      host: config.host,
      lifecycle: registry.lifecycle,
      logger,
    });
    logger.info(
      {
        url: running.url,
        endpoint: config.endpoint,
        database: db.kind,
        startMs: Math.round(performance.now() - startedAt),
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
      },
      `Gatehouse listening on ${running.url} (public endpoint ${config.endpoint})`,
    );

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: draining in-flight requests');
      try {
        await running.drain(config.shutdownTimeoutMs);
        registry.oidc.close();
        await changes.close();
        await db.close();
        logger.info('shut down cleanly');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      }
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('unhandledRejection', (reason) =>
      logger.error({ err: reason }, 'unhandled promise rejection'),
    );
  } catch (error) {
    if (error instanceof DataDirInUseError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      logger.fatal(error instanceof Error ? error.message : String(error));
    } else {
      logger.fatal({ err: error }, 'Gatehouse could not start');
    }
    process.exit(1);
  }
};
