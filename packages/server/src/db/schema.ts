import type { ColumnType, Generated } from 'kysely';

/** Row types of the database, kept in step with `migrations/`. Every tenant-owned table carries `tenant_id`. */

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type TenantsTable = {
  id: string;
  name: string;
  created_at: CreatedAt;
};

export type SecretsTable = {
  tenant_id: string;
  id: string;
  /** What the secret is for (e.g. `oidc.signing_key`); part of the associated data. */
  purpose: string;
  /** Id of the key-encryption key that wraps this secret's data key, for rotation. */
  kek_id: string;
  /** The sealed envelope (see vault/envelope.ts). Never plaintext. */
  envelope: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/** The only tenant until isolated tenants arrive; every query still filters by tenant. */
export const defaultTenantId = 'default';

type Json = ColumnType<unknown, string | undefined, string | undefined>;

export type UsersTable = {
  tenant_id: string;
  id: string;
  username: string | null;
  primary_email: string | null;
  primary_phone: string | null;
  name: string | null;
  avatar: string | null;
  profile: Json;
  custom_data: Json;
  password_hash: string | null;
  is_suspended: Generated<boolean>;
  last_sign_in_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

export type ApplicationType = 'Traditional' | 'SPA' | 'Native' | 'MachineToMachine';

export type ApplicationsTable = {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  type: ApplicationType;
  /** `{ redirectUris: string[], postLogoutRedirectUris: string[] }` as JSON text on write. */
  oidc_client_metadata: Json;
  /** Token lifetimes and rotation: `{ accessTokenTtl?, refreshTokenTtlInDays?, rotateRefreshToken? }`. */
  custom_client_metadata: Json;
  is_third_party: Generated<boolean>;
  created_at: CreatedAt;
};

export type ApplicationSecretsTable = {
  tenant_id: string;
  application_id: string;
  name: string;
  /** Hex SHA-256 of the secret value. */
  digest: string;
  expires_at: Date | null;
  created_at: CreatedAt;
};

export type ResourcesTable = {
  tenant_id: string;
  id: string;
  name: string;
  indicator: string;
  is_default: Generated<boolean>;
  access_token_ttl: Generated<number>;
  created_at: CreatedAt;
};

export type ScopesTable = {
  tenant_id: string;
  id: string;
  resource_id: string;
  name: string;
  description: string | null;
  created_at: CreatedAt;
};

export type RolesTable = {
  tenant_id: string;
  id: string;
  name: string;
  description: Generated<string>;
  type: Generated<'User' | 'MachineToMachine'>;
  is_default: Generated<boolean>;
  created_at: CreatedAt;
};

export type RolesScopesTable = { tenant_id: string; role_id: string; scope_id: string };
export type UsersRolesTable = { tenant_id: string; user_id: string; role_id: string };
export type ApplicationsRolesTable = { tenant_id: string; application_id: string; role_id: string };

export type OidcModelInstancesTable = {
  tenant_id: string;
  model_name: string;
  /** SHA-256 (hex) of the model's id. */
  id: string;
  payload: Json;
  grant_id: string | null;
  /** SHA-256 (hex) of the model's uid, when it has one. */
  uid: string | null;
  expires_at: Date;
  consumed_at: Date | null;
};

export type OidcKeysTable = {
  tenant_id: string;
  id: string;
  usage: 'signing' | 'cookie';
  algorithm: string;
  public_jwk: Json | null;
  secret_id: string;
  created_at: CreatedAt;
  retired_at: Date | null;
};

export type ExperienceFlowsTable = {
  tenant_id: string;
  /** SHA-256 (hex) of the oidc-provider interaction id. */
  interaction_id: string;
  flow: string;
  step: string;
  data: Json;
  expires_at: Date;
  updated_at: UpdatedAt;
};

/** Sign-in experience settings of a tenant (Logto's shape, camelCase JSON); no row means the defaults. */
export type SignInExperiencesTable = {
  tenant_id: string;
  settings: Json;
  updated_at: UpdatedAt;
};

export type VerificationCodesTable = {
  tenant_id: string;
  id: string;
  purpose: string;
  /** The normalised email the code was sent to. */
  identifier: string;
  /** Hex SHA-256 over the code id and the code; never the code itself. */
  digest: string;
  attempts: Generated<number>;
  expires_at: Date;
  consumed_at: Date | null;
  invalidated_at: Date | null;
  created_at: CreatedAt;
};

export type OutboxMessagesTable = {
  tenant_id: string;
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  created_at: CreatedAt;
};

export type RateLimitsTable = {
  tenant_id: string;
  key: string;
  window_seconds: number;
  window_start: Date;
  count: number;
  expires_at: Date;
};

export type AccountLockoutsTable = {
  tenant_id: string;
  user_id: string;
  failures: Generated<number>;
  locked_until: Date | null;
  hour_start: Generated<Date>;
  hour_failures: Generated<number>;
  last_outcome: Generated<string>;
  updated_at: Generated<Date>;
};

export type ConnectorType = 'Social' | 'Email' | 'Sms';

/** A connector instance (SPEC §6). Secrets never appear in `config`: they are sealed in `sealed_secrets`. */
export type ConnectorsTable = {
  tenant_id: string;
  id: string;
  /** The factory id (`oidc`, `oauth2`, `smtp`). */
  connector_id: string;
  /** The factory's type. */
  type: ConnectorType;
  /** The IdP name of a social connector, unique per tenant; null for email. */
  target: string | null;
  /** The config as responses show it: each secret replaced by the mask (domain/connectors). */
  config: Json;
  /** The secrets as JSON, sealed by the vault with associated data `connectors|<tenant>|<id>`. */
  sealed_secrets: string | null;
  /** `{ target?, name: {<lang>: string}, logo, logoDark }`. */
  metadata: Json;
  sync_profile: Generated<boolean>;
  enable_token_storage: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/** A user's identity at a social connector, keyed on (target, upstream subject). */
export type UserIdentitiesTable = {
  tenant_id: string;
  user_id: string;
  /** The connector target (IdP name). */
  target: string;
  /** The upstream subject (`sub`, or the OAuth 2.0 profile map's id). */
  identity_id: string;
  /** The upstream claims or userinfo fields of the last sign-in. */
  details: Json;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/** A provider's tokens for one identity, sealed by the vault (issue 6); the plain columns describe them. */
export type IdentityTokensTable = {
  tenant_id: string;
  user_id: string;
  target: string;
  kek_id: string;
  /** Vault envelope of the JSON {accessToken, refreshToken, idToken, scope, tokenType, expiresAt}. */
  envelope: string;
  has_refresh_token: Generated<boolean>;
  scope: string | null;
  token_type: string | null;
  expires_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/** Who read or changed which secret or identity (issue 6); never a secret. */
export type AuditLogsTable = {
  tenant_id: string;
  id: string;
  created_at: CreatedAt;
  action: string;
  actor_type: 'user' | 'application' | 'system';
  actor_id: string | null;
  user_id: string | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  data: Json;
};

/** An Account API verification (password, code, social): owned by a user, short-lived, used once. */
export type VerificationRecordsTable = {
  tenant_id: string;
  id: string;
  user_id: string;
  type: string;
  data: Json;
  verified_at: Date | null;
  consumed_at: Date | null;
  expires_at: Date;
  created_at: CreatedAt;
};

/** The Account API settings (Logto's account center), one row per tenant (migration 0010). */
export type AccountCentersTable = {
  tenant_id: string;
  enabled: boolean;
  /** `{[field]: 'Off' | 'ReadOnly' | 'Edit'}`; a field not listed is `Off`. */
  fields: Json;
  updated_at: UpdatedAt;
};

/** Ids of the rows the migrations seed. */
export const managementApi = {
  resourceId: 'management-api',
  indicator: 'urn:gatehouse:management',
  scopeId: 'management-api-all',
  scope: 'all',
  roleId: 'management-api-access',
  /**
   * Reading a user's stored provider access token (migration 0009, docs/decisions/0014): not implied by `all`,
   * granted only through a role that carries it.
   */
  identityTokensReadScope: 'identity-tokens:read',
  identityTokensReadScopeId: 'identity-tokens-read',
} as const;

/**
 * The admin console (packages/console, docs/decisions/0015): a first-party SPA client ensured at every start, and
 * the `User` role (migration 0011) granting the Management API's `all` scope that makes a user its administrator.
 */
export const adminConsole = {
  clientId: 'gatehouse-console',
  roleId: 'console-administrator',
} as const;

export type Database = {
  tenants: TenantsTable;
  secrets: SecretsTable;
  users: UsersTable;
  applications: ApplicationsTable;
  application_secrets: ApplicationSecretsTable;
  resources: ResourcesTable;
  scopes: ScopesTable;
  roles: RolesTable;
  roles_scopes: RolesScopesTable;
  users_roles: UsersRolesTable;
  applications_roles: ApplicationsRolesTable;
  oidc_model_instances: OidcModelInstancesTable;
  oidc_keys: OidcKeysTable;
  sign_in_experiences: SignInExperiencesTable;
  verification_codes: VerificationCodesTable;
  outbox_messages: OutboxMessagesTable;
  rate_limits: RateLimitsTable;
  account_lockouts: AccountLockoutsTable;
  experience_flows: ExperienceFlowsTable;
  connectors: ConnectorsTable;
  user_identities: UserIdentitiesTable;
  identity_tokens: IdentityTokensTable;
  audit_logs: AuditLogsTable;
  verification_records: VerificationRecordsTable;
  account_centers: AccountCentersTable;
};
