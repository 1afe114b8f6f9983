import { type Kysely, sql } from 'kysely';

// Tenants own every other row. One `default` tenant for now; isolated tenants later reuse the same column.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    create table tenants (
      id varchar(32) primary key,
      name varchar(128) not null,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`insert into tenants (id, name) values ('default', 'Default')`.execute(db);
};
