import path from 'node:path';
import { crossFieldIssues, envSchema, splitList } from './schema.ts';

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string | undefined;
  /** Public base URL without a trailing slash. */
  endpoint: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
  smtp: { url: string | undefined; from: string | undefined };
  vault: { kek: Buffer | undefined; previousKek: Buffer | undefined };
  trustProxy: string[];
  /** Guard of every request to an admin-configured URL (net/outbound.ts): private addresses only outside production. */
  outbound: { allowPrivateAddresses: boolean; allowedHosts: string[] };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
  bootstrap: {
    adminClient: { id: string; secret: string } | undefined;
    adminUser: { username: string; password: string } | undefined;
  };
};

/** Thrown with one line per bad variable; `main` prints them and exits non-zero, without a stack trace. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}

const describeValue = (value: unknown) => {
  if (value === undefined) return 'it is not set';
  const text = String(value);
  return `got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
};

/** Variables whose values must never be echoed back, even in an error line. */
const secretVariables = new Set([
  'SECRET_VAULT_KEK',
  'SECRET_VAULT_KEK_PREVIOUS',
  'METRICS_TOKEN',
  'GATEHOUSE_ADMIN_CLIENT_SECRET',
  'GATEHOUSE_ADMIN_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
]);

export const loadConfig = (rawEnv: Record<string, string | undefined>): Config => {
  // An empty variable (`PORT=`) means "unset", as most shells and orchestrators produce it that way.
  const env = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((key) => {
      const value = rawEnv[key];
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const shown = secretVariables.has(variable) ? '' : ` (${describeValue(env[variable])})`;
        return `Invalid configuration: ${variable} ${issue.message}${shown}.`;
      }),
    );
  }
  const value = parsed.data;
  const crossIssues = crossFieldIssues(value);
  if (crossIssues.length > 0) {
    throw new ConfigError(
      crossIssues.map((issue) => `Invalid configuration: ${issue.variable} ${issue.message}.`),
    );
  }
  const key = (text: string | undefined) => (text ? Buffer.from(text, 'base64') : undefined);
  return {
    nodeEnv: value.NODE_ENV,
    port: value.PORT,
    host: value.HOST,
    endpoint: (value.ENDPOINT ?? `http://localhost:${value.PORT}`).replace(/\/+$/, ''),
    dataDir: path.resolve(value.DATA_DIR),
    databaseUrl: value.DATABASE_URL,
    databasePoolSize: value.DATABASE_POOL_SIZE,
    redisUrl: value.REDIS_URL,
    smtp: { url: value.SMTP_URL, from: value.SMTP_FROM },
    vault: { kek: key(value.SECRET_VAULT_KEK), previousKek: key(value.SECRET_VAULT_KEK_PREVIOUS) },
    trustProxy: splitList(value.TRUST_PROXY),
    outbound: {
      allowPrivateAddresses: value.NODE_ENV !== 'production',
      allowedHosts: splitList(value.OUTBOUND_ALLOWED_HOSTS),
    },
    logLevel: value.LOG_LEVEL,
    metricsToken: value.METRICS_TOKEN,
    shutdownTimeoutMs: value.SHUTDOWN_TIMEOUT_MS,
    bootstrap: {
      adminClient:
        value.GATEHOUSE_ADMIN_CLIENT_ID && value.GATEHOUSE_ADMIN_CLIENT_SECRET
          ? { id: value.GATEHOUSE_ADMIN_CLIENT_ID, secret: value.GATEHOUSE_ADMIN_CLIENT_SECRET }
          : undefined,
      adminUser:
        value.GATEHOUSE_ADMIN_USERNAME && value.GATEHOUSE_ADMIN_PASSWORD
          ? { username: value.GATEHOUSE_ADMIN_USERNAME, password: value.GATEHOUSE_ADMIN_PASSWORD }
          : undefined,
    },
  };
};
