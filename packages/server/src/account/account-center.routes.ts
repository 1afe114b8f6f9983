import { AccountCenter, UpdateAccountCenter } from '../domain/account-center/account-center.schemas.ts';
import { get, ok, patch } from '../http/routes.ts';
import { defineManagementRoutes } from '../management/guard.ts';
import { accountServices } from './services.ts';

/**
 * Management API: the Account API settings (Logto's `/api/account-center`): whether the Account API is on, and
 * per field `Off` | `ReadOnly` | `Edit`. Off by default, every field `Off`.
 */
export const accountCenterRoutes = defineManagementRoutes('/api/account-center', (registry) => {
  const { accountCenter } = accountServices(registry);
  return [
    get('', { response: AccountCenter, status: [200], summary: 'Get the Account API settings' }, async () =>
      ok(await accountCenter.get()),
    ),
    patch(
      '',
      {
        body: UpdateAccountCenter,
        response: AccountCenter,
        status: [200, 400],
        summary: 'Update the Account API settings (`fields` replaces the stored field settings whole)',
      },
      async ({ body }) => ok(await accountCenter.update(body)),
    ),
  ];
});
