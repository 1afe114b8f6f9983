import {
  CodeVerificationBody,
  CodeVerifyBody,
  PasswordVerificationBody,
  SocialVerificationBody,
  SocialVerificationCreated,
  SocialVerifyBody,
  VerificationCreated,
  VerificationRecordId,
} from '../domain/verifications/verifications.schemas.ts';
import { created, ok, post } from '../http/routes.ts';
import { accountOf, defineAccountRoutes, requireScope } from './guard.ts';

/**
 * The Verification API (Logto's `/api/verifications`): records that prove, for 10 minutes and once, that the
 * token's user re-entered the password, read a code, or signed in at a provider. Named afterwards in the
 * `logto-verification-id` header or as `newIdentifierVerificationRecordId` (domain/verifications).
 */
export const verificationRoutes = defineAccountRoutes('/api/verifications', ({ verifications }) => [
  post(
    '/password',
    {
      body: PasswordVerificationBody,
      response: VerificationCreated,
      status: [201, 400, 401, 403, 422, 429],
      summary: 'Verify the password (counted by the account lockout like a sign-in)',
    },
    async ({ ctx, body }) =>
      created(
        await verifications.createByPassword(
          accountOf(ctx).userId,
          body.password,
          String(ctx.state.clientIp ?? ''),
        ),
      ),
  ),
  post(
    '/verification-code',
    {
      body: CodeVerificationBody,
      response: VerificationCreated,
      status: [201, 400, 401, 403, 429, 501, 502],
      summary: 'Email a code to an address (a phone answers 501: no SMS connector)',
    },
    async ({ ctx, body }) => created(await verifications.sendCode(accountOf(ctx).userId, body.identifier)),
  ),
  post(
    '/verification-code/verify',
    {
      body: CodeVerifyBody,
      response: VerificationRecordId,
      status: [200, 400, 401, 403, 501],
      summary: 'Check the code of a verification-code record',
    },
    async ({ ctx, body }) => ok(await verifications.verifyCode(accountOf(ctx).userId, body)),
  ),
  post(
    '/social',
    {
      body: SocialVerificationBody,
      response: SocialVerificationCreated,
      status: [201, 400, 401, 403, 404],
      summary:
        "Start a sign-in at a social connector to link it (scope identities); the client's state passes through",
    },
    async ({ ctx, body }) => {
      requireScope(ctx, 'identities');
      return created(await verifications.startSocial(accountOf(ctx).userId, body));
    },
  ),
  post(
    '/social/verify',
    {
      body: SocialVerifyBody,
      response: VerificationRecordId,
      status: [200, 400, 401, 403, 404],
      summary: 'Finish the social sign-in with the callback parameters the app received (scope identities)',
    },
    async ({ ctx, body }) => {
      requireScope(ctx, 'identities');
      return ok(await verifications.verifySocial(accountOf(ctx).userId, body));
    },
  ),
]);
