import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Claims per scope (SPEC §2), in Logto's names so its SDKs read them unchanged. */
export const claimsByScope = {
  openid: ['sub'],
  profile: ['name', 'picture', 'username', 'updated_at', 'created_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  custom_data: ['custom_data'],
  identities: ['identities'],
  roles: ['roles'],
  'urn:logto:scope:organizations': ['organizations'],
  'urn:logto:scope:organization_roles': ['organization_roles'],
} as const;

export const supportedScopes = [
  'openid',
  'offline_access',
  ...Object.keys(claimsByScope).filter((scope) => scope !== 'openid'),
];

const seconds = (date: unknown) => Math.floor(new Date(date as string).getTime() / 1000);

/** Loads a user as oidc-provider's Account; undefined for an unknown or suspended user (tokens then fail). */
export const findAccount = async (db: Kysely<Database>, tenantId: string, accountId: string) => {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!user || user.is_suspended) return undefined;
  return {
    accountId: user.id,
    async claims(_use: string, scope: string) {
      const scopes = new Set(scope.split(' '));
      const roles = scopes.has('roles')
        ? (
            await db
              .selectFrom('users_roles')
              .innerJoin('roles', (join) =>
                join
                  .onRef('roles.tenant_id', '=', 'users_roles.tenant_id')
                  .onRef('roles.id', '=', 'users_roles.role_id'),
              )
              .select('roles.name')
              .where('users_roles.tenant_id', '=', tenantId)
              .where('users_roles.user_id', '=', user.id)
              .execute()
          ).map((row) => row.name)
        : [];
      return {
        sub: user.id,
        name: user.name,
        picture: user.avatar,
        username: user.username,
        updated_at: seconds(user.updated_at),
        created_at: seconds(user.created_at),
        email: user.primary_email,
        // A primary email or phone is only ever set once verified (Logto semantics).
        email_verified: Boolean(user.primary_email),
        phone_number: user.primary_phone,
        phone_number_verified: Boolean(user.primary_phone),
        custom_data: user.custom_data ?? {},
        identities: {},
        roles,
        organizations: [],
        organization_roles: [],
      };
    },
  };
};
