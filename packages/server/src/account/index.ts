import type { RouteGroup } from '../http/routes.ts';
import type { Registry } from '../registry.ts';
import { accountCenterRoutes } from './account-center.routes.ts';
import { emailAndPhoneRoutes } from './email-and-phone.routes.ts';
import { identityRoutes, identityTokenRoutes } from './identities.routes.ts';
import { myAccountRoutes } from './my-account.routes.ts';
import { verificationRoutes } from './verifications.routes.ts';

/**
 * The Account API (Logto's `/api/my-account` and `/api/verifications`, issue 6 item 3), and its settings on the
 * Management API (`/api/account-center`). Mounted by the app next to the Management API.
 */
export const accountRoutes: Array<RouteGroup<Registry>> = [
  accountCenterRoutes,
  myAccountRoutes,
  emailAndPhoneRoutes,
  identityRoutes,
  identityTokenRoutes,
  verificationRoutes,
];
