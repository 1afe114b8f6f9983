import { z } from 'zod';
import type { ConnectorType } from '../db/schema.ts';
import {
  type SecretCodec,
  smtpSecretCodec,
  socialSecretCodec,
} from '../domain/connectors/connector-secrets.ts';
import { parseSmtpUrl } from './email/smtp.ts';
import { OAuth2ConnectorConfig, OidcConnectorConfig } from './social/schemas.ts';

/**
 * The connector factories (Logto's word): the kinds of connector an admin can add with `POST /api/connectors`
 * `{connectorId: <factory id>}`. Each declares its config as a zod schema, which validates what an admin sends
 * and is published as JSON Schema (`GET /api/connector-factories`) for the console's form, and where the
 * secrets of that config are. No SMS factory ships yet.
 */

export type { ConnectorType };

type Localized = { en: string; th: string };

export type ConnectorFactory = {
  id: string;
  type: ConnectorType;
  name: Localized;
  description: Localized;
  logo: string | null;
  logoDark: string | null;
  /** Logto: `Universal` for social connectors that work on every platform, null for email and SMS. */
  platform: 'Universal' | null;
  /** A generic connector: it may be added several times (each with its own target). */
  isStandard: boolean;
  /** Validates a config and fills its defaults. */
  configSchema: z.ZodType<Record<string, unknown>>;
  secrets: SecretCodec;
};

const smtpUsage = 'must look like smtp://user:password@host:587 or smtps://user:password@host:465';

/** The SMTP email connector's config: the same URL format as `SMTP_URL` (docs/configuration.md). */
export const SmtpConnectorConfig = z
  .object({
    url: z
      .string()
      .max(2048)
      .refine((value) => {
        try {
          parseSmtpUrl(value);
          return true;
        } catch {
          return false;
        }
      }, smtpUsage)
      .describe(
        'The mail server, as SMTP_URL: smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 (TLS); `?from=` sets the sender. The password is a secret.',
      ),
    from: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .optional()
      .describe('The From header, e.g. `Gatehouse <no-reply@example.com>`; overrides `?from=` of the URL.'),
  })
  .strict();
export type SmtpConnectorConfig = z.infer<typeof SmtpConnectorConfig>;

export const connectorFactories: readonly ConnectorFactory[] = [
  {
    id: 'oidc',
    type: 'Social',
    name: { en: 'OIDC', th: 'OIDC' },
    description: {
      en: 'Sign in with any OpenID Connect provider (authorization code flow, ID token checked against its JWKS).',
      th: 'เข้าสู่ระบบด้วยผู้ให้บริการ OpenID Connect ใดก็ได้ (authorization code flow ตรวจ ID token กับ JWKS ของผู้ให้บริการ)',
    },
    logo: null,
    logoDark: null,
    platform: 'Universal',
    isStandard: true,
    configSchema: OidcConnectorConfig,
    secrets: socialSecretCodec,
  },
  {
    id: 'oauth2',
    type: 'Social',
    name: { en: 'OAuth 2.0', th: 'OAuth 2.0' },
    description: {
      en: 'Sign in with any OAuth 2.0 provider that has a userinfo endpoint; a profile map says where the id, email and name are.',
      th: 'เข้าสู่ระบบด้วยผู้ให้บริการ OAuth 2.0 ที่มี userinfo endpoint โดยกำหนดตำแหน่งของ id อีเมล และชื่อ',
    },
    logo: null,
    logoDark: null,
    platform: 'Universal',
    isStandard: true,
    configSchema: OAuth2ConnectorConfig,
    secrets: socialSecretCodec,
  },
  {
    id: 'smtp',
    type: 'Email',
    name: { en: 'SMTP', th: 'SMTP' },
    description: {
      en: 'Send verification codes through an SMTP server. At most one email connector; without one, SMTP_URL (or the development outbox) is used.',
      th: 'ส่งรหัสยืนยันทางอีเมลผ่านเซิร์ฟเวอร์ SMTP มีได้หนึ่งตัว หากไม่มีจะใช้ SMTP_URL (หรือกล่องจดหมายสำหรับการพัฒนา)',
    },
    logo: null,
    logoDark: null,
    platform: null,
    isStandard: false,
    configSchema: SmtpConnectorConfig,
    secrets: smtpSecretCodec,
  },
];

export const findConnectorFactory = (id: string): ConnectorFactory | undefined =>
  connectorFactories.find((factory) => factory.id === id);

/** `GET /api/connector-factories` items (Logto's shape, plus the config's JSON Schema). */
export const ConnectorFactoryResponse = z.object({
  id: z.string(),
  type: z.enum(['Social', 'Email', 'Sms']),
  name: z.record(z.string(), z.string()),
  description: z.record(z.string(), z.string()),
  logo: z.string().nullable(),
  logoDark: z.string().nullable(),
  platform: z.string().nullable(),
  isStandard: z.boolean(),
  /** Where the config's secrets are (`clientSecret`, `url.password`): masked in every response. */
  secretFields: z.array(z.string()),
  /** JSON Schema (draft 2020-12) of the config, as an admin sends it. */
  configSchema: z.record(z.string(), z.unknown()),
});
export type ConnectorFactoryResponse = z.infer<typeof ConnectorFactoryResponse>;

/**
 * The config schema as JSON Schema. `io: 'input'`: fields with a default are optional. A date (`currentDate`)
 * is sent as a string, so it is published as `{type: 'string', format: 'date-time'}`; other types JSON cannot
 * express become `{}`. Top-level secret fields are marked `writeOnly`.
 */
const configJsonSchema = (factory: ConnectorFactory): Record<string, unknown> => {
  try {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(factory.configSchema, {
      io: 'input',
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema._zod.def.type === 'date')
          Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
      },
    }) as Record<string, unknown>;
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
    for (const path of factory.secrets.paths) {
      const property = properties?.[path];
      if (property) property.writeOnly = true;
    }
    return schema;
  } catch {
    return {};
  }
};

const described = new Map<string, ConnectorFactoryResponse>();

/** A factory as the API shows it (built once per factory). */
export const describeFactory = (factory: ConnectorFactory): ConnectorFactoryResponse => {
  let response = described.get(factory.id);
  if (!response) {
    response = {
      id: factory.id,
      type: factory.type,
      name: factory.name,
      description: factory.description,
      logo: factory.logo,
      logoDark: factory.logoDark,
      platform: factory.platform,
      isStandard: factory.isStandard,
      secretFields: [...factory.secrets.paths],
      configSchema: configJsonSchema(factory),
    };
    described.set(factory.id, response);
  }
  return response;
};
