import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { type EmailMessage, EmailSendError, type EmailSender } from './email-sender.ts';

export type SmtpSettings = {
  host: string;
  port: number;
  /** TLS from the first byte (`smtps:`); otherwise STARTTLS whenever the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  from: string;
};

const usage = 'must look like smtp://user:password@host:587 or smtps://user:password@host:465';

/** Reads `smtp://` / `smtps://` URLs; throws an error naming what is wrong (never echoing the password). */
export const parseSmtpUrl = (value: string): SmtpSettings => {
  if (!URL.canParse(value)) throw new Error(`The SMTP URL ${usage}.`);
  const url = new URL(value);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`The SMTP URL ${usage} (got the scheme ${url.protocol}).`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`The SMTP URL ${usage} (the host is missing).`);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  // Providers usually accept only their account's own address (or domain) as sender.
  const defaultFrom = user.includes('@')
    ? user
    : `no-reply@${isIP(host) === 0 && host.includes('.') ? host : 'localhost'}`;
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(user && { auth: { user, pass } }),
    from: url.searchParams.get('from') || defaultFrom,
  };
};

/**
 * Sends through an SMTP server with nodemailer: one connection per message (codes are rare, and no idle
 * connection can go stale), at most `timeoutMs` for the whole exchange.
 */
export const createSmtpSender = (options: {
  url: string;
  from?: string;
  timeoutMs?: number;
}): EmailSender => {
  const settings = parseSmtpUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.auth,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const from = options.from ?? settings.from;

  return {
    send: async (message: EmailMessage) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new EmailSendError(`the SMTP server did not accept the message within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([
          transport.sendMail({
            from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
          }),
          timeout,
        ]);
      } catch (error) {
        if (error instanceof EmailSendError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new EmailSendError(`the SMTP server refused or could not be reached: ${reason}`, {
          cause: error,
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
};
