import { type Kysely, sql } from 'kysely';

// The Secret Vault's third-party tokens, the audit log, and the Account API's verification records (issue 6).
export const up = async (db: Kysely<unknown>) => {
  const statements = [
    // A provider's tokens for one identity (SPEC §7): one vault envelope, whose associated data names the tenant,
    // the user and the connector target, so an envelope moved to another row fails to open. The plain columns
    // say what is stored without opening it (the Management API's token status). Deleted with the identity.
    sql`
      create table identity_tokens (
        tenant_id varchar(32) not null,
        user_id varchar(21) not null,
        target varchar(128) not null,
        kek_id varchar(32) not null,
        envelope text not null,
        has_refresh_token boolean not null default false,
        scope text,
        token_type varchar(64),
        expires_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, user_id, target),
        foreign key (tenant_id, user_id, target) references user_identities (tenant_id, user_id, target)
          on delete cascade
      )`,
    sql`create index identity_tokens__kek_id on identity_tokens (kek_id)`,

    // Who read or changed which secret or identity, when, from where. Never a secret: `data` holds names, ids
    // and outcomes only.
    sql`
      create table audit_logs (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        created_at timestamptz not null default now(),
        action varchar(64) not null,
        actor_type varchar(16) not null check (actor_type in ('user', 'application', 'system')),
        actor_id varchar(128),
        user_id varchar(21),
        target varchar(128),
        ip varchar(64),
        user_agent varchar(256),
        data jsonb not null default '{}'::jsonb,
        primary key (tenant_id, id)
      )`,
    sql`create index audit_logs__created_at on audit_logs (tenant_id, created_at desc, id)`,
    sql`create index audit_logs__user_id on audit_logs (tenant_id, user_id, created_at desc)`,

    // The Account API's verifications (a password re-entered, a code checked, a social sign-in to link): a record
    // per attempt, owned by one user, short-lived, used once. `data` holds digests and vault envelopes only.
    sql`
      create table verification_records (
        tenant_id varchar(32) not null,
        id varchar(21) not null,
        user_id varchar(21) not null,
        type varchar(32) not null,
        data jsonb not null default '{}'::jsonb,
        verified_at timestamptz,
        consumed_at timestamptz,
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
      )`,
    sql`create index verification_records__expires_at on verification_records (expires_at)`,
  ];
  for (const statement of statements) await statement.execute(db);
};
