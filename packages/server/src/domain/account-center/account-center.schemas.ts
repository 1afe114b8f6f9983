import { z } from 'zod';

/**
 * The Account API settings in Logto's shape (`GET/PATCH /api/account-center`): whether the API is on, and per
 * field what a signed-in user may do with it. A field not listed is `Off` (Logto's rule), so adding a field later
 * never opens it by surprise.
 */

export const AccountCenterControl = z.enum(['Off', 'ReadOnly', 'Edit']);
export type AccountCenterControl = z.infer<typeof AccountCenterControl>;

export const accountCenterFields = [
  'name',
  'avatar',
  'profile',
  'email',
  'phone',
  'password',
  'username',
  'social',
  'customData',
] as const;
export type AccountCenterField = (typeof accountCenterFields)[number];

/** Per field `Off` | `ReadOnly` | `Edit`; unknown fields are refused (a typo must not pass for a setting). */
export const AccountCenterFields = z
  .object(
    Object.fromEntries(
      accountCenterFields.map((field) => [field, AccountCenterControl.optional()]),
    ) as Record<AccountCenterField, z.ZodOptional<typeof AccountCenterControl>>,
  )
  .strict();
export type AccountCenterFields = z.infer<typeof AccountCenterFields>;

export const AccountCenter = z.object({
  tenantId: z.string(),
  id: z.literal('default'),
  /** Off by default: until an admin turns it on, `/api/my-account` answers `account_center.not_enabled`. */
  enabled: z.boolean(),
  fields: AccountCenterFields,
});
export type AccountCenter = z.infer<typeof AccountCenter>;

/** PATCH: `enabled` and `fields` each replace the stored value when given (Logto: `fields` is replaced whole). */
export const UpdateAccountCenter = z
  .object({ enabled: z.boolean().optional(), fields: AccountCenterFields.optional() })
  .strict();
export type UpdateAccountCenter = z.infer<typeof UpdateAccountCenter>;
