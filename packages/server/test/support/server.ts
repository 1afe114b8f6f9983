import { randomBytes } from 'node:crypto';
import { ensureBootstrapClient } from '../../src/bootstrap.ts';
import type { Config } from '../../src/config/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type ChangeBus, createLocalChangeBus } from '../../src/db/changes.ts';
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
import { freePort } from './process.ts';

export const testKek = () => randomBytes(32).toString('base64');

/** The bootstrap machine-to-machine app every test server has (SPEC §1 bootstrap). */
export const testAdminClient = { id: 'test-admin', secret: randomBytes(32).toString('base64url') };

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
    changes?: ChangeBus;
    extraRoutes?: Array<RouteGroup<Registry>>;
    logger?: Logger;
  } = {},
): Promise<TestServer> => {
  const logs = captureLogs('debug');
  const logger = options.logger ?? logs.logger;
  // The server listens where ENDPOINT says, so discovery, issuer and redirects agree with what clients use.
  const port = await freePort();
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    SECRET_VAULT_KEK: testKek(),
    PORT: String(port),
    ENDPOINT: `http://127.0.0.1:${port}`,
    GATEHOUSE_ADMIN_CLIENT_ID: testAdminClient.id,
    GATEHOUSE_ADMIN_CLIENT_SECRET: testAdminClient.secret,
    ...options.env,
  });
  const db = options.db ?? (await pglite.create(logger));
  await migrateToLatest(db.kysely);
  const changes = options.changes ?? createLocalChangeBus();
  await ensureBootstrapClient(db.kysely, config, changes, logger);
  const registry = await createRegistry({
    config,
    logger,
    db,
    keyring: createKeyring(config.vault.kek as Buffer),
    changes,
  });
  const running = await listen(createApp(registry, { extraRoutes: options.extraRoutes }), {
    port,
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
      registry.oidc.close();
      await changes.close();
      await db.close();
    },
  };
};
