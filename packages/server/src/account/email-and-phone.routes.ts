import { NewPrimaryEmail, NewPrimaryPhone } from '../domain/account/account.schemas.ts';
import { ApiError } from '../http/errors.ts';
import { del, noContent, post } from '../http/routes.ts';
import { callerOf, defineAccountRoutes, requireEditable, requireScope, verificationIdOf } from './guard.ts';

/**
 * Account API: the primary email and phone (Logto's paths). Each change needs the `logto-verification-id` header,
 * and a new address a verified code record of its own. Phone numbers cannot be verified (no SMS connector):
 * setting one answers 501 `verification_code.sms_unavailable`; removing one works.
 */
export const emailAndPhoneRoutes = defineAccountRoutes('/api/my-account', ({ account }) => [
  post(
    '/primary-email',
    {
      body: NewPrimaryEmail,
      status: [204, 400, 401, 403, 409],
      summary:
        'Set the primary email (scope email; logto-verification-id and a code record for the new address)',
    },
    async ({ ctx, body }) => {
      requireScope(ctx, 'email');
      requireEditable(ctx, 'email');
      await account.setPrimaryEmail(callerOf(ctx), body, verificationIdOf(ctx));
      return noContent();
    },
  ),
  del(
    '/primary-email',
    {
      status: [204, 400, 401, 403],
      summary: 'Remove the primary email (scope email; logto-verification-id)',
    },
    async ({ ctx }) => {
      requireScope(ctx, 'email');
      requireEditable(ctx, 'email');
      await account.removePrimaryIdentifier(callerOf(ctx), 'email', verificationIdOf(ctx));
      return noContent();
    },
  ),
  post(
    '/primary-phone',
    {
      body: NewPrimaryPhone,
      status: [400, 401, 403, 501],
      summary: 'Set the primary phone: not available without an SMS connector (501)',
    },
    async ({ ctx }) => {
      requireScope(ctx, 'phone');
      requireEditable(ctx, 'phone');
      throw new ApiError('verification_code.sms_unavailable');
    },
  ),
  del(
    '/primary-phone',
    {
      status: [204, 400, 401, 403],
      summary: 'Remove the primary phone (scope phone; logto-verification-id)',
    },
    async ({ ctx }) => {
      requireScope(ctx, 'phone');
      requireEditable(ctx, 'phone');
      await account.removePrimaryIdentifier(callerOf(ctx), 'phone', verificationIdOf(ctx));
      return noContent();
    },
  ),
]);
