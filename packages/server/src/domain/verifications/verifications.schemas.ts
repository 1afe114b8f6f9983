import { z } from 'zod';
import { id } from '../shared.ts';

/** Request and response shapes of `/api/verifications/*`, Logto's Verification API. */

/** A verification lives 10 minutes (Logto: "a 10-minute verification record id"). */
export const verificationTtlSeconds = 600;

/** The kinds of records (the `type` column). */
export const recordTypes = {
  password: 'password',
  emailCode: 'email_code',
  social: 'social',
} as const;

/** Records that prove the token's user is present: the `logto-verification-id` header names one of them. */
export const identityRecordTypes = [recordTypes.password, recordTypes.emailCode] as const;

// Checked by the password service (length, normalisation); here only its type and a bound.
const Password = z.string().min(1).max(4096, 'is far too long');

export const PasswordVerificationBody = z.object({ password: Password });

export const CodeIdentifier = z.object({
  type: z.enum(['email', 'phone']),
  value: z.string().min(1).max(320),
});
export type CodeIdentifier = z.infer<typeof CodeIdentifier>;

export const CodeVerificationBody = z.object({
  identifier: CodeIdentifier,
  /** Logto's optional template override; the code email here has one template. */
  templateType: z.string().max(64).optional(),
});

export const CodeVerifyBody = z.object({
  identifier: CodeIdentifier,
  verificationId: id(),
  code: z.string().max(32),
});

// RFC 6749 §4.1.1: `state` is the client's opaque value; printable ASCII keeps it out of header/log trouble.
const ClientState = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII');

export const SocialVerificationBody = z.object({
  connectorId: z.string().min(1).max(128),
  /** Where the provider sends the browser back: the client app's own page (it then calls `…/social/verify`). */
  redirectUri: z.string().min(1).max(2048),
  state: ClientState,
  scope: z
    .undefined({ error: 'custom upstream scopes are not supported: the connector scope applies' })
    .optional(),
});

/** The callback parameters the app received from the provider (`code`, `state`, `iss`, …). */
export const SocialVerifyBody = z.object({
  verificationRecordId: id(),
  connectorData: z.record(z.string().max(64), z.unknown()),
});

export const VerificationCreated = z.object({ verificationRecordId: z.string(), expiresAt: z.string() });
export const SocialVerificationCreated = VerificationCreated.extend({ authorizationUri: z.string() });
export const VerificationRecordId = z.object({ verificationRecordId: z.string() });
