import type { Kysely } from 'kysely';
import { type ChangeBus, connectorsTopic } from '../../db/changes.ts';
import type { Database } from '../../db/schema.ts';
import { openConfig, type SecretSealer, smtpSecretCodec } from '../../domain/connectors/connector-secrets.ts';
import { createConnectorQueries } from '../../domain/connectors/connectors.queries.ts';
import { createOutboxSender } from './outbox.ts';
import { createSmtpSender } from './smtp.ts';

/** One email. `html`, when given, is an alternative to `text`, which every message carries. */
export type EmailMessage = { to: string; subject: string; text: string; html?: string };

/** The email connector contract: deliver one message or throw `EmailSendError`. */
export type EmailSender = { send(message: EmailMessage): Promise<void> };

/** Delivery failed (refused, unreachable, timed out). The message never contains credentials. */
export class EmailSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmailSendError';
  }
}

/**
 * SMTP when `smtpUrl` is given (`smtp://user:pass@host:587`, `smtps://user:pass@host:465`, optionally
 * `?from=Name%20%3Caddress%3E`); otherwise the development outbox, which keeps messages in the database where
 * `GET /api/outbox` shows them.
 */
export const createEmailSender = (options: {
  smtpUrl?: string;
  /** The From header; overrides `?from=` of the URL. */
  from?: string;
  db: Kysely<Database>;
  tenantId: string;
  /** SMTP: the most one message may take, connection included (default 10 s). */
  timeoutMs?: number;
}): EmailSender =>
  options.smtpUrl
    ? createSmtpSender({ url: options.smtpUrl, from: options.from, timeoutMs: options.timeoutMs })
    : createOutboxSender({ db: options.db, tenantId: options.tenantId });

/**
 * The sender the verification codes use: the tenant's Email connector (`POST /api/connectors
 * {connectorId: 'smtp'}`) when there is one, else `createEmailSender` with the environment's settings
 * (`SMTP_URL`, else the development outbox). Which one is resolved at each send from a cache that the change
 * bus empties whenever a connector changes on any instance, so a connector added, edited or deleted takes
 * effect at the next message without a restart.
 */
export const createConfiguredEmailSender = (options: {
  db: Kysely<Database>;
  tenantId: string;
  /** Opens the connector's sealed password (registry.vault). */
  vault: SecretSealer;
  changes: ChangeBus;
  /** The fallback: `SMTP_URL` and `SMTP_FROM`. */
  smtpUrl?: string;
  from?: string;
  timeoutMs?: number;
}): EmailSender & { close(): void } => {
  const { db, tenantId, vault, timeoutMs } = options;
  const queries = createConnectorQueries(db, tenantId);
  // Invalidation drops the promise itself, so a load under way when a change lands is not kept.
  let cached: Promise<EmailSender> | undefined;
  const unsubscribe = options.changes.subscribe((change) => {
    if (change.topic === connectorsTopic || change.topic === '*') cached = undefined;
  });

  const load = async (): Promise<EmailSender> => {
    const row = await queries.findOfType('Email');
    if (row?.connector_id === 'smtp') {
      const config = openConfig(vault, tenantId, row, smtpSecretCodec);
      return createSmtpSender({
        url: String(config.url),
        from: typeof config.from === 'string' ? config.from : undefined,
        timeoutMs,
      });
    }
    return createEmailSender({ smtpUrl: options.smtpUrl, from: options.from, db, tenantId, timeoutMs });
  };

  const resolve = () => {
    if (cached) return cached;
    const loading = load();
    cached = loading;
    // A failed load is not cached: the next message tries again.
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
    return loading;
  };

  return {
    send: async (message) => {
      let sender: EmailSender;
      try {
        sender = await resolve();
      } catch (error) {
        // E.g. the sealed password does not open (VaultError): never send through a half-read connector.
        throw new EmailSendError('the email connector could not be loaded', { cause: error });
      }
      await sender.send(message);
    },
    close: () => unsubscribe(),
  };
};
