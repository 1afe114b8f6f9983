import { z } from 'zod';
import { id, label } from '../shared.ts';

/** Request and response shapes of connectors, following Logto's Management API (SPEC §6). */

/** A connector target (the IdP name): the same format `socialSignInConnectorTargets` accepts. */
export const ConnectorTarget = z
  .string()
  .regex(/^[\w.-]{1,128}$/, 'must be 1-128 letters, digits, dots, dashes or underscores');

// BCP 47, loosely: `en`, `th`, `pt-BR`, `zh-Hant-TW`.
const LanguageTag = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/, 'must be a language tag');

/** The button text per language; a plain string is taken as English. */
export const ConnectorName = z.union([
  label(128).transform((name) => ({ en: name })),
  z
    .record(LanguageTag, label(128))
    .refine((names) => Object.keys(names).length > 0, 'must name the connector in at least one language')
    .refine((names) => Object.keys(names).length <= 50, 'must have at most 50 languages'),
]);

/** A logo shown on the sign-in page: an absolute http(s) URL; '' or null means none. */
const LogoUrl = z
  .union([
    z.literal(''),
    z.null(),
    z
      .string()
      .max(2048)
      .refine((value) => {
        if (/[\s\p{Cc}]/u.test(value) || !URL.canParse(value)) return false;
        const { protocol, hostname } = new URL(value);
        return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
      }, 'must be an absolute http or https URL without spaces'),
  ])
  .transform((value) => value || null);

/** `metadata` as sent: unknown keys are dropped. `target` is required for a social connector. */
export const ConnectorMetadataInput = z.object({
  target: ConnectorTarget.optional(),
  name: ConnectorName.optional(),
  logo: LogoUrl.optional(),
  logoDark: LogoUrl.optional(),
});
export type ConnectorMetadataInput = z.infer<typeof ConnectorMetadataInput>;

/** A config as sent; the factory's schema validates it (400 `connector.invalid_config` naming each field). */
const ConfigInput = z.record(z.string(), z.unknown());

export const CreateConnector = z.object({
  /** The factory id: `oidc`, `oauth2`, `smtp`. */
  connectorId: z.string().min(1).max(64),
  config: ConfigInput.default({}),
  metadata: ConnectorMetadataInput.default({}),
  /** Social: refresh name and avatar from the provider at every sign-in (false: at sign-up only). */
  syncProfile: z.boolean().default(false),
  /** Social: keep the provider's tokens (stored from the Secret Vault issue on). */
  enableTokenStorage: z.boolean().default(false),
});
export type CreateConnector = z.infer<typeof CreateConnector>;

/**
 * PATCH merges: `config` and `metadata` keys given replace the stored ones (one level deep); a secret left out
 * or sent as the mask keeps the stored secret. `connectorId` and `metadata.target` are accepted only unchanged.
 */
export const UpdateConnector = z.object({
  connectorId: z.string().min(1).max(64).optional(),
  config: ConfigInput.optional(),
  metadata: ConnectorMetadataInput.optional(),
  syncProfile: z.boolean().optional(),
  enableTokenStorage: z.boolean().optional(),
});
export type UpdateConnector = z.infer<typeof UpdateConnector>;

export const ConnectorParams = z.object({ id: id() });
export const FactoryParams = z.object({
  id: z.string().regex(/^[\w.-]{1,64}$/, 'must be a connector factory id'),
});

export const ConnectorFilter = z.object({
  target: ConnectorTarget.optional().describe('Only the connector with this target.'),
});
export type ConnectorFilter = z.infer<typeof ConnectorFilter>;

export const ConnectorMetadata = z.object({
  target: z.string().optional(),
  name: z.record(z.string(), z.string()),
  logo: z.string().nullable(),
  logoDark: z.string().nullable(),
});
export type ConnectorMetadata = z.infer<typeof ConnectorMetadata>;

/** A connector as the Management API answers it. Secrets in `config` are always the mask. */
export const Connector = z.object({
  id: z.string(),
  /** The factory id. */
  connectorId: z.string(),
  type: z.enum(['Social', 'Email', 'Sms']),
  /** The IdP name (social connectors); also in `metadata.target`. */
  target: z.string().nullable(),
  isStandard: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  metadata: ConnectorMetadata,
  syncProfile: z.boolean(),
  enableTokenStorage: z.boolean(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Connector = z.infer<typeof Connector>;
