import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { newId } from '../../domain/ids.ts';
import { epochMs, type Page } from '../../domain/shared.ts';
import type { EmailMessage, EmailSender } from './email-sender.ts';
import { createOutboxQueries } from './outbox.queries.ts';
import type { OutboxMessage } from './outbox.schemas.ts';

/**
 * Messages are kept one day: long enough to read a code (they expire in 10 minutes), short enough that the
 * table does not keep every code ever sent.
 */
export const outboxRetentionSeconds = 24 * 60 * 60;

/**
 * The development email sender: instead of delivering, it stores each message in `outbox_messages`, where
 * `GET /api/outbox` (and tests) read it. Not for production: it keeps codes readable in the database.
 */
export const createOutboxSender = ({
  db,
  tenantId,
}: {
  db: Kysely<Database>;
  tenantId: string;
}): EmailSender => {
  const queries = createOutboxQueries(db, tenantId);
  return {
    send: async (message: EmailMessage) => {
      await queries.insert({
        id: newId(),
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
      });
      await queries.deleteOlderThan(outboxRetentionSeconds);
    },
  };
};

/** Reading and emptying the outbox (Management API). */
export const createOutbox = ({ db, tenantId }: { db: Kysely<Database>; tenantId: string }) => {
  const queries = createOutboxQueries(db, tenantId);
  return {
    count: (to?: string) => queries.count(to),
    list: async (to: string | undefined, page: Page): Promise<OutboxMessage[]> =>
      (await queries.list(to, page)).map((row) => ({
        id: row.id,
        to: row.to,
        subject: row.subject,
        text: row.text,
        html: row.html,
        createdAt: epochMs(row.created_at),
      })),
    clear: (to?: string) => queries.delete(to),
  };
};
