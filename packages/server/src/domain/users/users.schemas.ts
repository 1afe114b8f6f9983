import { z } from 'zod';
import { freeText, id } from '../shared.ts';

/** Request and response shapes of users, following Logto's Management API (camelCase fields, epoch ms). */

/** Logto's username format: a letter or underscore, then letters, digits or underscores; 128 at most. */
export const usernamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const maxEmailLength = 128;
// The practical check every identity product uses (Logto's too): something@something.tld, no whitespace. Whether
// the mailbox exists is for a verification email to find out.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const controlCharacters = /\p{Cc}/u;
const loneSurrogate = /\p{Cs}/u;

/** An email as stored: trimmed and lower-cased, so uniqueness and sign-in ignore case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// E.164: at most 15 digits, country code included. Separators people type are dropped; the `+` is implied.
const phoneSeparators = /[\s().-]/g;
const phonePattern = /^\+?\d{4,15}$/;

/** A phone number as stored: digits only (Logto's format), or undefined when it is not one. */
export const normalizePhone = (phone: string): string | undefined => {
  const compact = phone.trim().replace(phoneSeparators, '');
  return phonePattern.test(compact) ? compact.replace(/^\+/, '') : undefined;
};

export const Username = z
  .string()
  .regex(usernamePattern, 'must start with a letter or _, then letters, digits or _, 128 characters at most');

export const Email = z
  .string()
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .max(maxEmailLength)
      .regex(emailPattern, 'must be an email address')
      .refine((value) => !controlCharacters.test(value), 'must not contain control characters'),
  );

export const Phone = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const phone = normalizePhone(value);
    if (phone === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a phone number: 4 to 15 digits, optionally after +' });
      return z.NEVER;
    }
    return phone;
  });

// A display name; the empty string clears it (console forms send one).
const Name = z
  .string()
  .trim()
  .max(128)
  .refine((value) => !controlCharacters.test(value), 'must not contain control characters')
  .transform((value) => (value === '' ? null : value));

// An avatar is shown as an <img> in the console and sent as the `picture` claim: only web URLs.
const Avatar = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    if (value === '') return true;
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !/\s/.test(value);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((value) => (value === '' ? null : value));

const ProfileText = freeText(256).refine(
  (value) => !controlCharacters.test(value),
  'must not contain control characters',
);

/** OpenID Connect standard claims (Core §5.1) that are not columns of their own, as in Logto's `profile`. */
export const Profile = z.object({
  familyName: ProfileText.optional(),
  givenName: ProfileText.optional(),
  middleName: ProfileText.optional(),
  nickname: ProfileText.optional(),
  preferredUsername: ProfileText.optional(),
  profile: ProfileText.optional(),
  website: ProfileText.optional(),
  gender: ProfileText.optional(),
  birthdate: ProfileText.optional(),
  zoneinfo: ProfileText.optional(),
  locale: ProfileText.optional(),
  address: z
    .object({
      formatted: ProfileText.optional(),
      streetAddress: ProfileText.optional(),
      locality: ProfileText.optional(),
      region: ProfileText.optional(),
      postalCode: ProfileText.optional(),
      country: ProfileText.optional(),
    })
    .optional(),
});
export type Profile = z.infer<typeof Profile>;

export const maxCustomDataBytes = 64 * 1024;
const maxCustomDataDepth = 16;

/**
 * Why `value` cannot be stored as `jsonb`, or undefined when it can. PostgreSQL refuses `\u0000` and lone
 * surrogates in JSON strings and overflows its stack on deep nesting — each a 500 if not caught here.
 */
const jsonProblem = (value: unknown, depth = 0): string | undefined => {
  if (depth > maxCustomDataDepth) return `must not nest deeper than ${maxCustomDataDepth} levels`;
  if (typeof value === 'string')
    return value.includes('\u0000') || loneSurrogate.test(value)
      ? 'must not contain NUL characters or lone surrogates'
      : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(key, depth + 1) ?? jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
};

/** Free-form JSON object kept for the app (the `custom_data` claim): at most 64 KiB, 16 levels. */
export const CustomData = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return;
  }
  if (Buffer.byteLength(JSON.stringify(value)) > maxCustomDataBytes) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${maxCustomDataBytes} bytes of JSON` });
  }
});

/** The password as sent: checked against the policy by the service, so only its type is checked here. */
const PasswordInput = z.string().max(4096, 'is far too long');

export const CreateUser = z.object({
  username: Username.nullish(),
  primaryEmail: Email.nullish(),
  primaryPhone: Phone.nullish(),
  name: Name.nullish(),
  avatar: Avatar.nullish(),
  password: PasswordInput.optional(),
  profile: Profile.optional(),
  customData: CustomData.optional(),
});
export type CreateUser = z.infer<typeof CreateUser>;

/** PATCH: the fields given replace the stored ones (null clears); `profile` and `customData` are replaced whole. */
export const UpdateUser = z.object({
  username: Username.nullish(),
  primaryEmail: Email.nullish(),
  primaryPhone: Phone.nullish(),
  name: Name.nullish(),
  avatar: Avatar.nullish(),
  profile: Profile.optional(),
  customData: CustomData.optional(),
  // Refused rather than ignored: an admin must not believe a password was set when it was not.
  password: z.undefined({ error: 'is set with PATCH /api/users/{id}/password' }).optional(),
});
export type UpdateUser = z.infer<typeof UpdateUser>;

export const UserFilter = z.object({
  /** Part of the username, email, phone or name, case-insensitive. */
  search: freeText(256).optional(),
});
export type UserFilter = z.infer<typeof UserFilter>;

export const UserParams = z.object({ id: id() });

export const SetPassword = z.object({ password: PasswordInput });
export const VerifyPassword = z.object({ password: PasswordInput });
export const SetSuspended = z.object({ isSuspended: z.boolean() });

export const User = z.object({
  id: z.string(),
  username: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  primaryPhone: z.string().nullable(),
  name: z.string().nullable(),
  avatar: z.string().nullable(),
  profile: z.record(z.string(), z.unknown()),
  customData: z.record(z.string(), z.unknown()),
  /** Social identities by connector target, Logto's shape: `{[target]: {userId: <upstream sub>, details}}`. */
  identities: z.record(
    z.string(),
    z.object({ userId: z.string(), details: z.record(z.string(), z.unknown()) }),
  ),
  isSuspended: z.boolean(),
  hasPassword: z.boolean(),
  /** Epoch milliseconds, or null when the user never signed in. */
  lastSignInAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type User = z.infer<typeof User>;
export type UserIdentities = User['identities'];

export const HasPassword = z.object({ hasPassword: z.boolean() });
