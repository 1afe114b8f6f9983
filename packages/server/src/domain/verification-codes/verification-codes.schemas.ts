import { z } from 'zod';

/** What a verification code is for; a code verifies only for the purpose it was sent for. */
export const purposes = ['SignIn', 'Register', 'ForgotPassword', 'Generic'] as const;
export const Purpose = z.enum(purposes);
export type Purpose = z.infer<typeof Purpose>;

/** The languages of the code emails (SPEC §5: at least English and Thai). */
export const CodeLocale = z.enum(['en', 'th']);
export type CodeLocale = z.infer<typeof CodeLocale>;

/**
 * An email address as an identifier: trimmed and lower-cased, so `Ann@Example.com ` and `ann@example.com` are
 * one identifier (for codes, rate limits and the lockout alike). Deliberately loose (RFC 5321 allows far more
 * than any regex checks well): one `@`, no spaces or control characters, a dot in the domain, 254 at most.
 */
export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}.]+$/u, 'must be an email address');

export type SendCode = { purpose: Purpose; email: string; locale?: CodeLocale };
export type VerifyCode = { purpose: Purpose; email: string; code: string };

/** Why a code did not verify. For logs only: callers answer every failure the same way. */
export type VerifyFailure =
  | 'no_code'
  | 'mismatch'
  | 'expired'
  | 'used'
  | 'too_many_attempts'
  | 'invalid_input';
export type VerifyOutcome = { verified: true } | { verified: false; reason: VerifyFailure };
