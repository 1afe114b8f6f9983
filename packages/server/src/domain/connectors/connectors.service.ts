import type { z } from 'zod';
import { createAuditLog } from '../../audit/audit-log.ts';
import { type ConnectorFactory, findConnectorFactory } from '../../connectors/factories.ts';
import {
  type OAuth2ConnectorConfig,
  OAuth2ConnectorConfig as OAuth2Schema,
  type OidcConnectorConfig,
  OidcConnectorConfig as OidcSchema,
} from '../../connectors/social/schemas.ts';
import { connectorsTopic } from '../../db/changes.ts';
import { ApiError } from '../../http/errors.ts';
import { VaultError } from '../../vault/envelope.ts';
import { createIdentityTokenQueries } from '../identity-tokens/identity-tokens.queries.ts';
import { newId } from '../ids.ts';
import { type DomainDeps, epochMs, isUniqueViolation, type Page } from '../shared.ts';
import { createSignInExperienceQueries } from '../sign-in-experience/sign-in-experience.queries.ts';
import { signInExperienceTopic } from '../sign-in-experience/sign-in-experience.service.ts';
import { openConfig, openSecrets, type SecretSealer, sealSecrets } from './connector-secrets.ts';
import {
  type ConnectorQueries,
  type ConnectorRow,
  type ConnectorRowFilter,
  createConnectorQueries,
} from './connectors.queries.ts';
import type {
  Connector,
  ConnectorMetadata,
  ConnectorMetadataInput,
  CreateConnector,
  UpdateConnector,
} from './connectors.schemas.ts';

type Config = Record<string, unknown>;

/** A social connector as the sign-in flow uses it: display data and the full config, secrets included. */
export type SignInConnector = {
  id: string;
  target: string;
  /** The button text per language (`{en: 'Acme'}`); never empty. */
  name: Record<string, string>;
  logo: string | null;
  logoDark: string | null;
  syncProfile: boolean;
  enableTokenStorage: boolean;
} & (
  | { connectorId: 'oidc'; config: OidcConnectorConfig }
  | { connectorId: 'oauth2'; config: OAuth2ConnectorConfig }
);

/** What the sign-in page needs to draw a "Continue with …" button: no config, no secret. */
export type SocialConnectorSummary = {
  id: string;
  connectorId: string;
  target: string;
  name: Record<string, string>;
  logo: string | null;
  logoDark: string | null;
};

/** A summary with where its button sends the browser (from the stored configuration: not a secret). */
export type SocialButtonSummary = SocialConnectorSummary & { authorizationEndpoint: string };

const asObject = (value: unknown): Config =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Config) : {};

// JSON columns are read leniently: a row written by an older version (or by hand) still reads.
const readMetadata = (row: ConnectorRow): ConnectorMetadata => {
  const stored = asObject(row.metadata);
  const name: Record<string, string> = {};
  for (const [language, text] of Object.entries(asObject(stored.name))) {
    if (typeof text === 'string') name[language] = text;
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return {
    ...(row.target !== null && { target: row.target }),
    name: Object.keys(name).length > 0 ? name : { en: row.target ?? row.connector_id },
    logo: text(stored.logo),
    logoDark: text(stored.logoDark),
  };
};

export const toConnector = (row: ConnectorRow): Connector => ({
  id: row.id,
  connectorId: row.connector_id,
  type: row.type,
  target: row.target,
  isStandard: findConnectorFactory(row.connector_id)?.isStandard ?? false,
  config: asObject(row.config),
  metadata: readMetadata(row),
  syncProfile: row.sync_profile,
  enableTokenStorage: row.enable_token_storage,
  createdAt: epochMs(row.created_at),
  updatedAt: epochMs(row.updated_at),
});

type Issue = { path: string; message: string };

// Zod reports unknown keys on their parent; naming each key tells the admin exactly what to remove.
const issuesOf = (error: z.ZodError): Issue[] =>
  error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: [...issue.path, key].map(String).join('.'),
          message: 'is not a known field',
        }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  );

const invalidConfig = (issues: Issue[]) => {
  const [first] = issues;
  return new ApiError('connector.invalid_config', {
    reason: first ? `${first.path || 'config'} ${first.message}` : 'unknown problem',
    issues,
  });
};

/** The whole config checked by the factory's schema (defaults filled), or 400 naming every bad field. */
const validateConfig = (factory: ConnectorFactory, candidate: Config): Config => {
  // The mask left where no secret is stored: the admin copied a response without filling the secret in.
  const masked = factory.secrets.masked(candidate);
  if (masked.length > 0) {
    throw invalidConfig(
      masked.map((path) => ({ path, message: 'is the masked placeholder: send the secret itself' })),
    );
  }
  const result = factory.configSchema.safeParse(candidate);
  if (!result.success) throw invalidConfig(issuesOf(result.error));
  return result.data;
};

/** The metadata to store: `current` with the keys of `input` applied. A social connector needs a target. */
const mergeMetadata = (
  factory: ConnectorFactory,
  input: ConnectorMetadataInput,
  current?: ConnectorMetadata,
): ConnectorMetadata => {
  const social = factory.type === 'Social';
  const target = social ? (input.target ?? current?.target) : undefined;
  if (social && target === undefined) {
    throw new ApiError('connector.invalid_metadata', {
      reason: 'metadata.target (the IdP name) is required for a social connector',
      issues: [{ path: 'metadata.target', message: 'is required' }],
    });
  }
  return {
    ...(target !== undefined && { target }),
    name: input.name ?? current?.name ?? (target !== undefined ? { en: target } : { ...factory.name }),
    logo: input.logo !== undefined ? input.logo : (current?.logo ?? null),
    logoDark: input.logoDark !== undefined ? input.logoDark : (current?.logoDark ?? null),
  };
};

// PATCH: `null` removes an optional key (e.g. `authRequestOptionalConfig`); other keys replace the stored ones.
const mergeConfig = (stored: Config, patch: Config): Config => {
  const merged: Config = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
};

/** The factory of a stored row; a row whose factory is gone (removed in a later version) cannot be used. */
const factoryOf = (row: ConnectorRow): ConnectorFactory => {
  const factory = findConnectorFactory(row.connector_id);
  if (!factory) throw new ApiError('connector.factory_not_found', { connectorId: row.connector_id });
  return factory;
};

export type ConnectorServiceDeps = DomainDeps & {
  /** Seals and opens the secrets of configs (registry.vault). */
  vault: SecretSealer;
};

/**
 * Connector instances (SPEC §6): configs validated by their factory, secrets sealed apart from the config and
 * never answered, targets unique, at most one email connector. Changes are published after commit
 * (`connectors`, key = id) so that caches of connector data (the email sender's) drop them on every instance.
 */
export const createConnectorService = ({ db, changes, tenantId, vault }: ConnectorServiceDeps) => {
  const queries = createConnectorQueries(db, tenantId);
  const inTransaction = <T>(work: (tx: ConnectorQueries, trx: typeof db) => Promise<T>) =>
    db.transaction().execute((trx) => work(createConnectorQueries(trx, tenantId), trx));
  const published = async <T>(id: string, result: T) => {
    await changes.publish({ topic: connectorsTopic, key: id });
    return result;
  };
  const notFound = (id: string) => new ApiError('connector.not_found', { id });
  const conflicts = (factory: ConnectorFactory, target: string | undefined) => (error: unknown) => {
    if (isUniqueViolation(error, 'connectors__target'))
      throw new ApiError('connector.target_taken', { target });
    if (isUniqueViolation(error, 'connectors__passwordless_type') && factory.type === 'Email') {
      throw new ApiError('connector.email_exists');
    }
    throw error;
  };

  /**
   * The stored secrets a PATCH keeps (those still masked in `patched`). Opened only when needed, so that a
   * connector whose envelope cannot be opened (copied from another row, or sealed under a KEK no longer held)
   * can be repaired by sending its secrets again.
   */
  const storedSecretsFor = (factory: ConnectorFactory, row: ConnectorRow, patched: Config) => {
    const kept = factory.secrets.masked(patched);
    if (kept.length === 0) return {};
    try {
      return openSecrets(vault, tenantId, row.id, row.sealed_secrets);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      throw invalidConfig(
        kept.map((path) => ({
          path,
          message: 'cannot be read from storage any more: send the secret again',
        })),
      );
    }
  };

  const findOrFail = async (id: string) => {
    const row = await queries.findById(id);
    if (!row) throw notFound(id);
    return row;
  };

  /** The full config of a social row, parsed by its factory's schema (typed for the relying-party code). */
  const toSignInConnector = (row: ConnectorRow): SignInConnector | undefined => {
    if (row.type !== 'Social' || row.target === null) return undefined;
    const factory = factoryOf(row);
    const full = openConfig(vault, tenantId, row, factory.secrets);
    const metadata = readMetadata(row);
    const common = {
      id: row.id,
      target: row.target,
      name: metadata.name,
      logo: metadata.logo,
      logoDark: metadata.logoDark,
      syncProfile: row.sync_profile,
      enableTokenStorage: row.enable_token_storage,
    };
    if (row.connector_id === 'oidc') {
      const parsed = OidcSchema.safeParse(full);
      if (!parsed.success) throw invalidConfig(issuesOf(parsed.error));
      return { ...common, connectorId: 'oidc', config: parsed.data };
    }
    if (row.connector_id === 'oauth2') {
      const parsed = OAuth2Schema.safeParse(full);
      if (!parsed.success) throw invalidConfig(issuesOf(parsed.error));
      return { ...common, connectorId: 'oauth2', config: parsed.data };
    }
    return undefined;
  };

  /** The social connectors of `targets`, in that order, unknown targets skipped; one query, no secret opened. */
  const socialByTargets = async (targets: readonly string[]): Promise<SocialButtonSummary[]> => {
    const rows = await queries.listByTargets('Social', targets);
    const byTarget = new Map(rows.map((row) => [row.target, row]));
    return [...new Set(targets)].flatMap((target) => {
      const row = byTarget.get(target);
      if (!row) return [];
      const metadata = readMetadata(row);
      return [
        {
          id: row.id,
          connectorId: row.connector_id,
          target,
          name: metadata.name,
          logo: metadata.logo,
          logoDark: metadata.logoDark,
          authorizationEndpoint: String(asObject(row.config).authorizationEndpoint ?? ''),
        },
      ];
    });
  };

  return {
    count: (filter: ConnectorRowFilter = {}) => queries.count(filter),

    list: async (filter: ConnectorRowFilter, page: Page) =>
      (await queries.list(filter, page)).map(toConnector),

    get: async (id: string) => toConnector(await findOrFail(id)),

    /**
     * Adds a connector of factory `connectorId`: 400 `connector.factory_not_found`, `connector.invalid_config`
     * (each bad field in `data.issues`) or `connector.invalid_metadata`; 409 `connector.target_taken` or
     * `connector.email_exists`.
     */
    create: async (input: CreateConnector): Promise<Connector> => {
      const factory = findConnectorFactory(input.connectorId);
      if (!factory) throw new ApiError('connector.factory_not_found', { connectorId: input.connectorId });
      const metadata = mergeMetadata(factory, input.metadata);
      const { config, secrets } = factory.secrets.split(validateConfig(factory, input.config));
      const id = newId();
      const row = await queries
        .insert({
          id,
          connectorId: factory.id,
          type: factory.type,
          target: metadata.target ?? null,
          config,
          sealedSecrets: sealSecrets(vault, tenantId, id, secrets),
          metadata: { name: metadata.name, logo: metadata.logo, logoDark: metadata.logoDark },
          syncProfile: input.syncProfile,
          enableTokenStorage: input.enableTokenStorage,
        })
        .catch(conflicts(factory, metadata.target));
      return published(row.id, toConnector(row));
    },

    /**
     * Merges the patch (see `UpdateConnector`) and validates the resulting config as a whole. A secret left out
     * or sent as the mask keeps the stored one.
     */
    update: async (id: string, patch: UpdateConnector): Promise<Connector> => {
      const row = await inTransaction(async (tx) => {
        const current = await tx.lockById(id);
        if (!current) throw notFound(id);
        const factory = factoryOf(current);
        if (patch.connectorId !== undefined && patch.connectorId !== current.connector_id) {
          throw new ApiError('connector.factory_immutable');
        }
        const stored = readMetadata(current);
        if (
          factory.type === 'Social' &&
          patch.metadata?.target !== undefined &&
          patch.metadata.target !== current.target
        ) {
          throw new ApiError('connector.target_immutable');
        }
        const metadata = mergeMetadata(factory, patch.metadata ?? {}, stored);
        let config = current.config;
        let sealedSecrets = current.sealed_secrets;
        if (patch.config !== undefined) {
          const patched = mergeConfig(asObject(current.config), patch.config);
          const merged = factory.secrets.join(patched, storedSecretsFor(factory, current, patched));
          const split = factory.secrets.split(validateConfig(factory, merged));
          config = split.config;
          sealedSecrets = sealSecrets(vault, tenantId, id, split.secrets);
        }
        return tx.update(id, {
          config,
          sealedSecrets,
          metadata: { name: metadata.name, logo: metadata.logo, logoDark: metadata.logoDark },
          syncProfile: patch.syncProfile ?? current.sync_profile,
          enableTokenStorage: patch.enableTokenStorage ?? current.enable_token_storage,
        });
      });
      if (!row) throw notFound(id);
      return published(id, toConnector(row));
    },

    /**
     * Deletes the connector and takes its target out of the sign-in experience's `socialSignInConnectorTargets`
     * in the same transaction (without re-checking the other settings: a button to a connector that no longer
     * exists is worse than any setting). Users' identities of that target are kept: a connector re-created
     * with the same target finds them again. The provider tokens stored for that target go, in the same
     * transaction (issue 6: nothing could refresh them any more, and the admin removed that provider).
     */
    remove: async (id: string): Promise<void> => {
      const removed = await inTransaction(async (tx, trx) => {
        const row = await tx.delete(id);
        if (!row) throw notFound(id);
        if (row.target !== null) {
          const deleted = await createIdentityTokenQueries(trx, tenantId).deleteByTarget(row.target);
          if (deleted > 0) {
            await createAuditLog({ db: trx, tenantId }).record({
              action: 'identity_token.deleted',
              actor: { type: 'system' },
              target: row.target,
              data: { reason: 'connector_deleted', connectorId: id, count: deleted },
            });
          }
          const settings = createSignInExperienceQueries(trx, tenantId);
          await settings.lock();
          const stored = asObject(await settings.find());
          const targets = stored.socialSignInConnectorTargets;
          if (Array.isArray(targets) && targets.includes(row.target)) {
            await settings.save({
              ...stored,
              socialSignInConnectorTargets: targets.filter((target) => target !== row.target),
            });
            return { row, signInExperienceChanged: true };
          }
        }
        return { row, signInExperienceChanged: false };
      });
      if (removed.signInExperienceChanged) await changes.publish({ topic: signInExperienceTopic });
      await published(id, undefined);
    },

    /**
     * For the sign-in flow: the social connector with this id (the `/callback/<id>` path) or else this target,
     * with its full config, secrets opened, parsed by its factory's schema. Undefined when there is no such
     * social connector. Throws `VaultError` if its sealed secrets do not belong to it.
     */
    getForSignIn: async (idOrTarget: string): Promise<SignInConnector | undefined> => {
      const row = (await queries.findById(idOrTarget)) ?? (await queries.findByTarget(idOrTarget));
      return row ? toSignInConnector(row) : undefined;
    },

    /**
     * The social connectors of `targets` (the sign-in experience's `socialSignInConnectorTargets`), in that
     * order; targets without a connector are skipped. Display data only: no config is opened.
     */
    listSocialByTargets: async (targets: readonly string[]): Promise<SocialConnectorSummary[]> =>
      (await socialByTargets(targets)).map(({ authorizationEndpoint: _endpoint, ...summary }) => summary),

    /** The same, with each connector's authorization endpoint: what a sign-in page's buttons need. */
    listSocialButtons: (targets: readonly string[]): Promise<SocialButtonSummary[]> =>
      socialByTargets(targets),
  };
};

export type ConnectorService = ReturnType<typeof createConnectorService>;
