import { z } from 'zod';
import { freeText, id, label } from '../shared.ts';

/** Request and response shapes of applications, following Logto's Management API (camelCase fields). */

export const applicationTypes = ['Traditional', 'SPA', 'Native', 'MachineToMachine'] as const;
export const ApplicationType = z.enum(applicationTypes);

/** SPEC §3: confidential clients hold secrets; SPA and native apps are public clients (`none` auth). */
export const isConfidential = (type: z.infer<typeof ApplicationType>) =>
  type === 'Traditional' || type === 'MachineToMachine';

export const maxRedirectUris = 50;
export const maxRedirectUriLength = 2048;
export const maxSecretsPerApplication = 20;

const RedirectUris = z.array(z.string().max(maxRedirectUriLength)).max(maxRedirectUris);

export const OidcClientMetadata = z.object({
  redirectUris: RedirectUris.default([]),
  postLogoutRedirectUris: RedirectUris.default([]),
});
export type OidcClientMetadata = z.infer<typeof OidcClientMetadata>;

export const CustomClientMetadata = z.object({
  /** Lifetime of access tokens issued to the app, in seconds. */
  accessTokenTtl: z.int().min(60).max(86_400).optional(),
  /** Lifetime of refresh tokens, in days. */
  refreshTokenTtlInDays: z.int().min(1).max(365).optional(),
  /** RFC 9700 §4.14.2: rotate refresh tokens on use (and detect reuse). */
  rotateRefreshToken: z.boolean().optional(),
  /**
   * Origins (besides those of the redirect URIs) from which a browser may call the Account API with this app's
   * user tokens (Logto's name). `https://host[:port]`, or `http://` for local development.
   */
  corsAllowedOrigins: z
    .array(
      z
        .string()
        .max(2048)
        .refine((value) => {
          if (!URL.canParse(value)) return false;
          const url = new URL(value);
          return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
        }, 'must be an origin: http(s)://host[:port], nothing after it'),
    )
    .max(50)
    .optional(),
});
export type CustomClientMetadata = z.infer<typeof CustomClientMetadata>;

const Description = freeText(4096).nullable();

export const CreateApplication = z.object({
  name: label(256),
  type: ApplicationType,
  description: Description.optional(),
  isThirdParty: z.boolean().default(false),
  oidcClientMetadata: OidcClientMetadata.default({ redirectUris: [], postLogoutRedirectUris: [] }),
  customClientMetadata: CustomClientMetadata.default({}),
});
export type CreateApplication = z.infer<typeof CreateApplication>;

/**
 * PATCH merges: the fields given replace the stored ones; inside the two metadata objects, the keys given
 * replace the stored keys (Logto merges JSON columns the same way). `type` is accepted only unchanged, so a
 * client may send back the object it read.
 */
export const UpdateApplication = z.object({
  name: label(256).optional(),
  type: ApplicationType.optional(),
  description: Description.optional(),
  isThirdParty: z.boolean().optional(),
  oidcClientMetadata: z
    .object({ redirectUris: RedirectUris.optional(), postLogoutRedirectUris: RedirectUris.optional() })
    .optional(),
  customClientMetadata: CustomClientMetadata.optional(),
});
export type UpdateApplication = z.infer<typeof UpdateApplication>;

export const Application = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  type: ApplicationType,
  oidcClientMetadata: z.object({
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
  }),
  customClientMetadata: CustomClientMetadata,
  isThirdParty: z.boolean(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
});
export type Application = z.infer<typeof Application>;

/**
 * The answer to `POST /api/applications`. Unlike Logto, which returns `secret` on every read, Gatehouse stores
 * only a digest (SPEC §3) and so can show the secret once, here; public clients (SPA, Native) get none.
 */
export const CreatedApplication = Application.extend({ secret: z.string().optional() });

export const ApplicationParams = z.object({ id: id() });

// The largest instant both JavaScript and PostgreSQL print in plain ISO 8601 (9999-12-31T23:59:59.999Z).
const maxInstant = 253_402_300_799_999;

const SecretName = label(256);

export const CreateSecret = z.object({
  name: SecretName,
  /** Epoch milliseconds; omitted or null: the secret does not expire. */
  expiresAt: z
    .int()
    .max(maxInstant)
    .refine((value) => value > Date.now(), 'must be in the future')
    .nullable()
    .optional(),
});
export type CreateSecret = z.infer<typeof CreateSecret>;

export const RenameSecret = z.object({ name: SecretName });

// A name in a path is taken as it is (not trimmed): `/secrets/%20default` is not the secret `default`.
export const SecretParams = z.object({
  id: id(),
  name: z
    .string()
    .min(1)
    .max(256)
    .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters'),
});

export const SecretSummary = z.object({
  name: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
});
export type SecretSummary = z.infer<typeof SecretSummary>;

/** A new secret: its value appears in this answer only. */
export const CreatedSecret = SecretSummary.extend({ value: z.string() });
