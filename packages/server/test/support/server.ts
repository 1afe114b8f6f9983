import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Db } from '../../src/db/client.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createApp } from '../../src/http/app.ts';
import type { RouteGroup } from '../../src/http/routes.ts';
import { listen, type RunningServer } from '../../src/http/server.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { createRegistry, type Registry } from '../../src/registry.ts';
import { createKeyring } from '../../src/vault/envelope.ts';
import { pglite } from './db.ts';
import { captureLogs } from './logs.ts';

export const testKek = () => randomBytes(32).toString('base64');

export type TestServer = {
  url: string;
  registry: Registry;
  running: RunningServer;
  logs: ReturnType<typeof captureLogs>;
  stop(): Promise<void>;
};

/**
 * The real application on 127.0.0.1 (random port) over a migrated database: PGlite in memory unless `db` is
 * given. `env` overrides configuration variables exactly as the process environment would.
 */
export const startTestServer = async (
  options: {
    env?: Record<string, string>;
    db?: Db;
    extraRoutes?: Array<RouteGroup<Registry>>;
    logger?: Logger;
  } = {},
): Promise<TestServer> => {
  const logs = captureLogs('debug');
  const logger = options.logger ?? logs.logger;
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    SECRET_VAULT_KEK: testKek(),
    PORT: '3001',
    ...options.env,
  });
  const db = options.db ?? (await pglite.create(logger));
  await migrateToLatest(db.kysely);
  const registry = createRegistry({ config, logger, db, keyring: createKeyring(config.vault.kek as Buffer) });
  const running = await listen(createApp(registry, { extraRoutes: options.extraRoutes }), {
    port: 0,
    host: '127.0.0.1',
    lifecycle: registry.lifecycle,
    logger,
  });
  return {
    url: running.url,
    registry,
    running,
    logs,
    stop: async () => {
      if (running.server.listening) await running.drain(1_000);
      await db.close();
    },
  };
};
