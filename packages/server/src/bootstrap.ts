import type { Kysely } from 'kysely';
import type { Config } from './config/load.ts';
import type { ChangeBus } from './db/changes.ts';
import { adminConsole, type Database, defaultTenantId, managementApi } from './db/schema.ts';
import { secretDigest } from './domain/applications/application-secrets.ts';
import { newId } from './domain/ids.ts';
import { isUniqueViolation, jsonb } from './domain/shared.ts';
import { createSignInExperienceService } from './domain/sign-in-experience/sign-in-experience.service.ts';
import { checkPasswordPolicy, passwordPolicyFromSettings } from './domain/users/password-policy.ts';
import { createUserQueries } from './domain/users/users.queries.ts';
import type { Logger } from './observability/logger.ts';
import { createPasswordHasher } from './vault/passwords.ts';

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
  await ensureConsoleAdministrator(db, config, changes, logger);
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

/**
 * SPEC §1 bootstrap: GATEHOUSE_ADMIN_USERNAME + GATEHOUSE_ADMIN_PASSWORD ensure a console administrator. A missing
 * user is created with that password (which must meet the sign-in experience's password policy, or the start
 * fails saying why); an existing one gets the console administrator role back if it lost it, and keeps its
 * password: a password changed since (console, Account API, reset) is not overwritten at every restart, as
 * Keycloak's KEYCLOAK_ADMIN does not. Several instances starting together: the username is unique, the loser of
 * the insert race finds the winner's row.
 */
export const ensureConsoleAdministrator = async (
  db: Kysely<Database>,
  config: Config,
  changes: ChangeBus,
  logger: Logger,
): Promise<void> => {
  const wanted = config.bootstrap.adminUser;
  if (!wanted) return;
  const tenantId = defaultTenantId;
  const users = createUserQueries(db, tenantId);
  const findId = async () =>
    (
      await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('username', '=', wanted.username)
        .executeTakeFirst()
    )?.id;
  let userId = await findId();
  if (!userId) {
    const settings = await createSignInExperienceService({ db, changes, tenantId }).get();
    const violations = checkPasswordPolicy(
      wanted.password,
      passwordPolicyFromSettings(settings.passwordPolicy),
      {
        identifiers: [wanted.username],
      },
    );
    if (violations.length > 0) {
      throw new Error(
        `GATEHOUSE_ADMIN_PASSWORD does not meet the password policy: ${violations.map((v) => `${v.message} (${v.code})`).join(' ')}`,
      );
    }
    const passwordHash = await createPasswordHasher({ maxConcurrent: 1, maxQueue: 0 }).hash(wanted.password);
    try {
      userId = (await users.insert(newId(), { username: wanted.username, passwordHash })).id;
      logger.info({ userId }, 'console administrator created from GATEHOUSE_ADMIN_USERNAME');
    } catch (error) {
      if (!isUniqueViolation(error, 'users__username')) throw error;
      userId = await findId();
      if (!userId) throw error;
    }
  }
  await db
    .insertInto('users_roles')
    .values({ tenant_id: tenantId, user_id: userId, role_id: adminConsole.roleId })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await changes.publish({ topic: 'users', key: userId });
};
