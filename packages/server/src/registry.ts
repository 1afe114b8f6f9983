import type { Config } from './config/load.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createHealth, type Health } from './status/health.ts';
import type { Keyring } from './vault/envelope.ts';
import { createVault, type Vault } from './vault/vault.ts';

/** Whether this instance is draining for shutdown; the status endpoint reports it so load balancers stop sending. */
export type Lifecycle = { draining: boolean };

/** Everything a route or service may depend on, wired in one place. No module-level singletons. */
export type Registry = {
  config: Config;
  logger: Logger;
  db: Db;
  health: Health;
  vault: Vault;
  metrics: Metrics;
  lifecycle: Lifecycle;
};

export const createRegistry = (input: {
  config: Config;
  logger: Logger;
  db: Db;
  keyring: Keyring;
}): Registry => ({
  config: input.config,
  logger: input.logger,
  db: input.db,
  health: createHealth(input.db),
  vault: createVault(input.keyring),
  metrics: createMetrics(),
  lifecycle: { draining: false },
});
