import { type Kysely, sql } from 'kysely';

// The state of a multi-step sign-in flow (register → verify email, sign in with a code, reset a password), one row
// per interaction. Keyed by the SHA-256 of the interaction id; expires with the interaction.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    create table experience_flows (
      tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
      interaction_id varchar(64) not null,
      flow varchar(32) not null,
      step varchar(32) not null,
      data jsonb not null default '{}'::jsonb,
      expires_at timestamptz not null,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, interaction_id)
    )`.execute(db);
  await sql`create index experience_flows__expires_at on experience_flows (expires_at)`.execute(db);
};
