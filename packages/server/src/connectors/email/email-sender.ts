import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
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
