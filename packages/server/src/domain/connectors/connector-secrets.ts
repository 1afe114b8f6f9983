import { socialSecretFields } from '../../connectors/social/schemas.ts';
import type { Vault } from '../../vault/vault.ts';

/**
 * The secrets inside a connector config (client secrets, SMTP passwords). At rest they are sealed by the vault,
 * apart from the rest of the config; in every response, and in the stored config, each one is replaced by
 * `maskedSecret`. Sending the mask back (or leaving the field out of a PATCH) keeps the stored secret.
 */

/** What a secret looks like in responses. Sending it back means "keep the stored secret". */
export const maskedSecret = '********';

type Config = Record<string, unknown>;

/** How one factory's secrets are taken out of a config and put back. */
export type SecretCodec = {
  /** Where the secrets are, for the factory description (`clientSecret`, `url.password`). */
  paths: readonly string[];
  /** The config with each secret replaced by the mask, and the secrets by path. */
  split(config: Config): { config: Config; secrets: Record<string, string> };
  /** Puts stored secrets back where the config holds the mask; any other value is left as it is. */
  join(config: Config, secrets: Record<string, string>): Config;
  /** The paths where `config` still holds the mask (a secret that was never given). */
  masked(config: Config): string[];
};

/** Secrets that are top-level string fields of the config (the social connectors' `clientSecret`). */
export const fieldSecrets = (fields: readonly string[]): SecretCodec => ({
  paths: fields,
  split: (config) => {
    const masked: Config = { ...config };
    const secrets: Record<string, string> = {};
    for (const field of fields) {
      const value = config[field];
      if (typeof value === 'string' && value !== '') {
        secrets[field] = value;
        masked[field] = maskedSecret;
      }
    }
    return { config: masked, secrets };
  },
  join: (config, secrets) => {
    const joined: Config = { ...config };
    for (const field of fields) {
      const secret = secrets[field];
      if (joined[field] === maskedSecret && secret !== undefined) joined[field] = secret;
    }
    return joined;
  },
  masked: (config) => fields.filter((field) => config[field] === maskedSecret),
});

const parseUrl = (value: unknown) =>
  typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;

/**
 * The password inside a URL field (`smtp://user:password@host`). Kept as written (percent-encoded), so putting
 * it back gives the very URL the admin sent.
 */
export const urlPasswordSecret = (field: string): SecretCodec => {
  const path = `${field}.password`;
  return {
    paths: [path],
    split: (config) => {
      const url = parseUrl(config[field]);
      if (!url?.password) return { config: { ...config }, secrets: {} };
      const secret = url.password;
      url.password = maskedSecret;
      return { config: { ...config, [field]: url.toString() }, secrets: { [path]: secret } };
    },
    join: (config, secrets) => {
      const url = parseUrl(config[field]);
      const secret = secrets[path];
      if (!url || url.password !== maskedSecret || secret === undefined) return { ...config };
      url.password = secret;
      return { ...config, [field]: url.toString() };
    },
    masked: (config) => (parseUrl(config[field])?.password === maskedSecret ? [path] : []),
  };
};

/** The social connectors (`oidc`, `oauth2`): `clientSecret`. */
export const socialSecretCodec = fieldSecrets(socialSecretFields);

/** The SMTP email connector: the password of `url`. */
export const smtpSecretCodec = urlPasswordSecret('url');

/** The part of the vault a connector needs. */
export type SecretSealer = Pick<Vault, 'seal' | 'open'>;

// Associated data binds the envelope to its tenant and row: a value copied to another connector fails to open.
export const associatedData = (tenantId: string, connectorId: string) =>
  `connectors|${tenantId}|${connectorId}`;

/** The secrets of connector `id` as one envelope for `connectors.sealed_secrets`. */
export const sealSecrets = (
  vault: SecretSealer,
  tenantId: string,
  id: string,
  secrets: Record<string, string>,
): string => vault.seal(JSON.stringify(secrets), associatedData(tenantId, id));

/** The secrets of connector `id`; throws `VaultError` when the envelope belongs elsewhere or was altered. */
export const openSecrets = (
  vault: SecretSealer,
  tenantId: string,
  id: string,
  sealed: string | null,
): Record<string, string> => {
  if (sealed === null) return {};
  const parsed: unknown = JSON.parse(vault.open(sealed, associatedData(tenantId, id)).toString('utf8'));
  const secrets: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') secrets[key] = value;
  }
  return secrets;
};

/** A stored connector's full config: the stored (masked) config with its secrets opened and put back. */
export const openConfig = (
  vault: SecretSealer,
  tenantId: string,
  row: { id: string; config: unknown; sealed_secrets: string | null },
  codec: SecretCodec,
): Record<string, unknown> => {
  const stored =
    typeof row.config === 'object' && row.config !== null && !Array.isArray(row.config)
      ? (row.config as Record<string, unknown>)
      : {};
  return codec.join(stored, openSecrets(vault, tenantId, row.id, row.sealed_secrets));
};
