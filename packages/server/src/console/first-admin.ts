import type { Kysely } from 'kysely';
import { z } from 'zod';
import { adminConsole, type Database, defaultTenantId, managementApi } from '../db/schema.ts';
import { newId } from '../domain/ids.ts';
import { isUniqueViolation } from '../domain/shared.ts';
import { createSignInExperienceService } from '../domain/sign-in-experience/sign-in-experience.service.ts';
import { checkPasswordPolicy, passwordPolicyFromSettings } from '../domain/users/password-policy.ts';
import { createUserQueries } from '../domain/users/users.queries.ts';
import { Username } from '../domain/users/users.schemas.ts';
import { ApiError } from '../http/errors.ts';
import { created, defineRoutes, get, ok, post } from '../http/routes.ts';
import type { Registry } from '../registry.ts';

export const FirstAdmin = z.object({ username: Username, password: z.string().min(1).max(256) });

export const ConsoleStatus = z.object({
  endpoint: z.string(),
  appId: z.string(),
  resource: z.string(),
  scope: z.string(),
  firstAdminNeeded: z.boolean(),
});

/** Whether some user holds the console administrator role. */
const adminExists = async (db: Kysely<Database>) =>
  Boolean(
    await db
      .selectFrom('users_roles')
      .select('user_id')
      .where('tenant_id', '=', defaultTenantId)
      .where('role_id', '=', adminConsole.roleId)
      .executeTakeFirst(),
  );

/**
 * The console's two public endpoints (docs/console.md): what the SPA needs before anyone signs in, and the
 * one-time creation of the first administrator. The latter is closed for good (403) once a user holds the role:
 * the check runs inside the transaction that inserts, after locking the role's row, so two concurrent calls are
 * serialised and only one can succeed. JSON bodies only (the route helper refuses other media types), so a
 * cross-site form cannot post here.
 */
export const consoleApiRoutes = defineRoutes('/api/console', (registry: Registry) => {
  const db = registry.db.kysely;
  const tenantId = defaultTenantId;
  const signInExperience = createSignInExperienceService({ db, changes: registry.changes, tenantId });

  return [
    get('/status', { response: ConsoleStatus, status: [200] }, async () =>
      ok({
        endpoint: registry.config.endpoint,
        appId: adminConsole.clientId,
        resource: managementApi.indicator,
        scope: managementApi.scope,
        firstAdminNeeded: !(await adminExists(db)),
      }),
    ),
    post(
      '/first-admin',
      {
        body: FirstAdmin,
        status: [201, 400, 403, 409, 415, 422],
        summary: 'Create the first console administrator (only while none exists)',
      },
      async ({ body }) => {
        const closed = () => new ApiError('auth.forbidden', { reason: 'An administrator exists already.' });
        if (await adminExists(db)) throw closed();
        const policy = passwordPolicyFromSettings((await signInExperience.get()).passwordPolicy);
        const violations = checkPasswordPolicy(body.password, policy, { identifiers: [body.username] });
        if (violations.length > 0) throw new ApiError('password.rejected', { violations });
        // Hashed outside the transaction: no lock is held for the ~50 ms argon2id takes.
        const passwordHash = await registry.passwords.hash(body.password);
        const user = await db
          .transaction()
          .execute(async (trx) => {
            await trx
              .selectFrom('roles')
              .select('id')
              .where('tenant_id', '=', tenantId)
              .where('id', '=', adminConsole.roleId)
              .forUpdate()
              .executeTakeFirstOrThrow();
            if (await adminExists(trx)) throw closed();
            const row = await createUserQueries(trx, tenantId).insert(newId(), {
              username: body.username,
              passwordHash,
            });
            await trx
              .insertInto('users_roles')
              .values({ tenant_id: tenantId, user_id: row.id, role_id: adminConsole.roleId })
              .execute();
            return row;
          })
          .catch((error: unknown) => {
            if (isUniqueViolation(error, 'users__username')) {
              throw new ApiError('user.username_taken', { username: body.username });
            }
            throw error;
          });
        await registry.changes.publish({ topic: 'users', key: user.id });
        registry.logger.info({ userId: user.id }, 'first console administrator created');
        return created({ id: user.id, username: user.username });
      },
    ),
  ];
});
