import { type Kysely, sql } from 'kysely';

// The Account API's settings (issue 6, Logto's "account center"): whether the API is on, and per field whether a
// signed-in user may see it (`ReadOnly`), change it (`Edit`) or neither (`Off`). One row per tenant; a tenant
// without a row has the defaults (off, every field `Off`), as in Logto.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    create table account_centers (
      tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
      enabled boolean not null default false,
      fields jsonb not null default '{}'::jsonb,
      updated_at timestamptz not null default now(),
      primary key (tenant_id)
    )`.execute(db);
};
