import type { ApplicationType } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { newId } from '../ids.ts';
import { type DomainDeps, epochMs, isUniqueViolation, type Page } from '../shared.ts';
import { generateSecretValue, secretDigest } from './application-secrets.ts';
import {
  type ApplicationFilter,
  type ApplicationQueries,
  type ApplicationRow,
  type ApplicationSecretRow,
  createApplicationQueries,
} from './applications.queries.ts';
import {
  type Application,
  type CreateApplication,
  type CreateSecret,
  CustomClientMetadata,
  isConfidential,
  maxSecretsPerApplication,
  OidcClientMetadata,
  type SecretSummary,
  type UpdateApplication,
} from './applications.schemas.ts';
import { findRedirectUriProblem } from './redirect-uris.ts';

/** The secret every confidential app receives at creation. */
export const defaultSecretName = 'default';

// JSON columns are read leniently: a row written by an older version (or by hand) still reads.
const readOidcMetadata = (value: unknown) =>
  OidcClientMetadata.safeParse(value ?? {}).data ?? { redirectUris: [], postLogoutRedirectUris: [] };
const readCustomMetadata = (value: unknown) => CustomClientMetadata.safeParse(value ?? {}).data ?? {};

export const toApplication = (row: ApplicationRow): Application => ({
  id: row.id,
  name: row.name,
  description: row.description,
  type: row.type,
  oidcClientMetadata: readOidcMetadata(row.oidc_client_metadata),
  customClientMetadata: readCustomMetadata(row.custom_client_metadata),
  isThirdParty: row.is_third_party,
  createdAt: epochMs(row.created_at),
});

const toSecretSummary = (row: ApplicationSecretRow): SecretSummary => ({
  name: row.name,
  createdAt: epochMs(row.created_at),
  expiresAt: row.expires_at ? epochMs(row.expires_at) : null,
});

const assertRedirectUris = (type: ApplicationType, metadata: Partial<OidcClientMetadata>) => {
  for (const uris of [metadata.redirectUris, metadata.postLogoutRedirectUris]) {
    const problem = uris && findRedirectUriProblem(uris, type);
    if (problem) throw new ApiError('application.invalid_redirect_uri', problem);
  }
};

const assertThirdParty = (type: ApplicationType, isThirdParty: boolean | undefined) => {
  if (isThirdParty && type === 'MachineToMachine') {
    throw new ApiError('application.type_mismatch', {
      type,
      reason: 'a third-party app signs users in, a machine-to-machine app has no users',
    });
  }
};

/** Applications and their secrets: the rules of SPEC §3 and the transactions that keep them. */
export const createApplicationService = ({ db, changes, tenantId }: DomainDeps) => {
  const queries = createApplicationQueries(db, tenantId);
  const inTransaction = <T>(work: (tx: ApplicationQueries) => Promise<T>) =>
    db.transaction().execute((trx) => work(createApplicationQueries(trx, tenantId)));
  // After commit only (db/changes.ts): the OIDC layer's client cache drops the app.
  const published = async <T>(id: string, result: T) => {
    await changes.publish({ topic: 'applications', key: id });
    return result;
  };
  const notFound = (id: string) => new ApiError('application.not_found', { id });
  const secretNameTaken = (id: string, name: string) => (error: unknown) => {
    if (isUniqueViolation(error, 'application_secrets_pkey')) {
      throw new ApiError('application.secret_name_taken', { id, name });
    }
    throw error;
  };

  const findOrFail = async (id: string) => {
    const row = await queries.findById(id);
    if (!row) throw notFound(id);
    return row;
  };

  return {
    count: (filter: ApplicationFilter) => queries.count(filter),

    list: async (filter: ApplicationFilter, page: Page) =>
      (await queries.list(filter, page)).map(toApplication),

    get: async (id: string) => toApplication(await findOrFail(id)),

    /** Creates the app and, for a confidential one, its `default` secret, whose value is returned this once. */
    create: async (input: CreateApplication) => {
      assertRedirectUris(input.type, input.oidcClientMetadata);
      assertThirdParty(input.type, input.isThirdParty);
      const secret = isConfidential(input.type) ? generateSecretValue() : undefined;
      const row = await inTransaction(async (tx) => {
        const inserted = await tx.insert({
          id: newId(),
          name: input.name,
          description: input.description ?? null,
          type: input.type,
          oidcClientMetadata: input.oidcClientMetadata,
          // Rotation is on unless turned off (RFC 9700 §4.14.2); stored explicitly so readers need no default.
          customClientMetadata: { rotateRefreshToken: true, ...input.customClientMetadata },
          isThirdParty: input.isThirdParty,
        });
        if (secret) {
          await tx.secrets.insert({
            applicationId: inserted.id,
            name: defaultSecretName,
            digest: secretDigest(secret),
            expiresAt: null,
          });
        }
        return inserted;
      });
      return published(row.id, { ...toApplication(row), ...(secret && { secret }) });
    },

    update: async (id: string, patch: UpdateApplication) => {
      const row = await inTransaction(async (tx) => {
        const current = await tx.lockById(id);
        if (!current) throw notFound(id);
        if (patch.type !== undefined && patch.type !== current.type) {
          throw new ApiError('application.type_immutable', { id });
        }
        assertThirdParty(current.type, patch.isThirdParty);
        const oidc = patch.oidcClientMetadata;
        if (oidc) assertRedirectUris(current.type, oidc);
        return tx.update(id, {
          name: patch.name,
          description: patch.description,
          isThirdParty: patch.isThirdParty,
          oidcClientMetadata: oidc && { ...readOidcMetadata(current.oidc_client_metadata), ...oidc },
          customClientMetadata: patch.customClientMetadata && {
            ...readCustomMetadata(current.custom_client_metadata),
            ...patch.customClientMetadata,
          },
        });
      });
      if (!row) throw notFound(id);
      return published(id, toApplication(row));
    },

    /** Deletes the app with its secrets and role assignments (foreign keys cascade). */
    remove: async (id: string) => {
      if (!(await queries.delete(id))) throw notFound(id);
      await published(id, undefined);
    },

    listSecrets: async (id: string) => {
      await findOrFail(id);
      return (await queries.secrets.list(id)).map(toSecretSummary);
    },

    /** Adds a secret (rotation without downtime: add, deploy, delete the old one). Its value is shown once. */
    createSecret: async (id: string, input: CreateSecret) => {
      const value = generateSecretValue();
      const row = await inTransaction(async (tx) => {
        // The row lock serialises concurrent additions, so the limit below holds.
        const application = await tx.lockById(id);
        if (!application) throw notFound(id);
        if (!isConfidential(application.type)) {
          throw new ApiError('application.type_mismatch', {
            type: application.type,
            reason: 'a public client has no secrets',
          });
        }
        if ((await tx.secrets.count(id)) >= maxSecretsPerApplication) {
          throw new ApiError('application.too_many_secrets', { id, max: maxSecretsPerApplication });
        }
        return tx.secrets.insert({
          applicationId: id,
          name: input.name,
          digest: secretDigest(value),
          expiresAt: input.expiresAt == null ? null : new Date(input.expiresAt),
        });
      }).catch(secretNameTaken(id, input.name));
      return published(id, { ...toSecretSummary(row), value });
    },

    renameSecret: async (id: string, name: string, newName: string) => {
      await findOrFail(id);
      const row = await queries.secrets.rename(id, name, newName).catch(secretNameTaken(id, newName));
      if (!row) throw new ApiError('application.secret_not_found', { id, name });
      return published(id, toSecretSummary(row));
    },

    /**
     * Deletes a secret. Deleting the last secret of a confidential app is allowed, as in Logto: the app then
     * cannot authenticate until a new secret is added.
     */
    deleteSecret: async (id: string, name: string) => {
      await findOrFail(id);
      if (!(await queries.secrets.delete(id, name))) {
        throw new ApiError('application.secret_not_found', { id, name });
      }
      await published(id, undefined);
    },
  };
};

export type ApplicationService = ReturnType<typeof createApplicationService>;
