import { z } from 'zod';

/**
 * The social connectors' configurations (SPEC §6), in Logto's shapes so a connector config written for Logto
 * works here unchanged. The connector framework (domain/connectors) validates a config with these schemas and
 * publishes them as JSON Schema for the console; the relying-party code (connectors/social/oidc.ts, oauth2.ts)
 * reads the parsed values. `secretFields` lists the fields sealed by the vault at rest and masked in responses.
 */

const httpUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without credentials')
  .describe('An absolute http(s) URL; fetched through the outbound guard (SSRF-checked).');

export const TokenEndpointAuthMethod = z
  .enum(['client_secret_basic', 'client_secret_post', 'client_secret_jwt'])
  .describe('How Gatehouse authenticates to the upstream token endpoint (RFC 6749 §2.3.1, OIDC Core §9).');

export const ClientSecretJwtSigningAlgorithm = z
  .enum(['HS256', 'HS384', 'HS512'])
  .describe('The HMAC algorithm of the client_secret_jwt assertion.');

/** Asymmetric algorithms only: never `none`, never an HMAC keyed with a public key (SECURITY-TESTS C6). */
export const IdTokenAlgorithm = z.enum([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

const stringOrList = z.union([
  z.string().min(1).max(2048),
  z.array(z.string().min(1).max(2048)).min(1).max(20),
]);
const duration = z
  .union([
    z
      .number()
      .int()
      .min(0)
      .max(86_400 * 365),
    z.string().min(1).max(32),
  ])
  .describe('Seconds, or a jose time span such as "5 minutes".');

/** Options of the ID token check (jose `jwtVerify` options, Logto's `idTokenVerificationConfig`). */
export const IdTokenVerificationConfig = z
  .object({
    jwksUri: httpUrl.describe(
      'The provider JWKS URL (required): the ID token signature is checked against it.',
    ),
    issuer: stringOrList.optional().describe('Expected `iss` (strongly recommended).'),
    audience: stringOrList.optional().describe('Expected `aud`; defaults to the client id.'),
    algorithms: z.array(IdTokenAlgorithm).min(1).optional().describe('Allowed signature algorithms.'),
    clockTolerance: duration.optional().describe('Clock skew allowed on exp/iat/nbf.'),
    crit: z.record(z.string(), z.boolean()).optional().describe('Recognised `crit` header parameters.'),
    currentDate: z.coerce.date().optional().describe('Evaluate time claims at this date (testing only).'),
    maxTokenAge: duration.optional().describe('Refuse ID tokens whose `iat` is older than this.'),
    subject: z.string().min(1).max(255).optional().describe('Expected `sub`.'),
    typ: z.string().min(1).max(64).optional().describe('Expected `typ` header.'),
  })
  .strict();

/** Extra authorization request parameters, camelCase here, sent snake_case (Logto's `authRequestOptionalConfig`). */
export const AuthRequestOptionalConfig = z
  .object({
    responseType: z.literal('code').optional().describe('Only the authorization code flow is supported.'),
    tokenEndpoint: z.string().max(2048).optional(),
    responseMode: z.enum(['query', 'form_post']).optional(),
    display: z.enum(['page', 'popup', 'touch', 'wap']).optional(),
    prompt: z.string().max(64).optional(),
    maxAge: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
    uiLocales: z.string().max(256).optional(),
    idTokenHint: z.string().max(8192).optional(),
    loginHint: z.string().max(256).optional(),
    acrValues: z.string().max(256).optional(),
  })
  .strict();

const customConfig = z
  .record(z.string().min(1).max(128), z.string().max(2048))
  .optional()
  .describe('Extra parameters added to the authorization and token requests.');

const clientFields = {
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(2048),
  authorizationEndpoint: httpUrl,
  tokenEndpoint: httpUrl,
  tokenEndpointAuthMethod: TokenEndpointAuthMethod.default('client_secret_basic'),
  clientSecretJwtSigningAlgorithm: ClientSecretJwtSigningAlgorithm.default('HS256'),
  customConfig,
};

/** The generic OIDC connector (factory id `oidc`), exactly SPEC §6 plus one opt-in switch. */
export const OidcConnectorConfig = z
  .object({
    ...clientFields,
    scope: z.string().max(1024).default('openid').describe('Space-separated; `openid` is added if missing.'),
    idTokenVerificationConfig: IdTokenVerificationConfig,
    authRequestOptionalConfig: AuthRequestOptionalConfig.optional(),
    acceptStringEmailVerified: z
      .boolean()
      .default(false)
      .describe('Treat `email_verified: "true"` (a string, sent by some providers) as verified.'),
  })
  .strict();
export type OidcConnectorConfig = z.infer<typeof OidcConnectorConfig>;

/** The generic OAuth 2.0 connector (factory id `oauth2`): a userinfo endpoint and a profile map instead of an ID token. */
export const OAuth2ConnectorConfig = z
  .object({
    ...clientFields,
    userInfoEndpoint: httpUrl,
    scope: z.string().max(1024).optional(),
    tokenEndpointResponseType: z
      .enum(['json', 'query-string'])
      .default('json')
      .describe('How the token endpoint answers (some providers answer application/x-www-form-urlencoded).'),
    profileMap: z
      .object({
        id: z.string().min(1).max(128).default('id'),
        email: z.string().min(1).max(128).optional(),
        emailVerified: z.string().min(1).max(128).optional(),
        phone: z.string().min(1).max(128).optional(),
        phoneVerified: z.string().min(1).max(128).optional(),
        name: z.string().min(1).max(128).optional(),
        avatar: z.string().min(1).max(128).optional(),
      })
      .strict()
      .default({ id: 'id' })
      .describe(
        'Which userinfo fields (dot paths allowed) hold the id, email, phone, name and avatar; an email or phone is kept only when the field named by emailVerified / phoneVerified is true.',
      ),
  })
  .strict();
export type OAuth2ConnectorConfig = z.infer<typeof OAuth2ConnectorConfig>;

/** Fields of a social config that are secrets: sealed by the vault at rest, masked in every response. */
export const socialSecretFields = ['clientSecret'] as const;

/** What a successful upstream sign-in yields (SPEC §6 "Profile"). */
export type SocialProfile = {
  /** The upstream subject (`sub`, or the profile map's `id`): with the connector target, the identity's key. */
  id: string;
  /** Only when the provider says it is verified (SECURITY-TESTS C9). */
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  avatar?: string | undefined;
  /** Every claim / userinfo field, kept as the identity's details. */
  rawData: Record<string, unknown>;
};

/** The upstream token response (kept in the vault by the Secret Vault issue when token storage is on). */
export type SocialTokens = {
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  scope?: string | undefined;
  tokenType?: string | undefined;
  expiresIn?: number | undefined;
};
