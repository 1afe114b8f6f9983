import { accountCenterRoutes } from '../account/account-center.routes.ts';
import type { RouteGroup } from '../http/routes.ts';
import type { Registry } from '../registry.ts';
import { applicationRoutes } from './applications.routes.ts';
import { configRoutes } from './configs.routes.ts';
import { connectorFactoryRoutes, connectorRoutes } from './connectors.routes.ts';
import { lockoutRoutes } from './lockout.routes.ts';
import { logRoutes } from './logs.routes.ts';
import { createOpenApiRoutes } from './openapi.ts';
import { outboxRoutes } from './outbox.routes.ts';
import { resourceRoutes } from './resources.routes.ts';
import { roleRoutes } from './roles.routes.ts';
import { signInExperienceRoutes } from './sign-in-experience.routes.ts';
import { userIdentityRoutes, userIdentityTokenRoutes } from './user-identities.routes.ts';
import { userRoleRoutes } from './user-roles.routes.ts';
import { userRoutes } from './users.routes.ts';

/** Every Management API route group, mounted by the app and described by the OpenAPI document. */
export const managementRoutes: Array<RouteGroup<Registry>> = [
  applicationRoutes,
  resourceRoutes,
  roleRoutes,
  userRoutes,
  userRoleRoutes,
  configRoutes,
  signInExperienceRoutes,
  connectorFactoryRoutes,
  connectorRoutes,
  outboxRoutes,
  lockoutRoutes,
  userIdentityRoutes,
  // Its own guard: the dedicated scope identity-tokens:read, which `all` does not imply (docs/decisions/0014).
  userIdentityTokenRoutes,
  logRoutes,
  // Public: the document describes the API, it grants nothing.
  // The account-center settings are a Management API resource mounted with the Account API (account/index.ts).
  createOpenApiRoutes(() => [...managementRoutes, accountCenterRoutes]),
];
