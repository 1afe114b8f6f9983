import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ChangeBus } from '../db/changes.ts';
import type { ApplicationType, Database } from '../db/schema.ts';
import { findActiveSecretDigests } from '../domain/applications/application-secrets.ts';
import { findGrantedScopes, type ScopeSubject } from '../domain/roles/granted-scopes.ts';

/** What the protocol layer knows of an application, cached per instance. */
export type ClientRecord = {
  id: string;
  name: string;
  type: ApplicationType;
  isThirdParty: boolean;
  confidential: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accessTokenTtl: number | undefined;
  refreshTokenTtlDays: number | undefined;
  rotateRefreshToken: boolean;
  secrets: Array<{ digest: string; expiresAt: Date | null }>;
};

export type ResourceRecord = { id: string; indicator: string; accessTokenTtl: number; scopes: string[] };

type ClientMetadataJson = { redirectUris?: string[]; postLogoutRedirectUris?: string[] };
type CustomMetadataJson = {
  accessTokenTtl?: number;
  refreshTokenTtlInDays?: number;
  rotateRefreshToken?: boolean;
};

/**
 * Applications and API resources as the token endpoint needs them, cached in memory so issuing a token does
 * not query configuration. Entries are dropped when the change bus says an admin changed them (on any instance),
 * and everything is dropped on `*` (the listener reconnected and may have missed changes). Misses are cached
 * too, briefly, so unknown client ids cannot be used to hammer the database.
 */
export const createDirectory = ({
  db,
  tenantId,
  changes,
}: {
  db: Kysely<Database>;
  tenantId: string;
  changes: ChangeBus;
}) => {
  const clients = new Map<string, Promise<ClientRecord | undefined>>();
  // The same clients, resolved, for oidc-provider's synchronous hooks (token lifetimes).
  const resolvedClients = new Map<string, ClientRecord>();
  const resources = new Map<string, Promise<ResourceRecord | undefined>>();
  // Scopes a subject's roles grant on a resource, keyed `u:<userId>|<indicator>` or `a:<appId>|<indicator>`.
  const granted = new Map<string, Promise<string[] | undefined>>();
  const missTtlMs = 5_000;

  changes.subscribe((change) => {
    if (change.topic === '*' || change.topic === 'roles' || change.topic === 'users') {
      granted.clear();
    }
    if (change.topic === '*' || change.topic === 'roles') {
      clients.clear();
      resolvedClients.clear();
      resources.clear();
    } else if (change.topic === 'applications') {
      if (change.key) {
        clients.delete(change.key);
        resolvedClients.delete(change.key);
      } else {
        clients.clear();
        resolvedClients.clear();
      }
    } else if (change.topic === 'resources') {
      resources.clear();
      granted.clear();
    }
  });

  const loadClient = async (id: string): Promise<ClientRecord | undefined> => {
    const row = await db
      .selectFrom('applications')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const metadata = (row.oidc_client_metadata ?? {}) as ClientMetadataJson;
    const custom = (row.custom_client_metadata ?? {}) as CustomMetadataJson;
    const confidential = row.type === 'Traditional' || row.type === 'MachineToMachine';
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      isThirdParty: row.is_third_party,
      confidential,
      redirectUris: metadata.redirectUris ?? [],
      postLogoutRedirectUris: metadata.postLogoutRedirectUris ?? [],
      accessTokenTtl: custom.accessTokenTtl,
      refreshTokenTtlDays: custom.refreshTokenTtlInDays,
      rotateRefreshToken: custom.rotateRefreshToken ?? true,
      secrets: confidential ? await findActiveSecretDigests(db, tenantId, row.id) : [],
    };
  };

  const loadResource = async (indicator: string): Promise<ResourceRecord | undefined> => {
    const row = await db
      .selectFrom('resources')
      .select(['id', 'indicator', 'access_token_ttl'])
      .where('tenant_id', '=', tenantId)
      .where('indicator', '=', indicator)
      .executeTakeFirst();
    if (!row) return undefined;
    const scopes = await db
      .selectFrom('scopes')
      .select('name')
      .where('tenant_id', '=', tenantId)
      .where('resource_id', '=', row.id)
      .execute();
    return {
      id: row.id,
      indicator: row.indicator,
      accessTokenTtl: row.access_token_ttl,
      scopes: scopes.map((scope) => scope.name),
    };
  };

  const cached = <T>(
    map: Map<string, Promise<T | undefined>>,
    key: string,
    load: () => Promise<T | undefined>,
  ) => {
    const hit = map.get(key);
    if (hit) return hit;
    const pending = load().then(
      (value) => {
        if (value === undefined)
          setTimeout(() => map.get(key) === pending && map.delete(key), missTtlMs).unref();
        return value;
      },
      (error: unknown) => {
        map.delete(key); // never cache a failure
        throw error;
      },
    );
    map.set(key, pending);
    return pending;
  };

  return {
    findClient: (id: string) =>
      cached(clients, id, async () => {
        const client = await loadClient(id);
        if (client) resolvedClients.set(id, client);
        return client;
      }),
    /** Scope names of `indicator` that the subject's roles grant (cached; dropped on role or resource changes). */
    grantedScopes: async (subject: ScopeSubject, indicator: string): Promise<string[]> => {
      const key = `${'userId' in subject ? `u:${subject.userId}` : `a:${subject.applicationId}`}|${indicator}`;
      return (await cached(granted, key, () => findGrantedScopes(db, tenantId, subject, indicator))) ?? [];
    },
    /** The client as last loaded, synchronously; undefined if it is not in the cache. */
    peekClient: (id: string) => resolvedClients.get(id),
    findResource: (indicator: string) => cached(resources, indicator, () => loadResource(indicator)),
  };
};

export type Directory = ReturnType<typeof createDirectory>;

/** A value oidc-provider requires as `client_secret` for confidential clients; never compared (see provider.ts). */
export const placeholderClientSecret = () => `digest-verified-${randomBytes(24).toString('base64url')}`;

/** oidc-provider client metadata for an application (SPEC §3). */
export const toClientMetadata = (client: ClientRecord, placeholderSecret: string) => {
  const machine = client.type === 'MachineToMachine';
  return {
    client_id: client.id,
    client_name: client.name,
    application_type: client.type === 'Native' ? 'native' : 'web',
    grant_types: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
    response_types: machine ? [] : ['code'],
    redirect_uris: machine ? [] : client.redirectUris,
    post_logout_redirect_uris: machine ? [] : client.postLogoutRedirectUris,
    token_endpoint_auth_method: client.confidential ? 'client_secret_basic' : 'none',
    ...(client.confidential ? { client_secret: placeholderSecret } : {}),
  };
};
