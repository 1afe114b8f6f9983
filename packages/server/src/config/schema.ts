import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';

/**
 * Every setting Gatehouse reads, as environment variables (SPEC §1). This schema is the single source:
 * `loadConfig` validates with it and `docs/configuration.md` is generated from it (`npm run docs:config`).
 */

const base64Key = (name: string) =>
  z
    .string()
    .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, {
      message: `${name} must be the base64 encoding of exactly 32 random bytes (e.g. \`openssl rand -base64 32\`)`,
    });

const urlWithProtocols = (protocols: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL like ${example}` },
  );

const trustProxyList = z.string().refine(
  (value) => {
    try {
      proxyAddr.compile(splitList(value));
      return true;
    } catch {
      return false;
    }
  },
  {
    message:
      'must be a comma-separated list of IP addresses, CIDR ranges, or the names loopback, linklocal, uniquelocal',
  },
);

/** A host name as it appears in a URL, without scheme, port, path or credentials (`idp.internal`, `10.0.0.5`, `[fd00::1]`). */
const hostList = z.string().refine(
  (value) =>
    splitList(value).every((host) => {
      if (!/^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@:[\]]+)$/.test(host)) return false;
      try {
        return Boolean(new URL(`http://${host}/`).hostname);
      } catch {
        return false;
      }
    }),
  {
    message: 'must be a comma-separated list of host names without scheme, port or path (e.g. idp.internal)',
  },
);

export const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe(
      'Runtime mode. `production` refuses to start without `SECRET_VAULT_KEK` and never generates development keys.',
    ),
  PORT: z.coerce
    .number({ message: 'must be a whole number between 1 and 65535' })
    .int({ message: 'must be a whole number between 1 and 65535' })
    .min(1, { message: 'must be a whole number between 1 and 65535' })
    .max(65535, { message: 'must be a whole number between 1 and 65535' })
    .default(3001)
    .describe('TCP port the server listens on (OIDC, APIs, hosted pages and console alike).'),
  HOST: z
    .string()
    .refine((value) => isIP(value) !== 0 || value === 'localhost', {
      message: 'must be an IP address (e.g. 127.0.0.1 or ::) or localhost',
    })
    .optional()
    .describe("Address to bind. Unset: every interface (Node's default)."),
  ENDPOINT: urlWithProtocols(['http:', 'https:'], 'https://id.example.com')
    .refine((value) => {
      const url = new URL(value);
      return !url.search && !url.hash && !url.username && !url.password;
    }, 'must not carry a query, a fragment or credentials')
    .optional()
    .describe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: documentation text that names the variables, not a template
      'Public base URL of this server as browsers and apps reach it. The OIDC issuer is `${ENDPOINT}/oidc`. Default: `http://localhost:${PORT}`.',
    ),
  DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe(
      'Folder for the embedded database (PGlite, used when `DATABASE_URL` is unset) and, in development, the generated vault key.',
    ),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/gatehouse')
    .optional()
    .describe(
      'PostgreSQL connection URL. When set, Gatehouse uses this server instead of the embedded database; several instances may share it.',
    ),
  DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'must be a whole number between 1 and 100' })
    .int({ message: 'must be a whole number between 1 and 100' })
    .min(1, { message: 'must be a whole number between 1 and 100' })
    .max(100, { message: 'must be a whole number between 1 and 100' })
    .default(10)
    .describe('Maximum number of PostgreSQL connections per instance (ignored on the embedded database).'),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379')
    .optional()
    .describe(
      'Optional Redis URL, validated but not used yet: today PostgreSQL carries cache invalidation (LISTEN/NOTIFY), rate limits and lockout counters for all instances.',
    ),
  SECRET_VAULT_KEK: base64Key('SECRET_VAULT_KEK')
    .optional()
    .describe(
      'Master key of the Secret Vault: base64 of 32 random bytes. Required when `NODE_ENV=production`; in development a key is generated into `DATA_DIR` with a warning.',
    ),
  SECRET_VAULT_KEK_PREVIOUS: base64Key('SECRET_VAULT_KEK_PREVIOUS')
    .optional()
    .describe(
      'The key `SECRET_VAULT_KEK` replaced, kept during a key rotation so that secrets wrapped under it stay readable.',
    ),
  TRUST_PROXY: trustProxyList
    .default('')
    .describe(
      'Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` headers are believed: comma-separated IPs, CIDRs, or `loopback`, `linklocal`, `uniquelocal`. Empty: trust none, use the socket address.',
    ),
  OUTBOUND_ALLOWED_HOSTS: hostList
    .default('')
    .describe(
      'Host names (comma-separated, exact, case-insensitive) that connector and webhook requests may reach even though they are, or resolve to, private, loopback or link-local addresses, e.g. an identity provider on the internal network. Outside this list, production refuses such destinations (SSRF guard); development and test allow them.',
    ),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:'], 'smtps://user:password@smtp.example.com:465')
    .optional()
    .describe(
      'Mail server for verification codes. Unset: messages go to the development outbox (`GET /api/outbox`), so sign-up with email verification works on a fresh start.',
    ),
  SMTP_FROM: z
    .string()
    .max(256)
    .optional()
    .describe('The From header of the emails Gatehouse sends, e.g. `Gatehouse <no-reply@example.com>`.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written to stdout (JSON lines).'),
  METRICS_TOKEN: z
    .string()
    .min(16, { message: 'must be at least 16 characters' })
    .optional()
    .describe(
      'When set, `GET /metrics` requires `Authorization: Bearer <METRICS_TOKEN>`. Unset: metrics are open, so keep `/metrics` off the public internet at the proxy.',
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a whole number of milliseconds between 0 and 600000' })
    .int({ message: 'must be a whole number of milliseconds between 0 and 600000' })
    .min(0, { message: 'must be a whole number of milliseconds between 0 and 600000' })
    .max(600_000, { message: 'must be a whole number of milliseconds between 0 and 600000' })
    .default(10_000)
    .describe('On SIGTERM, how long in-flight requests may finish before their connections are closed.'),
  GATEHOUSE_ADMIN_CLIENT_ID: z
    .string()
    // Application ids are at most 21 characters (the length of generated ids).
    .regex(/^[\w.-]{1,21}$/, { message: 'must be 1-21 letters, digits, dots, dashes or underscores' })
    .optional()
    .describe(
      'With `GATEHOUSE_ADMIN_CLIENT_SECRET`: ensures at every start a machine-to-machine app with full Management API access.',
    ),
  GATEHOUSE_ADMIN_CLIENT_SECRET: z
    .string()
    .min(32, { message: 'must be at least 32 characters (use a generated secret)' })
    .optional()
    .describe('Secret of the bootstrap machine-to-machine app (at least 32 characters).'),
  GATEHOUSE_ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, {
      message: 'must be 1-128 letters, digits, dots, dashes or underscores',
    })
    .optional()
    .describe(
      'With `GATEHOUSE_ADMIN_PASSWORD`: ensures at every start a console administrator (created with that password, which must meet the password policy, when missing; an existing user keeps its password and gets the role back). Without them, the first visit to `/console` offers to create one.',
    ),
  GATEHOUSE_ADMIN_PASSWORD: z
    .string()
    .min(8, { message: 'must be at least 8 characters' })
    .max(256, { message: 'must be at most 256 characters' })
    .optional()
    .describe('Password of the bootstrap console administrator (8 to 256 characters).'),
});

export type Env = z.infer<typeof envSchema>;

/** Rules that involve more than one variable. Each issue names the variable a user must change. */
export const crossFieldIssues = (env: Env): Array<{ variable: string; message: string }> => {
  const issues: Array<{ variable: string; message: string }> = [];
  if (env.NODE_ENV === 'production' && !env.SECRET_VAULT_KEK) {
    issues.push({
      variable: 'SECRET_VAULT_KEK',
      message:
        'is required when NODE_ENV=production (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
    });
  }
  if (env.SECRET_VAULT_KEK_PREVIOUS && !env.SECRET_VAULT_KEK) {
    issues.push({
      variable: 'SECRET_VAULT_KEK',
      message: 'must be set when SECRET_VAULT_KEK_PREVIOUS is set',
    });
  }
  const pairs = [
    ['GATEHOUSE_ADMIN_CLIENT_ID', 'GATEHOUSE_ADMIN_CLIENT_SECRET'],
    ['GATEHOUSE_ADMIN_USERNAME', 'GATEHOUSE_ADMIN_PASSWORD'],
  ] as const;
  for (const [a, b] of pairs) {
    if (Boolean(env[a]) !== Boolean(env[b])) {
      issues.push({ variable: env[a] ? b : a, message: `must be set together with ${env[a] ? a : b}` });
    }
  }
  return issues;
};
