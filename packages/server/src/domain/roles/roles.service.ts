import type { ApplicationType } from '../../db/schema.ts';
import { adminConsole, managementApi } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { createApplicationQueries } from '../applications/applications.queries.ts';
import { toApplication } from '../applications/applications.service.ts';
import { newId } from '../ids.ts';
import { toScope } from '../resources/resources.service.ts';
import { type DomainDeps, isUniqueViolation, type Page } from '../shared.ts';
import { lastAdministratorRefused } from './console-administrator.ts';
import { createRoleQueries, type RoleQueries, type RoleRow } from './roles.queries.ts';
import type {
  CreateRole,
  Role,
  RoleFilter,
  RoleScope,
  RoleType,
  UpdateRole,
  UserSummary,
} from './roles.schemas.ts';

export const toRole = (row: RoleRow): Role => ({
  id: row.id,
  name: row.name,
  description: row.description,
  type: row.type,
  isDefault: row.is_default,
});

const toUserSummary = (row: {
  id: string;
  username: string | null;
  primary_email: string | null;
  name: string | null;
}): UserSummary => ({ id: row.id, username: row.username, primaryEmail: row.primary_email, name: row.name });

/** The ids of `wanted` that `found` lacks, as one string for the error message. */
const missing = (wanted: string[], found: Array<{ id: string }>) => {
  const present = new Set(found.map((row) => row.id));
  return wanted.filter((id) => !present.has(id)).join(', ');
};

/** Built-in roles: never deleted, never without the Management API scope. */
const builtInRoles = new Set<string>([managementApi.roleId, adminConsole.roleId]);

const roleTypeMismatch = (role: RoleRow, reason: string) =>
  new ApiError('role.type_mismatch', { id: role.id, type: role.type, reason });

const assertRoleType = (role: RoleRow, type: RoleType) => {
  if (role.type !== type) {
    throw roleTypeMismatch(
      role,
      type === 'User'
        ? 'only user roles are assigned to users'
        : 'only machine-to-machine roles are assigned to apps',
    );
  }
};

const assertMachineToMachineApp = (application: { id: string; type: ApplicationType }) => {
  if (application.type !== 'MachineToMachine') {
    throw new ApiError('application.type_mismatch', {
      id: application.id,
      type: application.type,
      reason: 'only machine-to-machine apps are assigned roles',
    });
  }
};

const assertDefaultAllowed = (type: RoleType, isDefault: boolean | undefined) => {
  if (isDefault && type !== 'User') {
    throw new ApiError('role.type_mismatch', {
      type,
      reason: 'only user roles can be given to new users by default',
    });
  }
};

/**
 * Roles grant scopes of API resources to users (`User` roles) and to machine-to-machine apps
 * (`MachineToMachine` roles). Assigning what is already assigned is a no-op, not an error: scripts that
 * converge a configuration can repeat a call safely (Logto answers 422 there). Removing what is not assigned
 * is a 404. The built-in role `management-api-access` may be assigned freely, but not deleted nor stripped of
 * the Management API scope: the bootstrap admin app depends on it. The same holds for `console-administrator`
 * (migration 0011), which also keeps at least one user: with none, the console's one-time first-run page would
 * open again to anyone (console/first-admin.ts).
 */
export const createRoleService = ({ db, changes, tenantId }: DomainDeps) => {
  const queries = createRoleQueries(db, tenantId);
  const inTransaction = <T>(work: (tx: RoleQueries) => Promise<T>) =>
    db.transaction().execute((trx) => work(createRoleQueries(trx, tenantId)));
  // After commit only. A change of an app's roles changes what the client credentials grant gives it.
  const published = async <T>(roleId: string | undefined, result: T, applicationIds: string[] = []) => {
    await changes.publish(roleId ? { topic: 'roles', key: roleId } : { topic: 'roles' });
    for (const id of applicationIds) await changes.publish({ topic: 'applications', key: id });
    return result;
  };
  const notFound = (id: string) => new ApiError('role.not_found', { id });
  const nameTaken = (name: string | undefined) => (error: unknown) => {
    if (isUniqueViolation(error, 'roles__name')) throw new ApiError('role.name_taken', { name });
    throw error;
  };

  const findOrFail = async (id: string) => {
    const row = await queries.findById(id);
    if (!row) throw notFound(id);
    return row;
  };
  const lockOrFail = async (tx: RoleQueries, id: string) => {
    const row = await tx.lockById(id);
    if (!row) throw notFound(id);
    return row;
  };
  const lockScopes = async (tx: RoleQueries, scopeIds: string[]) => {
    const scopes = await tx.scopes.lockByIds(scopeIds);
    if (scopes.length !== scopeIds.length)
      throw new ApiError('scope.not_found', { id: missing(scopeIds, scopes) });
    return scopes;
  };
  const findApplicationOrFail = async (id: string) => {
    const application = await createApplicationQueries(db, tenantId).findById(id);
    if (!application) throw new ApiError('application.not_found', { id });
    return application;
  };

  return {
    count: (filter: RoleFilter) => queries.count(filter),

    list: async (filter: RoleFilter, page: Page) => (await queries.list(filter, page)).map(toRole),

    get: async (id: string) => toRole(await findOrFail(id)),

    /** Creates the role and links its scopes in one transaction. */
    create: async (input: CreateRole) => {
      assertDefaultAllowed(input.type, input.isDefault);
      const row = await inTransaction(async (tx) => {
        if (input.scopeIds.length > 0) await lockScopes(tx, input.scopeIds);
        const inserted = await tx.insert({
          id: newId(),
          name: input.name,
          description: input.description,
          type: input.type,
          isDefault: input.isDefault,
        });
        await tx.scopes.link(inserted.id, input.scopeIds);
        return inserted;
      }).catch(nameTaken(input.name));
      return published(row.id, toRole(row));
    },

    update: async (id: string, patch: UpdateRole) => {
      const row = await inTransaction(async (tx) => {
        const current = await lockOrFail(tx, id);
        if (patch.type !== undefined && patch.type !== current.type)
          throw new ApiError('role.type_immutable', { id });
        assertDefaultAllowed(current.type, patch.isDefault);
        return tx.update(id, {
          name: patch.name,
          description: patch.description,
          isDefault: patch.isDefault,
        });
      }).catch(nameTaken(patch.name));
      if (!row) throw notFound(id);
      return published(id, toRole(row));
    },

    /** Deletes the role; its links to scopes, users and apps go with it (foreign keys cascade). */
    remove: async (id: string) => {
      if (builtInRoles.has(id)) throw new ApiError('role.protected', { id, action: 'deleted' });
      if (!(await queries.delete(id))) throw notFound(id);
      await published(id, undefined);
    },

    countScopes: async (roleId: string) => {
      await findOrFail(roleId);
      return queries.scopes.count(roleId);
    },

    listScopes: async (roleId: string, page: Page): Promise<RoleScope[]> =>
      (await queries.scopes.list(roleId, page)).map((row) => ({
        ...toScope(row),
        resource: {
          id: row.resource_id,
          name: row.resource_name,
          indicator: row.resource_indicator,
          isDefault: row.resource_is_default,
          accessTokenTtl: row.resource_access_token_ttl,
        },
      })),

    /** Grants the scopes (of any resources) through the role; all are found or nothing changes. */
    assignScopes: async (roleId: string, scopeIds: string[]) => {
      const scopes = await inTransaction(async (tx) => {
        await lockOrFail(tx, roleId);
        const found = await lockScopes(tx, scopeIds);
        await tx.scopes.link(roleId, scopeIds);
        return found;
      });
      return published(roleId, scopes.map(toScope));
    },

    unassignScope: async (roleId: string, scopeId: string) => {
      await findOrFail(roleId);
      if (builtInRoles.has(roleId) && scopeId === managementApi.scopeId) {
        throw new ApiError('role.protected', { id: roleId, action: 'stripped of the Management API scope' });
      }
      if (!(await queries.scopes.unlink(roleId, scopeId))) {
        throw new ApiError('role.assignment_not_found', { roleId, kind: 'scope', id: scopeId });
      }
      await published(roleId, undefined);
    },

    countUsers: async (roleId: string) => {
      await findOrFail(roleId);
      return queries.users.count(roleId);
    },

    listUsers: async (roleId: string, page: Page) =>
      (await queries.users.list(roleId, page)).map(toUserSummary),

    assignUsers: async (roleId: string, userIds: string[]) => {
      const users = await inTransaction(async (tx) => {
        assertRoleType(await lockOrFail(tx, roleId), 'User');
        const found = await tx.users.lockByIds(userIds);
        if (found.length !== userIds.length)
          throw new ApiError('user.not_found', { id: missing(userIds, found) });
        await tx.users.link(roleId, userIds);
        return found;
      });
      return published(roleId, users.map(toUserSummary));
    },

    unassignUser: async (roleId: string, userId: string) => {
      await inTransaction(async (tx) => {
        // The administrator role's row is locked for update, as the first-admin endpoint does: two concurrent
        // removals of its last two members are serialised, and the second one sees a single member left.
        const isAdminRole = roleId === adminConsole.roleId;
        const role = isAdminRole ? await tx.lockForUpdate(roleId) : await tx.findById(roleId);
        if (!role) throw notFound(roleId);
        assertRoleType(role, 'User');
        if (!(await tx.users.exists(userId))) throw new ApiError('user.not_found', { id: userId });
        if (!(await tx.users.unlink(roleId, userId))) {
          throw new ApiError('role.assignment_not_found', { roleId, kind: 'user', id: userId });
        }
        if (isAdminRole && (await tx.users.count(roleId)) === 0) {
          // Rolls the removal back.
          throw lastAdministratorRefused();
        }
      });
      await published(roleId, undefined);
    },

    countRolesOfUser: async (userId: string) => {
      if (!(await queries.users.exists(userId))) throw new ApiError('user.not_found', { id: userId });
      return queries.users.countRoles(userId);
    },

    listRolesOfUser: async (userId: string, page: Page) =>
      (await queries.users.listRoles(userId, page)).map(toRole),

    /** Gives the user the `User` roles; all are found and of the right type, or nothing changes. */
    assignRolesToUser: async (userId: string, roleIds: string[]) => {
      const roles = await inTransaction(async (tx) => {
        const [user] = await tx.users.lockByIds([userId]);
        if (!user) throw new ApiError('user.not_found', { id: userId });
        const found = await tx.lockByIds(roleIds);
        if (found.length !== roleIds.length)
          throw new ApiError('role.not_found', { id: missing(roleIds, found) });
        for (const role of found) assertRoleType(role, 'User');
        for (const role of found) await tx.users.link(role.id, [userId]);
        return found;
      });
      for (const role of roles) await published(role.id, undefined);
      return roles.map(toRole);
    },

    countApplications: async (roleId: string) => {
      await findOrFail(roleId);
      return queries.applications.count(roleId);
    },

    listApplications: async (roleId: string, page: Page) =>
      (await queries.applications.list(roleId, page)).map(toApplication),

    assignApplications: async (roleId: string, applicationIds: string[]) => {
      const applications = await inTransaction(async (tx) => {
        assertRoleType(await lockOrFail(tx, roleId), 'MachineToMachine');
        const found = await tx.applications.lockByIds(applicationIds);
        if (found.length !== applicationIds.length) {
          throw new ApiError('application.not_found', { id: missing(applicationIds, found) });
        }
        for (const application of found) assertMachineToMachineApp(application);
        await tx.applications.link(applicationIds.map((applicationId) => ({ roleId, applicationId })));
        return found;
      });
      return published(roleId, applications.map(toApplication), applicationIds);
    },

    unassignApplication: async (roleId: string, applicationId: string) => {
      assertRoleType(await findOrFail(roleId), 'MachineToMachine');
      await findApplicationOrFail(applicationId);
      if (!(await queries.applications.unlink(roleId, applicationId))) {
        throw new ApiError('role.assignment_not_found', { roleId, kind: 'application', id: applicationId });
      }
      await published(roleId, undefined, [applicationId]);
    },

    countRolesOfApplication: async (applicationId: string) => {
      await findApplicationOrFail(applicationId);
      return queries.applications.countRoles(applicationId);
    },

    listRolesOfApplication: async (applicationId: string, page: Page) =>
      (await queries.applications.listRoles(applicationId, page)).map(toRole),

    assignRolesToApplication: async (applicationId: string, roleIds: string[]) => {
      const roles = await inTransaction(async (tx) => {
        const [application] = await tx.applications.lockByIds([applicationId]);
        if (!application) throw new ApiError('application.not_found', { id: applicationId });
        assertMachineToMachineApp(application);
        const found = await tx.lockByIds(roleIds);
        if (found.length !== roleIds.length)
          throw new ApiError('role.not_found', { id: missing(roleIds, found) });
        for (const role of found) assertRoleType(role, 'MachineToMachine');
        await tx.applications.link(roleIds.map((roleId) => ({ roleId, applicationId })));
        return found;
      });
      await published(undefined, undefined, [applicationId]);
      return roles.map(toRole);
    },

    unassignRoleFromApplication: async (applicationId: string, roleId: string) => {
      await findApplicationOrFail(applicationId);
      await findOrFail(roleId);
      if (!(await queries.applications.unlink(roleId, applicationId))) {
        throw new ApiError('role.assignment_not_found', { roleId, kind: 'application', id: applicationId });
      }
      await published(roleId, undefined, [applicationId]);
    },
  };
};

export type RoleService = ReturnType<typeof createRoleService>;
