import { type Kysely, sql } from 'kysely';

// The sign-in experience settings, email verification codes, the development outbox, and the counters behind
// rate limits and account lockout. Counters live in the database so every instance shares them (SPEC §1
// scale-out, SECURITY-TESTS B3, E5); every time is the database's clock (E6).
export const up = async (db: Kysely<unknown>) => {
  const statements = [
    // One row per tenant; a tenant without a row has the default settings.
    sql`
      create table sign_in_experiences (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        settings jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (tenant_id)
      )`,

    // Only a digest of each code is kept. `invalidated_at` marks a code replaced by a newer one; the rows stay
    // until purged, because they also count the sends of the last hour (rate limit).
    sql`
      create table verification_codes (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        purpose varchar(32) not null,
        identifier varchar(320) not null,
        digest varchar(64) not null,
        attempts integer not null default 0,
        expires_at timestamptz not null,
        consumed_at timestamptz,
        invalidated_at timestamptz,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    sql`create index verification_codes__identifier on verification_codes (tenant_id, identifier, created_at)`,
    sql`create index verification_codes__created_at on verification_codes (created_at)`,

    // Development and test aid: what the outbox email sender "sent".
    sql`
      create table outbox_messages (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        "to" varchar(320) not null,
        subject text not null,
        text text not null,
        html text,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    sql`create index outbox_messages__to on outbox_messages (tenant_id, "to", created_at)`,
    sql`create index outbox_messages__created_at on outbox_messages (tenant_id, created_at)`,

    // Fixed-window counters: one row per key and window, incremented by an atomic upsert.
    sql`
      create table rate_limits (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        key varchar(256) not null,
        window_seconds integer not null,
        window_start timestamptz not null,
        count integer not null,
        expires_at timestamptz not null,
        primary key (tenant_id, key, window_seconds, window_start)
      )`,
    sql`create index rate_limits__expires_at on rate_limits (expires_at)`,

    // Per-account lockout (SECURITY-TESTS B3). Not a foreign key to users: attempts may be counted for any
    // account key, and the row is harmless once the user is gone. `last_outcome` is what the last counting
    // statement decided, so that one statement both counts and reports.
    sql`
      create table account_lockouts (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        user_id varchar(128) not null,
        failures integer not null default 0,
        locked_until timestamptz,
        hour_start timestamptz not null default now(),
        hour_failures integer not null default 0,
        last_outcome varchar(16) not null default 'counted',
        updated_at timestamptz not null default now(),
        primary key (tenant_id, user_id)
      )`,
  ];
  for (const statement of statements) await statement.execute(db);
};
