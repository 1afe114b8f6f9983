import { type Kysely, sql } from 'kysely';

// The Management API scope that lets a backend read a user's stored provider access token (issue 6 item 4,
// docs/decisions/0014). It is not implied by `all` and no seeded role carries it: an admin grants it by giving a
// machine-to-machine app a role with this scope. Added to every tenant's Management API resource; a scope of that
// name made by hand before this migration is kept as it is (the guard checks the name, not the id).
export const up = async (db: Kysely<unknown>) => {
  await sql`
    insert into scopes (tenant_id, id, resource_id, name, description)
    select tenant_id, 'identity-tokens-read', id, 'identity-tokens:read',
      'Read users'' stored third-party access tokens (GET /api/users/{userId}/identities/{target}/access-token)'
    from resources
    where id = 'management-api'
    on conflict do nothing`.execute(db);
};
