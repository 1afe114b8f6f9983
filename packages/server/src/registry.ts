import { type AuditLog, createAuditLog } from './audit/audit-log.ts';
import type { Config } from './config/load.ts';
import { createSocialConnections, type SocialConnections } from './connectors/social/runtime.ts';
import type { ChangeBus } from './db/changes.ts';
import type { Db } from './db/client.ts';
import { defaultTenantId } from './db/schema.ts';
import {
  createIdentityTokenService,
  type IdentityTokenService,
} from './domain/identity-tokens/identity-tokens.service.ts';
import type { Guard } from './http/routes.ts';
import { createManagementGuard } from './management/guard.ts';
import { createOutboundFetch, type OutboundFetch } from './net/outbound.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createOidc, type Oidc } from './oidc/index.ts';
import type { SigningAlgorithm } from './oidc/keys.ts';
import { createHealth, type Health } from './status/health.ts';
import type { Keyring } from './vault/envelope.ts';
import { createPasswordHasher, type PasswordHasher } from './vault/passwords.ts';
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
  /** argon2id with bounded concurrency, shared by every route of this instance (vault/passwords.ts). */
  passwords: PasswordHasher;
  metrics: Metrics;
  lifecycle: Lifecycle;
  changes: ChangeBus;
  oidc: Oidc;
  managementGuard: Guard;
  /** The only way to fetch an admin-configured URL (connectors, JWKS, webhooks): SSRF-guarded and bounded. */
  outbound: OutboundFetch;
  /** The social connectors with their protocol code (connectors/social/runtime.ts); one JWKS cache per server. */
  social: SocialConnections;
  /**
   * The provider tokens kept for users' identities (domain/identity-tokens): one instance per server, so reads
   * through the pages, the Account API and the Management API share one refresh at a time.
   */
  identityTokens: IdentityTokenService;
  /** The audit log writer (who read or changed which secret or identity). */
  audit: AuditLog;
};

export const createRegistry = async (input: {
  config: Config;
  logger: Logger;
  db: Db;
  keyring: Keyring;
  changes: ChangeBus;
  signingAlgorithm?: SigningAlgorithm;
}): Promise<Registry> => {
  const { config, logger, db, changes } = input;
  const vault = createVault(input.keyring);
  const outbound = createOutboundFetch(config.outbound);
  const audit = createAuditLog({ db: db.kysely, tenantId: defaultTenantId });
  const social = createSocialConnections({
    db: db.kysely,
    changes,
    tenantId: defaultTenantId,
    vault,
    outbound,
  });
  const oidc = await createOidc({
    config,
    db,
    vault,
    changes,
    logger,
    signingAlgorithm: input.signingAlgorithm,
  });
  return {
    config,
    logger,
    db,
    health: createHealth(db),
    vault,
    passwords: createPasswordHasher(),
    metrics: createMetrics(),
    lifecycle: { draining: false },
    changes,
    oidc,
    managementGuard: createManagementGuard({ issuer: oidc.issuer, publicJwks: oidc.publicJwks }),
    outbound,
    social,
    identityTokens: createIdentityTokenService({
      db: db.kysely,
      tenantId: defaultTenantId,
      vault,
      social,
      audit,
    }),
    audit,
  };
};
