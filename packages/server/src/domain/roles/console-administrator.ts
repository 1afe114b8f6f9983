import type { Kysely } from 'kysely';
import { adminConsole, type Database } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { createRoleQueries } from './roles.queries.ts';

/**
 * The console administrator role keeps at least one user (docs/console.md "First run"): with none, the one-time
 * first-run page would open again to anyone. Every path that could take its last user away (removing the role
 * from a user, deleting the user) locks the role's row first, so concurrent removals are serialised.
 */
export const lastAdministratorRefused = () =>
  new ApiError('role.protected', {
    id: adminConsole.roleId,
    action: 'left without a user (the console would reopen its first-run page)',
  });

/** Inside a transaction: refuses (403 `role.protected`) when `userId` is the role's only user. */
export const refuseRemovingLastAdministrator = async (
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
) => {
  const holds = await db
    .selectFrom('users_roles')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('role_id', '=', adminConsole.roleId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!holds) return;
  const roles = createRoleQueries(db, tenantId);
  await roles.lockForUpdate(adminConsole.roleId);
  if ((await roles.users.count(adminConsole.roleId)) < 2) throw lastAdministratorRefused();
};
