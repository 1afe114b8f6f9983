import { z } from 'zod';
import type { AccountCenterFields } from '../account-center/account-center.schemas.ts';
import { isReadable } from '../account-center/account-center.service.ts';
import { CreateUser, CustomData, Email, Profile, User, Username } from '../users/users.schemas.ts';

/** Request and response shapes of `/api/my-account`, Logto's Account API. */

/** `GET /api/my-account`: the user's fields that the token's scopes and the admin's settings let it see. */
export const AccountProfile = User.partial();
export type AccountProfile = z.infer<typeof AccountProfile>;

/** `PATCH /api/my-account` (Logto's fields; others refused, not ignored: nobody thinks an email changed here). */
export const UpdateAccount = z
  .object({
    name: CreateUser.shape.name,
    avatar: CreateUser.shape.avatar,
    username: Username.nullish(),
    customData: CustomData.optional(),
  })
  .strict();

export const UpdateAccountProfile = Profile.strict();

export const NewPassword = z.object({ password: z.string().min(1).max(4096, 'is far too long') });

export const NewPrimaryEmail = z.object({
  email: Email,
  newIdentifierVerificationRecordId: z.string().min(1).max(128),
});

export const NewPrimaryPhone = z.object({
  phone: z.string().min(1).max(64),
  newIdentifierVerificationRecordId: z.string().min(1).max(128),
});

export const NewIdentity = z.object({ newIdentifierVerificationRecordId: z.string().min(1).max(128) });

export const TargetParams = z.object({ target: z.string().min(1).max(128) });

/** Logto's answer for a stored provider token. */
export const ThirdPartyAccessToken = z.object({
  access_token: z.string(),
  scope: z.string(),
  token_type: z.string(),
  expires_in: z.number(),
});

/**
 * The user as the Account API shows it (Logto's `getScopedProfile` then `getAccountCenterFilteredProfile`): `id`
 * always; email with `email`, phone with `phone`, custom data with `custom_data`, identities with `identities`,
 * the rest with `profile`; then only the fields the admin made readable.
 */
export const scopedProfile = (user: User, scopes: ReadonlySet<string>, fields: AccountCenterFields) => {
  const readable = (field: Parameters<typeof isReadable>[1]) => isReadable(fields, field);
  const profile = scopes.has('profile');
  const shown: AccountProfile = { id: user.id };
  if (profile) {
    if (readable('name')) shown.name = user.name;
    if (readable('avatar')) shown.avatar = user.avatar;
    if (readable('username')) shown.username = user.username;
    if (readable('profile')) shown.profile = user.profile;
    if (readable('password')) shown.hasPassword = user.hasPassword;
    shown.lastSignInAt = user.lastSignInAt;
    shown.createdAt = user.createdAt;
    shown.updatedAt = user.updatedAt;
    shown.isSuspended = user.isSuspended;
  }
  if (scopes.has('email') && readable('email')) shown.primaryEmail = user.primaryEmail;
  if (scopes.has('phone') && readable('phone')) shown.primaryPhone = user.primaryPhone;
  if (scopes.has('custom_data') && readable('customData')) shown.customData = user.customData;
  if (scopes.has('identities') && readable('social')) shown.identities = user.identities;
  return shown;
};
