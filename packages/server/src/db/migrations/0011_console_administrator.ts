import { type Kysely, sql } from 'kysely';

// The admin console (issue 7, docs/decisions/0015) signs people in as users, and a user's access token gets only
// the scopes of their `User` roles; the Management API role of 0003 is a machine-to-machine one. This `User`
// role grants the Management API's `all` scope: holding it is what makes a user a console administrator.
export const up = async (db: Kysely<unknown>) => {
  await sql`
    insert into roles (tenant_id, id, name, description, type)
    select id, 'console-administrator', 'Console administrator', 'Signs in to the admin console with full access to the Management API', 'User'
    from tenants
    on conflict do nothing`.execute(db);
  await sql`
    insert into roles_scopes (tenant_id, role_id, scope_id)
    select tenant_id, 'console-administrator', 'management-api-all'
    from scopes where id = 'management-api-all'
    on conflict do nothing`.execute(db);
};
