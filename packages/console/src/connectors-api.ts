/** The Connectors screen's part of the Management API (docs/connectors.md), spread into `createManagementApi`. */
import type { JsonSchema } from './schema-form-logic.ts';

export type ConnectorFactory = {
  id: string;
  type: 'Social' | 'Email' | 'Sms';
  name: { en: string; th?: string };
  description: { en: string; th?: string };
  logo: string;
  logoDark: string | null;
  isStandard: boolean;
  secretFields: string[];
  configSchema: JsonSchema;
};

export type Connector = {
  id: string;
  connectorId: string;
  type: 'Social' | 'Email' | 'Sms';
  target: string | null;
  isStandard: boolean;
  config: Record<string, unknown>;
  metadata: {
    target?: string;
    name?: Record<string, string>;
    logo?: string | null;
    logoDark?: string | null;
  };
  syncProfile: boolean;
  enableTokenStorage: boolean;
  createdAt: number;
  updatedAt: number;
};

export type ConnectorInput = {
  connectorId: string;
  config: Record<string, unknown>;
  metadata: Record<string, unknown>;
  syncProfile: boolean;
  enableTokenStorage: boolean;
};

/** One check of `POST /api/connectors/:id/test` (connectors/social/config-check.ts). */
export type ConnectorCheck = {
  name:
    | 'discovery'
    | 'issuer'
    | 'endpoints'
    | 'jwks'
    | 'authorization_endpoint'
    | 'token_endpoint'
    | 'userinfo_endpoint'
    | 'unsupported';
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
};
export type ConnectorCheckReport = { ok: boolean; checks: ConnectorCheck[]; checkedAt: number };

/** A message kept by the development outbox (`GET /api/outbox`, docs/sign-in-experience.md). */
export type OutboxMessage = {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  createdAt: number;
};

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

export const connectorEndpoints = (call: Call) => {
  const connector = (id: string) => `/api/connectors/${encodeURIComponent(id)}`;
  return {
    listConnectors: async () => (await call<Connector[]>('/api/connectors?page=1&page_size=100')).body,
    getConnector: async (id: string) => (await call<Connector>(connector(id))).body,
    listConnectorFactories: async () => (await call<ConnectorFactory[]>('/api/connector-factories')).body,
    createConnector: async (input: ConnectorInput) =>
      (await call<Connector>('/api/connectors', { method: 'POST', body: input })).body,
    updateConnector: async (id: string, input: Partial<Omit<ConnectorInput, 'connectorId'>>) =>
      (await call<Connector>(connector(id), { method: 'PATCH', body: input })).body,
    deleteConnector: async (id: string) => {
      await call(connector(id), { method: 'DELETE' });
    },
    testConnector: async (id: string) =>
      (await call<ConnectorCheckReport>(`${connector(id)}/test`, { method: 'POST' })).body,
    listOutbox: async (page: number, pageSize: number) => {
      const { body, headers } = await call<OutboxMessage[]>(`/api/outbox?page=${page}&page_size=${pageSize}`);
      return { items: body, total: Number(headers.get('Total-Number') ?? body.length) };
    },
    clearOutbox: async () => {
      await call('/api/outbox', { method: 'DELETE' });
    },
    getSocialTargets: async () =>
      (await call<{ socialSignInConnectorTargets: string[] }>('/api/sign-in-exp')).body
        .socialSignInConnectorTargets,
    setSocialTargets: async (targets: string[]) =>
      (
        await call<{ socialSignInConnectorTargets: string[] }>('/api/sign-in-exp', {
          method: 'PATCH',
          body: { socialSignInConnectorTargets: targets },
        })
      ).body.socialSignInConnectorTargets,
  };
};
