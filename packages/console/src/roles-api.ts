/**
 * The API resources and roles screens' part of the Management API (docs/console.md, docs/management-api.md),
 * spread into `createManagementApi`.
 */
import type { Application } from './api.ts';

export type Resource = {
  id: string;
  name: string;
  indicator: string;
  isDefault: boolean;
  accessTokenTtl: number;
};

export type Scope = {
  id: string;
  resourceId: string;
  name: string;
  description: string | null;
  createdAt: number;
};

export type RoleType = 'User' | 'MachineToMachine';

export type Role = { id: string; name: string; description: string; type: RoleType; isDefault: boolean };

/** A scope granted by a role, with its API resource. */
export type RoleScope = Scope & { resource: Resource };

export type UserSummary = {
  id: string;
  username: string | null;
  primaryEmail: string | null;
  name: string | null;
};

export type Paged<T> = { items: T[]; total: number };

/** The built-in Management API resource (SPEC §4): listed, but never deleted nor made the default. */
export const managementResourceId = 'management-api';
/** Built-in roles the server refuses to delete (and whose Management API scope stays). */
export const builtInRoleIds = ['management-api-access', 'console-administrator'];

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

const pageQuery = (page: number, pageSize: number, extra: Record<string, string | undefined> = {}) => {
  const query = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  for (const [key, value] of Object.entries(extra)) if (value) query.set(key, value);
  return query;
};

export const roleEndpoints = (call: Call) => {
  const paged = async <T>(path: string): Promise<Paged<T>> => {
    const { body, headers } = await call<T[]>(path);
    return { items: body, total: Number(headers.get('Total-Number') ?? body.length) };
  };
  const resource = (id: string) => `/api/resources/${encodeURIComponent(id)}`;
  const role = (id: string) => `/api/roles/${encodeURIComponent(id)}`;
  const userRoles = (userId: string) => `/api/users/${encodeURIComponent(userId)}/roles`;
  const send = async <T>(path: string, method: string, body?: unknown) =>
    (await call<T>(path, { method, body })).body;

  return {
    listResources: (page: number, pageSize: number) =>
      paged<Resource>(`/api/resources?${pageQuery(page, pageSize)}`),
    getResource: async (id: string) => (await call<Resource>(resource(id))).body,
    createResource: (input: { name: string; indicator: string; accessTokenTtl: number }) =>
      send<Resource>('/api/resources', 'POST', input),
    updateResource: (id: string, patch: { name?: string; accessTokenTtl?: number }) =>
      send<Resource>(resource(id), 'PATCH', patch),
    setDefaultResource: (id: string, isDefault: boolean) =>
      send<Resource>(`${resource(id)}/is-default`, 'PATCH', { isDefault }),
    deleteResource: (id: string) => send<void>(resource(id), 'DELETE'),
    listResourceScopes: (id: string, page = 1, pageSize = 100) =>
      paged<Scope>(`${resource(id)}/scopes?${pageQuery(page, pageSize)}`),
    createScope: (id: string, input: { name: string; description: string | null }) =>
      send<Scope>(`${resource(id)}/scopes`, 'POST', input),
    deleteScope: (id: string, scopeId: string) =>
      send<void>(`${resource(id)}/scopes/${encodeURIComponent(scopeId)}`, 'DELETE'),

    listRoles: (page: number, pageSize: number, filter: { type?: RoleType; search?: string } = {}) =>
      paged<Role>(`/api/roles?${pageQuery(page, pageSize, filter)}`),
    getRole: async (id: string) => (await call<Role>(role(id))).body,
    createRole: (input: { name: string; description: string; type: RoleType }) =>
      send<Role>('/api/roles', 'POST', input),
    deleteRole: (id: string) => send<void>(role(id), 'DELETE'),
    listRoleScopes: (id: string, page = 1, pageSize = 100) =>
      paged<RoleScope>(`${role(id)}/scopes?${pageQuery(page, pageSize)}`),
    grantRoleScopes: (id: string, scopeIds: string[]) =>
      send<Scope[]>(`${role(id)}/scopes`, 'POST', { scopeIds }),
    revokeRoleScope: (id: string, scopeId: string) =>
      send<void>(`${role(id)}/scopes/${encodeURIComponent(scopeId)}`, 'DELETE'),
    listRoleUsers: (id: string, page: number, pageSize: number) =>
      paged<UserSummary>(`${role(id)}/users?${pageQuery(page, pageSize)}`),
    assignRoleUsers: (id: string, userIds: string[]) =>
      send<UserSummary[]>(`${role(id)}/users`, 'POST', { userIds }),
    removeRoleUser: (id: string, userId: string) =>
      send<void>(`${role(id)}/users/${encodeURIComponent(userId)}`, 'DELETE'),
    listRoleApplications: (id: string, page: number, pageSize: number) =>
      paged<Application>(`${role(id)}/applications?${pageQuery(page, pageSize)}`),
    assignRoleApplications: (id: string, applicationIds: string[]) =>
      send<Application[]>(`${role(id)}/applications`, 'POST', { applicationIds }),
    removeRoleApplication: (id: string, applicationId: string) =>
      send<void>(`${role(id)}/applications/${encodeURIComponent(applicationId)}`, 'DELETE'),
    /** Machine-to-machine apps whose name contains `search` (the candidates for a M2M role). */
    searchMachineApps: (search: string) =>
      paged<Application>(
        `/api/applications?${pageQuery(1, 20, { types: 'MachineToMachine', search: search || undefined })}`,
      ),

    listUserRoles: (userId: string, page = 1, pageSize = 100) =>
      paged<Role>(`${userRoles(userId)}?${pageQuery(page, pageSize)}`),
    assignUserRoles: (userId: string, roleIds: string[]) =>
      send<Role[]>(userRoles(userId), 'POST', { roleIds }),
    removeUserRole: (userId: string, roleId: string) =>
      send<void>(`${userRoles(userId)}/${encodeURIComponent(roleId)}`, 'DELETE'),
  };
};
