import { NewIdentity, TargetParams, ThirdPartyAccessToken } from '../domain/account/account.schemas.ts';
import { del, get, noContent, ok, post } from '../http/routes.ts';
import { callerOf, defineAccountRoutes, requireEditable, requireScope, verificationIdOf } from './guard.ts';

/**
 * Account API: social identities (SPEC §7). Every route needs the scope `identities` (Logto advisory
 * GHSA-6g9q-qrx7-3jxf was this check missing); linking and unlinking also the `logto-verification-id` header.
 */
export const identityRoutes = defineAccountRoutes('/api/my-account/identities', ({ account }) => [
  post(
    '',
    {
      body: NewIdentity,
      status: [204, 400, 401, 403, 404, 409],
      summary:
        'Link the social identity a verified social record proves (scope identities; logto-verification-id)',
    },
    async ({ ctx, body }) => {
      requireScope(ctx, 'identities');
      requireEditable(ctx, 'social');
      await account.linkIdentity(
        callerOf(ctx),
        body.newIdentifierVerificationRecordId,
        verificationIdOf(ctx),
      );
      return noContent();
    },
  ),
  del(
    '/:target',
    {
      params: TargetParams,
      status: [204, 400, 401, 403, 404],
      summary: 'Unlink a social identity and its stored tokens (scope identities; logto-verification-id)',
    },
    async ({ ctx, params }) => {
      requireScope(ctx, 'identities');
      requireEditable(ctx, 'social');
      await account.unlinkIdentity(callerOf(ctx), params.target, verificationIdOf(ctx));
      return noContent();
    },
  ),
]);

/**
 * `GET /api/my-account/identities/{target}/access-token`: the provider's access token kept for the user's identity
 * (SPEC §7), refreshed when expired. As in Logto it answers whether or not the account center is on (the admin
 * opted in per connector with token storage), but only with the scope `identities`. No user id in the path: only
 * the token's own user's tokens are reachable. Each read is audited.
 */
export const identityTokenRoutes = defineAccountRoutes(
  '/api/my-account/identities',
  ({ account }) => [
    get(
      '/:target/access-token',
      {
        params: TargetParams,
        response: ThirdPartyAccessToken,
        status: [200, 401, 403, 404, 502],
        summary: 'The stored provider access token of a social identity (scope identities)',
      },
      async ({ ctx, params }) => {
        requireScope(ctx, 'identities');
        return ok(await account.readIdentityToken(callerOf(ctx), params.target));
      },
    ),
  ],
  { requireEnabled: false },
);
