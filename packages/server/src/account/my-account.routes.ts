import {
  AccountProfile,
  NewPassword,
  scopedProfile,
  UpdateAccount,
  UpdateAccountProfile,
} from '../domain/account/account.schemas.ts';
import { Profile } from '../domain/users/users.schemas.ts';
import { get, noContent, ok, patch, post } from '../http/routes.ts';
import {
  accountOf,
  callerOf,
  defineAccountRoutes,
  requireEditable,
  requireScope,
  verificationIdOf,
} from './guard.ts';

/** Account API: the signed-in user's profile and password (Logto's `/api/my-account`). */
export const myAccountRoutes = defineAccountRoutes('/api/my-account', ({ account, accountCenter }) => {
  const shown = async (userId: string, scopes: ReadonlySet<string>) =>
    scopedProfile(await account.get(userId), scopes, (await accountCenter.get()).fields);

  return [
    get(
      '',
      {
        response: AccountProfile,
        status: [200, 400, 401, 403],
        summary: 'The signed-in user, as far as the token scopes and the account center settings show it',
      },
      async ({ ctx }) => {
        const { userId, scopes } = accountOf(ctx);
        return ok(await shown(userId, scopes));
      },
    ),
    patch(
      '',
      {
        body: UpdateAccount,
        response: AccountProfile,
        status: [200, 400, 401, 403, 409],
        summary:
          'Update name, avatar, username (with logto-verification-id) and custom data (scope custom_data)',
      },
      async ({ ctx, body }) => {
        requireScope(ctx, 'profile');
        if (body.customData !== undefined) requireScope(ctx, 'custom_data');
        if (body.name !== undefined) requireEditable(ctx, 'name');
        if (body.avatar !== undefined) requireEditable(ctx, 'avatar');
        if (body.username !== undefined) requireEditable(ctx, 'username');
        if (body.customData !== undefined) requireEditable(ctx, 'customData');
        const caller = callerOf(ctx);
        await account.updateBasics(caller, body, verificationIdOf(ctx));
        return ok(await shown(caller.userId, accountOf(ctx).scopes));
      },
    ),
    patch(
      '/profile',
      {
        body: UpdateAccountProfile,
        response: Profile,
        status: [200, 400, 401, 403],
        summary: 'Update the OIDC standard profile claims (the keys given replace the stored ones)',
      },
      async ({ ctx, body }) => {
        requireScope(ctx, 'profile');
        requireEditable(ctx, 'profile');
        return ok(await account.updateProfile(accountOf(ctx).userId, body));
      },
    ),
    post(
      '/password',
      {
        body: NewPassword,
        status: [204, 400, 401, 403, 422, 429],
        summary:
          'Set a new password (logto-verification-id required once the user has a password, email or phone); signs the other sessions out',
      },
      async ({ ctx, body }) => {
        requireEditable(ctx, 'password');
        await account.changePassword(callerOf(ctx), body.password, verificationIdOf(ctx));
        return noContent();
      },
    ),
  ];
});
