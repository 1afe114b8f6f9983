/** The console's view of the server: the public console status, and the Management API with a bearer token. */

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

const failureOf = async (response: Response): Promise<ApiFailure> => {
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
  };
};

export type ManagementApi = ReturnType<typeof createManagementApi>;
