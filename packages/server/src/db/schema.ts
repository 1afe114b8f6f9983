import type { ColumnType, Generated } from 'kysely';

/** Row types of the database, kept in step with `migrations/`. Every tenant-owned table carries `tenant_id`. */

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type TenantsTable = {
  id: string;
  name: string;
  created_at: Generated<CreatedAt>;
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
  created_at: Generated<CreatedAt>;
  updated_at: Generated<UpdatedAt>;
};

export type Database = {
  tenants: TenantsTable;
  secrets: SecretsTable;
};

/** The only tenant until isolated tenants arrive; every query still filters by tenant. */
export const defaultTenantId = 'default';
