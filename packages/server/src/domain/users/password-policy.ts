import { createRequire } from 'node:module';
import { z } from 'zod';
import { maxPasswordLength, normalizePassword, passwordLength } from '../../vault/passwords.ts';

/**
 * The password policy (SECURITY-TESTS B1; NIST SP 800-63B §3.1.1.2, OWASP ASVS 5 V6.2): a minimum length
 * (8 by default), a maximum of 256 characters so a passphrase always fits and the hashing work stays bounded,
 * any Unicode (spaces and emoji included), nothing truncated, no composition rules unless an administrator asks
 * for them, and a refusal of common (breached) passwords and of passwords built on the user's own identifiers.
 */

export const minPasswordLengthFloor = 8;

export const PasswordPolicy = z.object({
  /** Fewest characters (Unicode code points after NFC normalisation), 8..256. */
  minLength: z.int().min(minPasswordLengthFloor).max(maxPasswordLength).default(minPasswordLengthFloor),
  /** Composition rules: off by default (NIST SP 800-63B §3.1.1.2 advises against them). */
  requireUpper: z.boolean().default(false),
  requireLower: z.boolean().default(false),
  requireDigit: z.boolean().default(false),
  requireSymbol: z.boolean().default(false),
  /** Logto's rule: how many of the four kinds (upper, lower, digit, symbol) must appear; 1 is no rule. */
  minCharacterTypes: z.int().min(1).max(4).default(1),
  /** Refuse the passwords of the offline list of common, breached passwords. */
  rejectBreached: z.boolean().default(true),
  /** Refuse passwords equal to or containing the user's username, email local part or phone number. */
  rejectIdentifiers: z.boolean().default(true),
});
export type PasswordPolicy = z.infer<typeof PasswordPolicy>;

export const defaultPasswordPolicy: PasswordPolicy = PasswordPolicy.parse({});

/** The sign-in experience's `passwordPolicy` setting (Logto's shape), as the policy this module checks. */
export const passwordPolicyFromSettings = (settings: {
  length: { min: number };
  characterTypes: { min: number };
  rejects: { pwned: boolean; userInfo: boolean };
}): PasswordPolicy =>
  PasswordPolicy.parse({
    minLength: settings.length.min,
    minCharacterTypes: settings.characterTypes.min,
    rejectBreached: settings.rejects.pwned,
    rejectIdentifiers: settings.rejects.userInfo,
  });

export type PasswordViolationCode =
  | 'password.too_short'
  | 'password.too_long'
  | 'password.invalid_characters'
  | 'password.missing_upper'
  | 'password.missing_lower'
  | 'password.missing_digit'
  | 'password.missing_symbol'
  | 'password.too_few_character_types'
  | 'password.breached'
  | 'password.contains_identifier';

export type PasswordViolation = { code: PasswordViolationCode; message: string };

export type PasswordContext = {
  /** The user's identifiers: username, email (its local part is what counts), phone. Empty ones are ignored. */
  identifiers: Array<string | null | undefined>;
};

// The offline list: the 49,233 most common passwords of the xato.net / SecLists corpus of leaked passwords,
// as shipped (and kept up to date) by zxcvbn-ts. Loaded at first use, once, into a Set of lower-cased entries:
// comparisons are case-insensitive, so `Password` is refused as `password` is.
const require = createRequire(import.meta.url);
let commonPasswords: Set<string> | undefined;
const loadCommonPasswords = (): Set<string> => {
  if (!commonPasswords) {
    const { dictionary } =
      require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswords = new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  }
  return commonPasswords;
};

/** How many entries the common-password list holds. */
export const commonPasswordCount = () => loadCommonPasswords().size;

/** Whether the password (case-insensitively) is on the common-password list. */
export const isCommonPassword = (password: string) =>
  loadCommonPasswords().has(normalizePassword(password).toLowerCase());

// RFC 8265 §4.2 (OpaqueString) disallows control characters; a lone surrogate is not text at all.
const invalidCharacter = /[\p{Cc}\p{Cs}]/u;
const upper = /\p{Lu}/u;
const lower = /\p{Ll}/u;
const digit = /\p{Nd}/u;
const symbol = /[^\p{L}\p{N}]/u;

/** The identifiers worth comparing: an email's local part, at least 3 characters, lower-cased. */
const identifierFragments = (identifiers: PasswordContext['identifiers']) => {
  const fragments = new Set<string>();
  for (const identifier of identifiers) {
    if (!identifier) continue;
    const at = identifier.lastIndexOf('@');
    const fragment = normalizePassword(at > 0 ? identifier.slice(0, at) : identifier)
      .trim()
      .toLowerCase();
    if (passwordLength(fragment) >= 3) fragments.add(fragment);
  }
  return fragments;
};

/**
 * What is wrong with `password` under `policy`, as a list of violations (empty: acceptable). Counted and compared
 * on the NFC-normalised password, which is what gets hashed.
 */
export const checkPasswordPolicy = (
  password: string,
  policy: PasswordPolicy = defaultPasswordPolicy,
  context: PasswordContext = { identifiers: [] },
): PasswordViolation[] => {
  const normalized = normalizePassword(password);
  const length = passwordLength(normalized);
  const violations: PasswordViolation[] = [];
  const add = (code: PasswordViolationCode, message: string) => violations.push({ code, message });

  if (length < policy.minLength) add('password.too_short', `Use at least ${policy.minLength} characters.`);
  if (length > maxPasswordLength) {
    // Nothing else is evaluated on input this long: it will never be hashed.
    add('password.too_long', `Use at most ${maxPasswordLength} characters.`);
    return violations;
  }
  if (invalidCharacter.test(normalized)) {
    add('password.invalid_characters', 'Control characters cannot be part of a password.');
  }
  if (policy.requireUpper && !upper.test(normalized))
    add('password.missing_upper', 'Add an upper-case letter.');
  if (policy.requireLower && !lower.test(normalized))
    add('password.missing_lower', 'Add a lower-case letter.');
  if (policy.requireDigit && !digit.test(normalized)) add('password.missing_digit', 'Add a digit.');
  if (policy.requireSymbol && !symbol.test(normalized)) add('password.missing_symbol', 'Add a symbol.');
  const kinds = () => [upper, lower, digit, symbol].filter((kind) => kind.test(normalized)).length;
  if (policy.minCharacterTypes > 1 && kinds() < policy.minCharacterTypes) {
    add(
      'password.too_few_character_types',
      `Use at least ${policy.minCharacterTypes} of: upper-case letters, lower-case letters, digits, symbols.`,
    );
  }

  const folded = normalized.toLowerCase();
  if (policy.rejectBreached && loadCommonPasswords().has(folded)) {
    add('password.breached', 'This password is too common: it appears in lists of breached passwords.');
  }
  if (policy.rejectIdentifiers) {
    for (const fragment of identifierFragments(context.identifiers)) {
      if (folded.includes(fragment)) {
        add('password.contains_identifier', 'The password must not contain your username, email or phone.');
        break;
      }
    }
  }
  return violations;
};
