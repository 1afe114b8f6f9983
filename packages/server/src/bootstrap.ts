import type { Kysely } from 'kysely';
import type { Config } from './config/load.ts';
import type { ChangeBus } from './db/changes.ts';
import { adminConsole, type Database, defaultTenantId, managementApi } from './db/schema.ts';
import { secretDigest } from './domain/applications/application-secrets.ts';
import { jsonb } from './domain/shared.ts';
import type { Logger } from './observability/logger.ts';

const bootstrapSecretName = 'bootstrap';

/**
 * SPEC §1 bootstrap, idempotent at every start: GATEHOUSE_ADMIN_CLIENT_ID/_SECRET ensure a machine-to-machine
 * app holding the Management API role; its `bootstrap` secret follows the environment (a changed secret replaces
 * the old one). Safe when several instances start together (upserts only).
 */
export const ensureBootstrapClient = async (
  db: Kysely<Database>,
  config: Config,
  changes: ChangeBus,
  logger: Logger,
): Promise<void> => {
  await ensureConsoleClient(db, config, changes);
  const admin = config.bootstrap.adminClient;
  if (!admin) return;
  const tenantId = defaultTenantId;
  await db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('applications')
      .select('type')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', admin.id)
      .executeTakeFirst();
    if (existing && existing.type !== 'MachineToMachine') {
      throw new Error(
        `GATEHOUSE_ADMIN_CLIENT_ID ${admin.id} names an existing ${existing.type} application, not a machine-to-machine one.`,
      );
    }
    await tx
      .insertInto('applications')
      .values({
        tenant_id: tenantId,
        id: admin.id,
        name: 'Gatehouse admin (bootstrap)',
        type: 'MachineToMachine',
        description: 'Created from GATEHOUSE_ADMIN_CLIENT_ID at start-up.',
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'id']).doNothing())
      .execute();
    const digest = secretDigest(admin.secret);
    await tx
      .insertInto('application_secrets')
      .values({
        tenant_id: tenantId,
        application_id: admin.id,
        name: bootstrapSecretName,
        digest,
        expires_at: null,
      })
      .onConflict((conflict) =>
        conflict.columns(['tenant_id', 'application_id', 'name']).doUpdateSet({ digest, expires_at: null }),
      )
      .execute();
    await tx
      .insertInto('applications_roles')
      .values({ tenant_id: tenantId, application_id: admin.id, role_id: managementApi.roleId })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  });
  await changes.publish({ topic: 'applications', key: admin.id });
  logger.info({ clientId: admin.id }, 'bootstrap machine-to-machine app ensured');
};

/**
 * The admin console's client (packages/console, docs/decisions/0015): a first-party SPA (PKCE, no secret) whose
 * redirect URIs follow ENDPOINT, ensured at every start. It is an ordinary client: the Management API token it
 * obtains carries `all` only for users holding the console administrator role.
 */
export const ensureConsoleClient = async (
  db: Kysely<Database>,
  config: Config,
  changes: ChangeBus,
): Promise<void> => {
  const metadata = {
    redirectUris: [`${config.endpoint}/console/callback`],
    postLogoutRedirectUris: [`${config.endpoint}/console`],
  };
  await db
    .insertInto('applications')
    .values({
      tenant_id: defaultTenantId,
      id: adminConsole.clientId,
      name: 'Gatehouse admin console',
      type: 'SPA',
      description: 'The built-in admin console at /console.',
      oidc_client_metadata: jsonb(metadata),
      custom_client_metadata: jsonb({}),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'id'])
        .doUpdateSet({ type: 'SPA', oidc_client_metadata: jsonb(metadata) }),
    )
    .execute();
  await changes.publish({ topic: 'applications', key: adminConsole.clientId });
};
