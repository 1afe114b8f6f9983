import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import {
  CreateUser,
  HasPassword,
  SetPassword,
  SetSuspended,
  UpdateUser,
  User,
  UserFilter,
  UserParams,
  VerifyPassword,
} from '../domain/users/users.schemas.ts';
import { createUserService } from '../domain/users/users.service.ts';
import { ApiError } from '../http/errors.ts';
import { created, del, get, noContent, ok, patch, post } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';
import { PageQuery, paginated } from './pagination.ts';

/** Management API: users. Logto's paths and shapes; the password hash never leaves the service. */
export const userRoutes = defineManagementRoutes('/api/users', (registry) => {
  const users = createUserService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
    passwords: registry.passwords,
  });

  return [
    get(
      '',
      {
        query: PageQuery.extend(UserFilter.shape),
        response: z.array(User),
        status: [200, 400],
        summary: 'List users (search in usernames, emails, phones and names)',
      },
      ({ query: { search, ...page } }) =>
        paginated(page, {
          count: () => users.count(search),
          list: (range) => users.list(search, range),
        }),
    ),
    post(
      '',
      {
        body: CreateUser,
        response: User,
        status: [201, 400, 409, 422, 429],
        summary: 'Create a user (at least one of username, primaryEmail, primaryPhone)',
      },
      async ({ body }) => created(await users.create(body)),
    ),
    get(
      '/:id',
      { params: UserParams, response: User, status: [200, 404], summary: 'Get a user' },
      async ({ params }) => ok(await users.get(params.id)),
    ),
    patch(
      '/:id',
      {
        params: UserParams,
        body: UpdateUser,
        response: User,
        status: [200, 400, 404, 409],
        summary: 'Update a user (not the password)',
      },
      async ({ params, body }) => ok(await users.update(params.id, body)),
    ),
    del(
      '/:id',
      {
        params: UserParams,
        status: [204, 404],
        summary: 'Delete a user with their sessions, grants and tokens',
      },
      async ({ params }) => {
        await users.remove(params.id);
        return noContent();
      },
    ),
    patch(
      '/:id/password',
      {
        params: UserParams,
        body: SetPassword,
        response: User,
        status: [200, 400, 404, 422, 429],
        summary: "Set a user's password (checked by the password policy; signs the user out everywhere)",
      },
      async ({ params, body }) => ok(await users.setPassword(params.id, body.password)),
    ),
    post(
      '/:id/password/verify',
      {
        params: UserParams,
        body: VerifyPassword,
        status: [204, 400, 404, 422, 429],
        summary: "Check a user's password",
      },
      async ({ params, body }) => {
        if (!(await users.verifyPassword(params.id, body.password))) {
          throw new ApiError('user.password_mismatch');
        }
        return noContent();
      },
    ),
    get(
      '/:id/has-password',
      {
        params: UserParams,
        response: HasPassword,
        status: [200, 404],
        summary: 'Whether a user has a password',
      },
      async ({ params }) => ok({ hasPassword: await users.hasPassword(params.id) }),
    ),
    patch(
      '/:id/is-suspended',
      {
        params: UserParams,
        body: SetSuspended,
        response: User,
        status: [200, 400, 404],
        summary: 'Suspend (revoking sessions, grants and tokens) or reinstate a user',
      },
      async ({ params, body }) => ok(await users.setSuspended(params.id, body.isSuspended)),
    ),
  ];
});
