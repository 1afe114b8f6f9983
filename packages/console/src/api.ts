/** The console's view of the server: the public console status, and the Management API with a bearer token. */

import { applicationEndpoints, type CustomClientMetadata } from './applications-api.ts';
import { connectorEndpoints } from './connectors-api.ts';
import { logEndpoints } from './logs-api.ts';
import { roleEndpoints } from './roles-api.ts';
import { signInExperienceEndpoints } from './sign-in-experience-api.ts';

export type ConsoleStatus = {
  endpoint: string;
  appId: string;
  resource: string;
  scope: string;
  firstAdminNeeded: boolean;
};

export type ApplicationType = 'Traditional' | 'SPA' | 'Native' | 'MachineToMachine';

export type Application = {
  id: string;
  name: string;
  description: string | null;
  type: ApplicationType;
  oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
  customClientMetadata: CustomClientMetadata;
  isThirdParty: boolean;
  createdAt: number;
  /** Only in the answer that creates a confidential app. */
  secret?: string;
};

export type SecretSummary = { name: string; createdAt: number; expiresAt: number | null };
export type CreatedSecret = SecretSummary & { value: string };

/** An error answer of the API (`{code, message}`), or a transport failure. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** The error an API answer that is not OK carries (`{code, message, data}`), or a plain HTTP one. */
export const failureOf = async (response: Response): Promise<ApiFailure> => {
  const body: unknown = await response.json().catch(() => undefined);
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    const data = 'data' in body && body.data && typeof body.data === 'object' ? body.data : undefined;
    return new ApiFailure(
      response.status,
      String(body.code),
      String(body.message),
      data as Record<string, unknown> | undefined,
    );
  }
  return new ApiFailure(response.status, 'http.error', `The server answered ${response.status}.`);
};

export const request = async <T>(
  path: string,
  options: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ body: T; headers: Headers }> => {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (!response.ok) throw await failureOf(response);
  const body = response.status === 204 ? undefined : await response.json();
  return { body: body as T, headers: response.headers };
};

export const fetchStatus = async () => (await request<ConsoleStatus>('/api/console/status')).body;

export const createFirstAdmin = async (username: string, password: string) =>
  (
    await request<{ id: string }>('/api/console/first-admin', {
      method: 'POST',
      body: { username, password },
    })
  ).body;

/** The Management API with the signed-in administrator's token. */
export const createManagementApi = (token: () => Promise<string>) => {
  const call = async <T>(path: string, options: { method?: string; body?: unknown } = {}) =>
    request<T>(path, { ...options, token: await token() });
  const app = (id: string) => `/api/applications/${encodeURIComponent(id)}`;
  return {
    listApplications: async (page: number, pageSize: number) => {
      const { body, headers } = await call<Application[]>(
        `/api/applications?page=${page}&page_size=${pageSize}`,
      );
      return { items: body, total: Number(headers.get('Total-Number') ?? body.length) };
    },
    getApplication: async (id: string) => (await call<Application>(app(id))).body,
    createApplication: async (input: {
      name: string;
      type: ApplicationType;
      oidcClientMetadata?: Application['oidcClientMetadata'];
    }) => (await call<Application>('/api/applications', { method: 'POST', body: input })).body,
    updateUris: async (id: string, oidcClientMetadata: Application['oidcClientMetadata']) =>
      (await call<Application>(app(id), { method: 'PATCH', body: { oidcClientMetadata } })).body,
    deleteApplication: async (id: string) => {
      await call(app(id), { method: 'DELETE' });
    },
    listSecrets: async (id: string) => (await call<SecretSummary[]>(`${app(id)}/secrets`)).body,
    createSecret: async (id: string, name: string) =>
      (await call<CreatedSecret>(`${app(id)}/secrets`, { method: 'POST', body: { name } })).body,
    deleteSecret: async (id: string, name: string) => {
      await call(`${app(id)}/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' });
    },
    // Applications (issue 7, "Applications"): token lifetimes, resources for the guides; applications-api.ts.
    ...applicationEndpoints(call),
    // Users (issue 7, "Users"): defined in their own block below.
    ...userEndpoints(call),
    // Connectors (issue 7, "Connectors"): connectors-api.ts.
    ...connectorEndpoints(call),
    // API resources and roles (issue 7, "API resources and roles"): roles-api.ts.
    ...roleEndpoints(call),
    // Audit logs (issue 7, "Audit logs"): logs-api.ts.
    ...logEndpoints(call),
    // Sign-in experience (issue 7, "Sign-in experience"): sign-in-experience-api.ts.
    ...signInExperienceEndpoints(call, token),
  };
};

export type ManagementApi = ReturnType<typeof createManagementApi>;

// ---------------------------------------------------------------------------------------------------------------
// Users (issue 7, "Users"): the user screens' part of the Management API (docs/users.md, docs/management-api.md).
// ---------------------------------------------------------------------------------------------------------------

export type User = {
  id: string;
  username: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  name: string | null;
  avatar: string | null;
  profile: Record<string, unknown>;
  customData: Record<string, unknown>;
  identities: Record<string, { userId: string; details?: Record<string, unknown> }>;
  isSuspended: boolean;
  hasPassword: boolean;
  lastSignInAt: number | null;
  createdAt: number;
  updatedAt: number;
};

/** What the server says about the provider tokens stored for an identity: metadata only, never a token. */
export type IdentityTokenStatus = {
  stored: boolean;
  hasRefreshToken?: boolean;
  scope?: string | null;
  tokenType?: string | null;
  expiresAt?: number | null;
  updatedAt?: number | null;
};

export type UserIdentity = {
  target: string;
  /** The upstream subject. */
  userId: string;
  details: Record<string, unknown> | null;
  tokenStatus: IdentityTokenStatus;
};

export type UserUpdate = Partial<
  Pick<User, 'username' | 'primaryEmail' | 'primaryPhone' | 'name' | 'avatar' | 'profile' | 'customData'>
>;

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

function userEndpoints(call: Call) {
  const user = (id: string) => `/api/users/${encodeURIComponent(id)}`;
  return {
    listUsers: async (page: number, pageSize: number, search = '') => {
      const query = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
      if (search) query.set('search', search);
      const { body, headers } = await call<User[]>(`/api/users?${query}`);
      return { items: body, total: Number(headers.get('Total-Number') ?? body.length) };
    },
    getUser: async (id: string) => (await call<User>(user(id))).body,
    createUser: async (input: { username?: string; primaryEmail?: string; password?: string }) =>
      (await call<User>('/api/users', { method: 'POST', body: input })).body,
    updateUser: async (id: string, input: UserUpdate) =>
      (await call<User>(user(id), { method: 'PATCH', body: input })).body,
    setUserPassword: async (id: string, password: string) =>
      (await call<User>(`${user(id)}/password`, { method: 'PATCH', body: { password } })).body,
    setUserSuspended: async (id: string, isSuspended: boolean) =>
      (await call<User>(`${user(id)}/is-suspended`, { method: 'PATCH', body: { isSuspended } })).body,
    deleteUser: async (id: string) => {
      await call(user(id), { method: 'DELETE' });
    },
    listUserIdentities: async (id: string) => (await call<UserIdentity[]>(`${user(id)}/identities`)).body,
    unlinkUserIdentity: async (id: string, target: string) => {
      await call(`${user(id)}/identities/${encodeURIComponent(target)}`, { method: 'DELETE' });
    },
  };
}
