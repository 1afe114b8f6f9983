import { type Kysely, sql } from 'kysely';

// The OIDC provider's storage, applications and their secrets, API resources with scopes, roles, and the
// minimal users table the provider needs to find accounts (the users issue extends it).
export const up = async (db: Kysely<unknown>) => {
  const statements = [
    sql`
      create table users (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        username varchar(128),
        primary_email varchar(128),
        primary_phone varchar(128),
        name varchar(128),
        avatar varchar(2048),
        profile jsonb not null default '{}'::jsonb,
        custom_data jsonb not null default '{}'::jsonb,
        password_hash varchar(256),
        is_suspended boolean not null default false,
        last_sign_in_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    sql`create unique index users__username on users (tenant_id, lower(username))`,
    sql`create unique index users__primary_email on users (tenant_id, lower(primary_email))`,
    sql`create unique index users__primary_phone on users (tenant_id, primary_phone)`,

    sql`
      create table applications (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        name varchar(256) not null,
        description text,
        type varchar(32) not null check (type in ('Traditional', 'SPA', 'Native', 'MachineToMachine')),
        oidc_client_metadata jsonb not null default '{}'::jsonb,
        custom_client_metadata jsonb not null default '{}'::jsonb,
        is_third_party boolean not null default false,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    // Secrets are stored as SHA-256 digests: high-entropy values need no slow hash, and the token endpoint
    // checks one on every request (SPEC §3). The plaintext is shown once, when the secret is created.
    sql`
      create table application_secrets (
        tenant_id varchar(32) not null,
        application_id varchar(21) not null,
        name varchar(256) not null,
        digest varchar(64) not null,
        expires_at timestamptz,
        created_at timestamptz not null default now(),
        primary key (tenant_id, application_id, name),
        foreign key (tenant_id, application_id) references applications (tenant_id, id) on delete cascade
      )`,

    sql`
      create table resources (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        name varchar(256) not null,
        indicator varchar(512) not null,
        is_default boolean not null default false,
        access_token_ttl integer not null default 3600 check (access_token_ttl > 0),
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    sql`create unique index resources__indicator on resources (tenant_id, indicator)`,
    sql`
      create table scopes (
        tenant_id varchar(32) not null,
        id varchar(21) not null,
        resource_id varchar(21) not null,
        name varchar(256) not null,
        description text,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, resource_id) references resources (tenant_id, id) on delete cascade
      )`,
    sql`create unique index scopes__resource_name on scopes (tenant_id, resource_id, name)`,

    sql`
      create table roles (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(21) not null,
        name varchar(128) not null,
        description text not null default '',
        type varchar(32) not null default 'User' check (type in ('User', 'MachineToMachine')),
        is_default boolean not null default false,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
    sql`create unique index roles__name on roles (tenant_id, name)`,
    sql`
      create table roles_scopes (
        tenant_id varchar(32) not null,
        role_id varchar(21) not null,
        scope_id varchar(21) not null,
        primary key (tenant_id, role_id, scope_id),
        foreign key (tenant_id, role_id) references roles (tenant_id, id) on delete cascade,
        foreign key (tenant_id, scope_id) references scopes (tenant_id, id) on delete cascade
      )`,
    sql`
      create table users_roles (
        tenant_id varchar(32) not null,
        user_id varchar(21) not null,
        role_id varchar(21) not null,
        primary key (tenant_id, user_id, role_id),
        foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade,
        foreign key (tenant_id, role_id) references roles (tenant_id, id) on delete cascade
      )`,
    sql`
      create table applications_roles (
        tenant_id varchar(32) not null,
        application_id varchar(21) not null,
        role_id varchar(21) not null,
        primary key (tenant_id, application_id, role_id),
        foreign key (tenant_id, application_id) references applications (tenant_id, id) on delete cascade,
        foreign key (tenant_id, role_id) references roles (tenant_id, id) on delete cascade
      )`,

    // oidc-provider's models (codes, tokens, sessions, grants, interactions). `id` and `uid` are SHA-256
    // digests of the real values, so a database dump holds no usable code, token or session id.
    sql`
      create table oidc_model_instances (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        model_name varchar(64) not null,
        id varchar(64) not null,
        payload jsonb not null,
        grant_id varchar(64),
        uid varchar(64),
        expires_at timestamptz not null,
        consumed_at timestamptz,
        primary key (tenant_id, model_name, id)
      )`,
    sql`create index oidc_model_instances__grant_id on oidc_model_instances (tenant_id, grant_id)`,
    sql`create index oidc_model_instances__uid on oidc_model_instances (tenant_id, model_name, uid)`,
    sql`create index oidc_model_instances__expires_at on oidc_model_instances (expires_at)`,

    // Signing keys and cookie keys. Private material lives in the vault (`secret_id`); a retired key stays
    // published (signing keys) until tokens signed with it have expired.
    sql`
      create table oidc_keys (
        tenant_id varchar(32) not null references tenants (id) on update cascade on delete cascade,
        id varchar(64) not null,
        usage varchar(16) not null check (usage in ('signing', 'cookie')),
        algorithm varchar(16) not null,
        public_jwk jsonb,
        secret_id varchar(32) not null,
        created_at timestamptz not null default now(),
        retired_at timestamptz,
        primary key (tenant_id, id)
      )`,
    sql`create index oidc_keys__usage on oidc_keys (tenant_id, usage, retired_at)`,

    // The Management API is itself an API resource with one scope, `all` (SPEC §4).
    sql`
      insert into resources (tenant_id, id, name, indicator, access_token_ttl)
      values ('default', 'management-api', 'Gatehouse Management API', 'urn:gatehouse:management', 3600)`,
    sql`
      insert into scopes (tenant_id, id, resource_id, name, description)
      values ('default', 'management-api-all', 'management-api', 'all', 'Full access to the Management API')`,
    sql`
      insert into roles (tenant_id, id, name, description, type)
      values ('default', 'management-api-access', 'Management API access', 'Full access to the Management API', 'MachineToMachine')`,
    sql`
      insert into roles_scopes (tenant_id, role_id, scope_id)
      values ('default', 'management-api-access', 'management-api-all')`,
  ];
  for (const statement of statements) await statement.execute(db);
};
