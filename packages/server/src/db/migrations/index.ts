import type { Migration } from 'kysely';
import * as m0001 from './0001_tenants.ts';
import * as m0002 from './0002_secrets.ts';
import * as m0003 from './0003_oidc_applications_resources_roles.ts';
import * as m0004 from './0004_users.ts';
import * as m0005 from './0005_sign_in_experience_codes_limits.ts';
import * as m0006 from './0006_experience_flows.ts';
import * as m0007 from './0007_connectors_identities.ts';
import * as m0008 from './0008_tokens_audit_verifications.ts';
import * as m0009 from './0009_identity_tokens_scope.ts';
import * as m0010 from './0010_account_center.ts';
import * as m0011 from './0011_console_administrator.ts';
import * as m0012 from './0012_audit_log_action_index.ts';

/**
 * Forward-only migrations, applied in name order. A landed migration is never edited: add a new one.
 * Listed statically (not read from the folder) so the set is the same however the code is loaded.
 */
export const migrations: Record<string, Migration> = {
  '0001_tenants': m0001,
  '0002_secrets': m0002,
  '0003_oidc_applications_resources_roles': m0003,
  '0004_users': m0004,
  '0005_sign_in_experience_codes_limits': m0005,
  '0006_experience_flows': m0006,
  '0007_connectors_identities': m0007,
  '0008_tokens_audit_verifications': m0008,
  '0009_identity_tokens_scope': m0009,
  '0010_account_center': m0010,
  '0011_console_administrator': m0011,
  '0012_audit_log_action_index': m0012,
};
