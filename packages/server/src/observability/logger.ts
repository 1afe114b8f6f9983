import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';

export type Logger = pino.Logger;

/** The request a log line is written for; every line written while serving it carries its id. */
export type RequestScope = { requestId: string };

export const requestScope = new AsyncLocalStorage<RequestScope>();

// Never log these, at any level (SPEC §1, SECURITY-TESTS D4). Paths are matched at the top level and one
// level down, which covers `{ req: { headers } }`, `{ body }` and error objects alike.
const secretKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'code_verifier',
  'verificationCode',
  'otp',
  'kek',
  'cookie',
  'authorization',
  'envelope',
];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...secretKeys,
  ...secretKeys.map((key) => `*.${key}`),
];

export type LoggerOptions = {
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: pino.DestinationStream;
};

export const createLogger = ({ level, destination }: LoggerOptions): Logger =>
  pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      mixin: () => {
        const scope = requestScope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
