import { type Kysely, sql } from 'kysely';

// The console's Audit logs screen (issue 7) filters by action (`GET /api/logs?logKey=`), newest first. 0008
// indexes the log by time and by user only, so a rare action meant reading the whole time index to find a page.
export const up = async (db: Kysely<unknown>) => {
  await sql`create index audit_logs__action on audit_logs (tenant_id, action, created_at desc)`.execute(db);
};
