import type { SocialButton, SocialConnection } from '../connectors/social/runtime.ts';
import type { SocialProfile, SocialTokens } from '../connectors/social/schemas.ts';
import type { DeviceCookies } from '../security/device-cookies.ts';
import type { Locale } from './i18n.ts';

/**
 * What the hosted pages need from the rest of the server, in one small interface (STYLE.md: each domain declares
 * the interface it needs; the registry wires it). Implemented in wiring.ts from the users, passwords,
 * sign-in-experience, verification-code and limits services.
 */
export type ExperienceSettings = {
  signInIdentifiers: Array<'username' | 'email' | 'phone'>;
  passwordSignIn: boolean;
  codeSignIn: boolean;
  signUp: { enabled: boolean; username: boolean; email: boolean; password: boolean; verify: boolean };
  passwordMinLength: number;
  fallbackLanguage: Locale;
  autoDetectLanguage: boolean;
  branding: {
    logoUrl?: string | undefined;
    darkLogoUrl?: string | undefined;
    favicon?: string | undefined;
    primaryColor: string;
    darkPrimaryColor: string;
    isDarkModeEnabled: boolean;
  };
  /** Social sign-in (SPEC §6): the connector targets shown, in order, and whether it may create accounts. */
  social: { targets: string[]; signUp: boolean };
  termsOfUseUrl?: string | undefined;
  privacyPolicyUrl?: string | undefined;
  /** Changes whenever the settings change: cache-busts the branding stylesheet. */
  version: string;
};

export type ExperienceUser = {
  id: string;
  username: string | null;
  primaryEmail: string | null;
  isSuspended: boolean;
};

export type { SocialConnection } from '../connectors/social/runtime.ts';

export type PolicyViolation =
  | 'too_short'
  | 'too_long'
  | 'breached'
  | 'personal'
  | 'character_types'
  | 'invalid';

export type ExperienceServices = {
  settings(): Promise<ExperienceSettings>;
  findUser(kind: 'username' | 'email' | 'phone', value: string): Promise<ExperienceUser | undefined>;
  findUserById(id: string): Promise<ExperienceUser | undefined>;
  /**
   * Whether `password` is the user's; for no user (or one without a password) a dummy check of the same cost
   * (SECURITY-TESTS B5). Upgrades an outdated hash on success (B2).
   */
  passwordMatches(userId: string | undefined, password: string): Promise<boolean>;
  /** Creates a user (password checked by the policy and hashed); `conflict` when an identifier is taken. */
  createUser(input: {
    username?: string | undefined;
    email?: string | undefined;
    password?: string | undefined;
  }): Promise<{ id: string } | { conflict: true }>;
  setPassword(userId: string, password: string): Promise<void>;
  touchSignIn(userId: string): Promise<void>;
  checkPassword(password: string, identifiers: string[]): Promise<PolicyViolation[]>;
  /** Sends a code; `sent: false` when refused (rate limit, mail failure). */
  sendCode(
    purpose: 'SignIn' | 'Register' | 'ForgotPassword',
    email: string,
    locale: Locale,
  ): Promise<{ sent: boolean }>;
  verifyCode(
    purpose: 'SignIn' | 'Register' | 'ForgotPassword',
    email: string,
    code: string,
  ): Promise<boolean>;
  /** Counts a password attempt for the account before it is evaluated; false while the account is locked. */
  reserveAttempt(userId: string): Promise<boolean>;
  /**
   * For an attempt on no usable account (unknown or suspended): a database write like `reserveAttempt`'s, counted
   * per identifier and expiring on its own, so timing does not tell the two apart (SECURITY-TESTS B5).
   */
  reserveNoAccountAttempt(identifier: string): Promise<void>;
  attemptSucceeded(userId: string): Promise<void>;
  /**
   * The same for an attempt from a browser with a device cookie for this account (SECURITY-TESTS B3): counted
   * in that device's own bucket, so an attacker locking the account does not lock its owner's devices out.
   */
  reserveDeviceAttempt(userId: string, deviceId: string): Promise<boolean>;
  deviceAttemptSucceeded(userId: string, deviceId: string): Promise<void>;
  devices: DeviceCookies;
  /** Per-IP throttle for an action (SECURITY-TESTS B3: per-IP first). */
  throttle(ip: string, action: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /** The connectors listed by `targets`, in that order; unknown targets are skipped. */
  socialButtons(targets: string[]): Promise<SocialButton[]>;
  socialConnection(id: string): Promise<SocialConnection | undefined>;
  /** The user an upstream identity is linked to: keyed on (target, upstream subject), never on email (C9). */
  findUserByIdentity(target: string, identityId: string): Promise<ExperienceUser | undefined>;
  /** A new account for an upstream identity (social sign-up); `conflict` when the email is taken meanwhile. */
  signUpWithIdentity(target: string, profile: SocialProfile): Promise<{ id: string } | { conflict: true }>;
  /** Links an upstream identity to an existing account (after the owner signed in to it). */
  linkIdentity(userId: string, target: string, profile: SocialProfile): Promise<void>;
  /** At each social sign-in: the identity's details, and the name and avatar when the connector syncs them. */
  syncIdentity(userId: string, target: string, profile: SocialProfile, syncProfile: boolean): Promise<void>;
  /** Keeps the provider's tokens of the user's identity at `target` in the vault (SPEC §7, token storage on). */
  storeIdentityTokens(userId: string, target: string, tokens: SocialTokens): Promise<void>;
  /** Whether the password hasher's queue is full (a request needing it now would be shed). */
  hasherSaturated(): boolean;
  /** Seals a value (a password between two steps of a flow) so the flow table never holds it in plaintext. */
  seal(value: string, context: string): string;
  open(sealed: string, context: string): string;
};
