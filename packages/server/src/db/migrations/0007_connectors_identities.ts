import { type Kysely, sql } from 'kysely';

// Connector instances (SPEC §6) and the social identities of users (docs/decisions/0009).
export const up = async (db: Kysely<unknown>) => {
  const statements = [
    // `config` is what responses show: every secret replaced by the mask. The secrets themselves are in
    // `sealed_secrets`, one vault envelope whose associated data names the tenant and this row's id, so an
    // envelope copied to another row fails to open. `type` is the factory's, kept here so that the database
    // itself allows one Email (or SMS) connector per tenant, even under concurrent creations.
    sql`
      create table connectors (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        connector_id varchar(64) not null,
        type varchar(16) not null check (type in ('Social', 'Email', 'Sms')),
        target varchar(128),
        config jsonb not null default '{}'::jsonb,
        sealed_secrets text,
        metadata jsonb not null default '{}'::jsonb,
        sync_profile boolean not null default false,
        enable_token_storage boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    // The target (the IdP name, SPEC §6) is unique; connectors without one (email) are not compared.
    sql`create unique index connectors__target on connectors (tenant_id, target)`,
    sql`create unique index connectors__passwordless_type on connectors (tenant_id, type) where type in ('Email', 'Sms')`,

    // One row per (user, connector target). The identity is keyed on the upstream subject, never on an email: an
    // upstream account is the same account whatever address it shows today.
    sql`
      create table user_identities (
        tenant_id varchar(32) not null,
        user_id varchar(21) not null,
        target varchar(128) not null,
        identity_id varchar(255) not null,
        details jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, user_id, target),
        foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
      )`,
    sql`create unique index user_identities__identity on user_identities (tenant_id, target, identity_id)`,
  ];
  for (const statement of statements) await statement.execute(db);
};
