import { type Kysely, sql } from 'kysely';

// Users (the table itself came with 0003). Suspending or deleting a user removes the user's sessions, grants and
// tokens from oidc-provider's storage in the same transaction, found by the `accountId` of their payload: this
// index keeps that a lookup rather than a scan of every stored token.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    create index oidc_model_instances__account_id
    on oidc_model_instances (tenant_id, (payload ->> 'accountId'))`.execute(db);
};
