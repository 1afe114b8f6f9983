/**
 * The Sign-in experience screen's form, as plain functions (docs/console.md, "Sign-in experience"): the settings of
 * `GET /api/sign-in-exp` (Logto's shape) to the form's values and back to a `PATCH` body, whether the form differs
 * from what is saved, and moving a social button up or down. Unit-tested in
 * packages/server/test/console-sign-in-experience.test.ts.
 */

export const identifiers = ['username', 'email', 'phone'] as const;
export type Identifier = (typeof identifiers)[number];
export type SignInMode = 'SignIn' | 'Register' | 'SignInAndRegister';
export type PreviewLanguage = 'en' | 'th';

/** The answer of `GET`/`PATCH /api/sign-in-exp` (docs/sign-in-experience.md). */
export type SignInExperience = {
  tenantId?: string;
  id?: string;
  signIn: {
    methods: Array<{
      identifier: Identifier;
      password: boolean;
      verificationCode: boolean;
      isPasswordPrimary: boolean;
    }>;
  };
  signUp: { identifiers: Identifier[]; password: boolean; verify: boolean };
  passwordPolicy: {
    length: { min: number; max: number };
    characterTypes: { min: number };
    rejects: { pwned: boolean; userInfo: boolean };
  };
  branding: { logoUrl?: string; darkLogoUrl?: string; favicon?: string };
  color: { primaryColor: string; isDarkModeEnabled: boolean; darkPrimaryColor: string };
  languageInfo: { autoDetect: boolean; fallbackLanguage: PreviewLanguage };
  termsOfUseUrl: string | null;
  privacyPolicyUrl: string | null;
  socialSignInConnectorTargets: string[];
  signInMode: SignInMode;
};

/** One sign-in identifier in the form: off, or on with a password and/or a code, one of them shown first. */
export type MethodForm = {
  identifier: Identifier;
  enabled: boolean;
  password: boolean;
  verificationCode: boolean;
  first: 'password' | 'code';
};

export type SignInExperienceForm = {
  /** Every identifier once: the enabled ones in their saved order first. */
  methods: MethodForm[];
  /** None: sign-up through social connectors only. */
  signUpIdentifiers: Identifier[];
  signUpPassword: boolean;
  signUpVerify: boolean;
  /** As typed: the server says what is out of range. */
  minLength: string;
  characterTypes: number;
  rejectPwned: boolean;
  rejectUserInfo: boolean;
  /** The shown social buttons' connector targets, in their order. */
  socialTargets: string[];
  logoUrl: string;
  darkLogoUrl: string;
  /** Kept as it is (the screen has no field for it). */
  favicon: string;
  primaryColor: string;
  darkPrimaryColor: string;
  darkMode: boolean;
  autoDetect: boolean;
  fallbackLanguage: PreviewLanguage;
  termsOfUseUrl: string;
  privacyPolicyUrl: string;
  signInMode: SignInMode;
};

/** The form's values for saved settings. */
export const toForm = (settings: SignInExperience): SignInExperienceForm => {
  const saved = settings.signIn.methods.map(
    (method): MethodForm => ({
      identifier: method.identifier,
      enabled: true,
      password: method.password,
      verificationCode: method.verificationCode,
      first: method.password && method.verificationCode && !method.isPasswordPrimary ? 'code' : 'password',
    }),
  );
  const missing = identifiers
    .filter((identifier) => !saved.some((method) => method.identifier === identifier))
    .map(
      (identifier): MethodForm => ({
        identifier,
        enabled: false,
        password: true,
        verificationCode: false,
        first: 'password',
      }),
    );
  return {
    methods: [...saved, ...missing],
    signUpIdentifiers: identifiers.filter((identifier) => settings.signUp.identifiers.includes(identifier)),
    signUpPassword: settings.signUp.password,
    signUpVerify: settings.signUp.verify,
    minLength: String(settings.passwordPolicy.length.min),
    characterTypes: settings.passwordPolicy.characterTypes.min,
    rejectPwned: settings.passwordPolicy.rejects.pwned,
    rejectUserInfo: settings.passwordPolicy.rejects.userInfo,
    socialTargets: [...settings.socialSignInConnectorTargets],
    logoUrl: settings.branding.logoUrl ?? '',
    darkLogoUrl: settings.branding.darkLogoUrl ?? '',
    favicon: settings.branding.favicon ?? '',
    primaryColor: settings.color.primaryColor,
    darkPrimaryColor: settings.color.darkPrimaryColor,
    darkMode: settings.color.isDarkModeEnabled,
    autoDetect: settings.languageInfo.autoDetect,
    fallbackLanguage: settings.languageInfo.fallbackLanguage,
    termsOfUseUrl: settings.termsOfUseUrl ?? '',
    privacyPolicyUrl: settings.privacyPolicyUrl ?? '',
    signInMode: settings.signInMode,
  };
};

/**
 * A minimum length as typed, for the server to judge: a whole number as a number, anything else as it is (the
 * server's `request.invalid_body` then names the field).
 */
const lengthOf = (typed: string): number | string => {
  const trimmed = typed.trim();
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : trimmed;
};

/** The `PATCH /api/sign-in-exp` body for the form: every key the screen edits, each replacing the stored one. */
export const toPatch = (form: SignInExperienceForm) => ({
  signIn: {
    methods: form.methods
      .filter((method) => method.enabled)
      .map((method) => ({
        identifier: method.identifier,
        password: method.password,
        verificationCode: method.verificationCode,
        // With only one of the two, that one is shown: the flag only matters when both are on.
        isPasswordPrimary: !(method.password && method.verificationCode && method.first === 'code'),
      })),
  },
  signUp: {
    identifiers: identifiers.filter((identifier) => form.signUpIdentifiers.includes(identifier)),
    // Social-only sign-up has neither a password nor anything to verify.
    password: form.signUpIdentifiers.length > 0 && form.signUpPassword,
    verify: form.signUpIdentifiers.length > 0 && form.signUpVerify,
  },
  passwordPolicy: {
    length: { min: lengthOf(form.minLength), max: 256 },
    characterTypes: { min: form.characterTypes },
    rejects: { pwned: form.rejectPwned, userInfo: form.rejectUserInfo },
  },
  branding: {
    logoUrl: form.logoUrl.trim(),
    darkLogoUrl: form.darkLogoUrl.trim(),
    favicon: form.favicon.trim(),
  },
  color: {
    primaryColor: form.primaryColor.toUpperCase(),
    isDarkModeEnabled: form.darkMode,
    darkPrimaryColor: form.darkPrimaryColor.toUpperCase(),
  },
  languageInfo: { autoDetect: form.autoDetect, fallbackLanguage: form.fallbackLanguage },
  termsOfUseUrl: form.termsOfUseUrl.trim(),
  privacyPolicyUrl: form.privacyPolicyUrl.trim(),
  socialSignInConnectorTargets: [...form.socialTargets],
  signInMode: form.signInMode,
});

export type SignInExperiencePatch = ReturnType<typeof toPatch>;

/** Whether the form says something else than the saved settings (what a save would change). */
export const isDirty = (form: SignInExperienceForm, saved: SignInExperience) =>
  JSON.stringify(toPatch(form)) !== JSON.stringify(toPatch(toForm(saved)));

/** The list with the item at `index` moved by `delta` (-1 up, +1 down); unchanged at either end. */
export const move = <T>(items: readonly T[], index: number, delta: -1 | 1): T[] => {
  const to = index + delta;
  const item = items[index];
  if (item === undefined || to < 0 || to >= items.length) return [...items];
  const next = items.filter((_, at) => at !== index);
  next.splice(to, 0, item);
  return next;
};

/** Shows or hides a connector's button: a button shown again goes last, the others keep their order. */
export const toggleTarget = (targets: readonly string[], target: string, shown: boolean) =>
  shown ? [...targets.filter((t) => t !== target), target] : targets.filter((t) => t !== target);
