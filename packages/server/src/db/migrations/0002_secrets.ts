import { type Kysely, sql } from 'kysely';

// The Secret Vault's one table: every sealed secret (signing keys, client secrets, third-party tokens) lives here,
// so a KEK rotation re-wraps one table. `kek_id` is indexed to find what a retired KEK still wraps.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    create table secrets (
      tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
      id varchar(32) not null,
      purpose varchar(64) not null,
      kek_id varchar(32) not null,
      envelope text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    )
  `.execute(db);
  await sql`create index secrets__kek_id on secrets (kek_id)`.execute(db);
};
