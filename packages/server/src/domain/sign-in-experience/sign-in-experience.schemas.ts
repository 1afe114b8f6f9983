import { z } from 'zod';

/**
 * The sign-in experience settings in Logto's shape (camelCase, `GET`/`PATCH /api/sign-in-exp`). The field
 * schemas validate what an admin sends; `SignInExperience` is the plain answer (and the OpenAPI description).
 * Rules that tie fields together live in `signInExperienceProblems`, checked on the merged settings.
 */

export const identifiers = ['username', 'email', 'phone'] as const;
export const Identifier = z.enum(identifiers);
export type Identifier = z.infer<typeof Identifier>;

export const signInModes = ['SignIn', 'Register', 'SignInAndRegister'] as const;
export const SignInMode = z.enum(signInModes);

export const languages = ['en', 'th'] as const;
export const Language = z.enum(languages);

export const maxUrlLength = 2048;
export const passwordMaxLength = 256;

/** An absolute http(s) URL shown to users (logos, terms): no other scheme can reach a browser safely. */
const HttpUrl = z
  .string()
  .max(maxUrlLength)
  .refine((value) => {
    if (/[\s\p{Cc}]/u.test(value) || !URL.canParse(value)) return false;
    const { protocol, hostname } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
  }, 'must be an absolute http or https URL without spaces');

// Consoles send an emptied input as '' and Logto stores null: both mean "none".
const OptionalUrl = z
  .union([z.literal(''), z.null(), HttpUrl])
  .transform((value) => value || undefined)
  .optional();
const NullableUrl = z.union([z.literal(''), z.null(), HttpUrl]).transform((value) => value || null);

const Color = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour written #RRGGBB');

const uniqueBy =
  <T>(key: (item: T) => unknown, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<unknown>();
    for (const item of items) {
      if (seen.has(key(item)))
        ctx.addIssue({ code: 'custom', message: `${what} ${String(key(item))} twice` });
      seen.add(key(item));
    }
  };

export const SignInMethod = z.object({
  identifier: Identifier,
  password: z.boolean(),
  verificationCode: z.boolean(),
  /** With both password and code allowed: which one the sign-in page offers first. */
  isPasswordPrimary: z.boolean().default(true),
});
export type SignInMethod = z.infer<typeof SignInMethod>;

export const SignIn = z.object({
  methods: z
    .array(SignInMethod)
    .max(identifiers.length)
    .superRefine(uniqueBy((method) => method.identifier, 'lists the identifier')),
});

export const SignUp = z.object({
  /** What a new user gives; empty: sign-up through social connectors only. */
  identifiers: z
    .array(Identifier)
    .max(identifiers.length)
    .superRefine(uniqueBy((identifier) => identifier, 'lists the identifier')),
  /** Whether a new user sets a password (false: code-only sign-up, which needs `verify`). */
  password: z.boolean(),
  /** Whether the email is verified with a code before the account is created. */
  verify: z.boolean(),
});

export const PasswordPolicy = z.object({
  length: z
    .object({
      min: z.int().min(8).max(passwordMaxLength).default(8),
      // Fixed: a longer input is refused before hashing (SECURITY-TESTS B1, hash DoS).
      max: z.literal(passwordMaxLength).default(passwordMaxLength),
    })
    .default({ min: 8, max: passwordMaxLength }),
  /** How many of lower case, upper case, digits and symbols a password needs; 1 is no composition rule. */
  characterTypes: z.object({ min: z.int().min(1).max(4).default(1) }).default({ min: 1 }),
  rejects: z
    .object({
      /** Passwords on the built-in list of breached passwords. */
      pwned: z.boolean().default(true),
      /** Passwords containing the user's own username, email or name. */
      userInfo: z.boolean().default(true),
    })
    .default({ pwned: true, userInfo: true }),
});

export const Branding = z.object({
  logoUrl: OptionalUrl,
  darkLogoUrl: OptionalUrl,
  favicon: OptionalUrl,
});

export const ColorSettings = z.object({
  primaryColor: Color,
  isDarkModeEnabled: z.boolean().default(false),
  darkPrimaryColor: Color.default('#9C86F8'),
});

export const LanguageInfo = z.object({
  /** Follow `ui_locales`, then `Accept-Language`; otherwise always the fallback language. */
  autoDetect: z.boolean().default(true),
  fallbackLanguage: Language.default('en'),
});

/** Connector targets (the IdP names of SPEC §6) shown as social buttons, in this order; duplicates dropped. */
export const SocialTargets = z
  .array(z.string().regex(/^[\w.-]{1,128}$/, 'must be a connector target: letters, digits, dots, dashes'))
  .max(50)
  .transform((targets) => [...new Set(targets)]);

const fields = {
  signIn: SignIn,
  signUp: SignUp,
  passwordPolicy: PasswordPolicy,
  branding: Branding,
  color: ColorSettings,
  languageInfo: LanguageInfo,
  termsOfUseUrl: NullableUrl,
  privacyPolicyUrl: NullableUrl,
  socialSignInConnectorTargets: SocialTargets,
  signInMode: SignInMode,
};

/** The stored settings (every key present). */
export const SignInExperienceSettings = z.object(fields);
export type SignInExperienceSettings = z.infer<typeof SignInExperienceSettings>;

/**
 * `PATCH /api/sign-in-exp`: every top-level key given replaces the stored one whole (missing nested fields take
 * their defaults, as in Logto). Unknown keys, such as Logto fields Gatehouse does not have, are ignored.
 */
export const UpdateSignInExperience = z.object({
  signIn: SignIn.optional(),
  signUp: SignUp.optional(),
  passwordPolicy: PasswordPolicy.optional(),
  branding: Branding.optional(),
  color: ColorSettings.optional(),
  languageInfo: LanguageInfo.optional(),
  termsOfUseUrl: NullableUrl.optional(),
  privacyPolicyUrl: NullableUrl.optional(),
  socialSignInConnectorTargets: SocialTargets.optional(),
  signInMode: SignInMode.optional(),
});
export type UpdateSignInExperience = z.infer<typeof UpdateSignInExperience>;

/** The answer of `GET` and `PATCH /api/sign-in-exp`. */
export const SignInExperience = z.object({
  tenantId: z.string(),
  /** Always `default`, as in Logto. */
  id: z.string(),
  signIn: z.object({
    methods: z.array(
      z.object({
        identifier: Identifier,
        password: z.boolean(),
        verificationCode: z.boolean(),
        isPasswordPrimary: z.boolean(),
      }),
    ),
  }),
  signUp: z.object({ identifiers: z.array(Identifier), password: z.boolean(), verify: z.boolean() }),
  passwordPolicy: z.object({
    length: z.object({ min: z.number(), max: z.number() }),
    characterTypes: z.object({ min: z.number() }),
    rejects: z.object({ pwned: z.boolean(), userInfo: z.boolean() }),
  }),
  branding: z.object({
    logoUrl: z.string().optional(),
    darkLogoUrl: z.string().optional(),
    favicon: z.string().optional(),
  }),
  color: z.object({ primaryColor: z.string(), isDarkModeEnabled: z.boolean(), darkPrimaryColor: z.string() }),
  languageInfo: z.object({ autoDetect: z.boolean(), fallbackLanguage: Language }),
  termsOfUseUrl: z.string().nullable(),
  privacyPolicyUrl: z.string().nullable(),
  socialSignInConnectorTargets: z.array(z.string()),
  signInMode: SignInMode,
});
export type SignInExperience = z.infer<typeof SignInExperience>;

export const defaultSignInExperience: SignInExperienceSettings = {
  signIn: {
    methods: [
      { identifier: 'username', password: true, verificationCode: false, isPasswordPrimary: true },
      { identifier: 'email', password: true, verificationCode: false, isPasswordPrimary: true },
    ],
  },
  signUp: { identifiers: ['username'], password: true, verify: false },
  passwordPolicy: {
    length: { min: 8, max: passwordMaxLength },
    characterTypes: { min: 1 },
    rejects: { pwned: true, userInfo: true },
  },
  branding: {},
  color: { primaryColor: '#5D34F2', isDarkModeEnabled: false, darkPrimaryColor: '#9C86F8' },
  languageInfo: { autoDetect: true, fallbackLanguage: 'en' },
  termsOfUseUrl: null,
  privacyPolicyUrl: null,
  socialSignInConnectorTargets: [],
  signInMode: 'SignInAndRegister',
};

export type SettingsProblem = { path: string; message: string };

/**
 * What makes settings unusable as a whole, empty when they are fine: a page that could never sign anyone in,
 * or a sign-up that creates accounts nobody can sign in to.
 */
export const signInExperienceProblems = (settings: SignInExperienceSettings): SettingsProblem[] => {
  const problems: SettingsProblem[] = [];
  const { signIn, signUp, signInMode } = settings;
  const methodOf = (identifier: Identifier) =>
    signIn.methods.find((method) => method.identifier === identifier);

  signIn.methods.forEach((method, index) => {
    const path = `signIn.methods.${index}`;
    if (!method.password && !method.verificationCode) {
      problems.push({ path, message: `${method.identifier} needs a password or a verification code` });
    }
    if (method.verificationCode && method.identifier === 'username') {
      problems.push({ path, message: 'a verification code cannot be sent to a username' });
    }
    if (method.verificationCode && method.identifier === 'phone') {
      problems.push({ path, message: 'codes by text message need an SMS connector, which Gatehouse lacks' });
    }
  });
  if (
    signInMode !== 'Register' &&
    signIn.methods.length === 0 &&
    settings.socialSignInConnectorTargets.length === 0
  ) {
    problems.push({
      path: 'signIn.methods',
      message: 'signing in needs at least one sign-in method or social connector',
    });
  }

  if (signUp.identifiers.length === 0) {
    if (signUp.password || signUp.verify) {
      problems.push({
        path: 'signUp',
        message: 'a sign-up without identifiers (social only) has no password and nothing to verify',
      });
    }
  } else {
    if (signUp.verify && !signUp.identifiers.includes('email')) {
      problems.push({
        path: 'signUp.verify',
        message: 'verifying needs email among the sign-up identifiers',
      });
    }
    if (!signUp.password && !signUp.verify) {
      problems.push({
        path: 'signUp.password',
        message: 'a sign-up without a password must verify the email (code-only sign-up)',
      });
    }
  }

  // Accounts created by sign-up must be able to sign in again (Logto: miss_sign_up_identifier_in_sign_in).
  if (signInMode === 'SignInAndRegister') {
    for (const identifier of signUp.identifiers) {
      if (!methodOf(identifier)) {
        problems.push({
          path: 'signIn.methods',
          message: `${identifier} is a sign-up identifier, so it must also be a sign-in method`,
        });
      }
    }
    if (signUp.identifiers.length > 0 && !signUp.password && !methodOf('email')?.verificationCode) {
      problems.push({
        path: 'signIn.methods',
        message: 'accounts signed up without a password sign in with an email code: enable it for email',
      });
    }
  }
  return problems;
};
