import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Page } from '../../domain/shared.ts';

/** SQL for the development outbox. No policy here. */
export const createOutboxQueries = (db: Kysely<Database>, tenantId: string) => {
  const messages = (to: string | undefined) => {
    const query = db.selectFrom('outbox_messages').where('tenant_id', '=', tenantId);
    return to === undefined ? query : query.where(sql<string>`lower("to")`, '=', to.toLowerCase());
  };
  return {
    insert: (row: { id: string; to: string; subject: string; text: string; html: string | null }) =>
      db
        .insertInto('outbox_messages')
        .values({ tenant_id: tenantId, ...row })
        .execute(),

    count: async (to: string | undefined) => {
      const row = await messages(to)
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /** Newest first. */
    list: (to: string | undefined, page: Page) =>
      messages(to)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),

    delete: async (to: string | undefined) => {
      let query = db.deleteFrom('outbox_messages').where('tenant_id', '=', tenantId);
      if (to !== undefined) query = query.where(sql<string>`lower("to")`, '=', to.toLowerCase());
      await query.execute();
    },

    deleteOlderThan: (seconds: number) =>
      db
        .deleteFrom('outbox_messages')
        .where('tenant_id', '=', tenantId)
        .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${seconds})`)
        .execute(),
  };
};
