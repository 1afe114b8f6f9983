import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export type ScopeSubject = { userId: string } | { applicationId: string };

/**
 * The names of the scopes of the resource `resourceIndicator` that the subject's roles grant, sorted. Used by
 * the OIDC layer to decide which requested scopes go into an access token. A user's `User` roles count; an
 * app's `MachineToMachine` roles count (the assignment rules keep other pairings out, and this query ignores
 * them should one exist).
 */
export const findGrantedScopes = async (
  db: Kysely<Database>,
  tenantId: string,
  subject: ScopeSubject,
  resourceIndicator: string,
): Promise<string[]> => {
  const [roleType, roleIds] =
    'userId' in subject
      ? [
          'User' as const,
          db
            .selectFrom('users_roles')
            .select('role_id')
            .where('tenant_id', '=', tenantId)
            .where('user_id', '=', subject.userId),
        ]
      : [
          'MachineToMachine' as const,
          db
            .selectFrom('applications_roles')
            .select('role_id')
            .where('tenant_id', '=', tenantId)
            .where('application_id', '=', subject.applicationId),
        ];
  const rows = await db
    .selectFrom('scopes as s')
    .innerJoin('resources as r', (join) =>
      join.onRef('r.tenant_id', '=', 's.tenant_id').onRef('r.id', '=', 's.resource_id'),
    )
    .innerJoin('roles_scopes as rs', (join) =>
      join.onRef('rs.tenant_id', '=', 's.tenant_id').onRef('rs.scope_id', '=', 's.id'),
    )
    .innerJoin('roles as ro', (join) =>
      join.onRef('ro.tenant_id', '=', 'rs.tenant_id').onRef('ro.id', '=', 'rs.role_id'),
    )
    .where('s.tenant_id', '=', tenantId)
    .where('r.indicator', '=', resourceIndicator)
    .where('ro.type', '=', roleType)
    .where('rs.role_id', 'in', roleIds)
    .select('s.name')
    .distinct()
    .orderBy('s.name')
    .execute();
  return rows.map((row) => row.name);
};
