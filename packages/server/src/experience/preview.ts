import type { SocialButton } from '../connectors/social/runtime.ts';
import type { SafeHtml } from './html.ts';
import { type Locale, type MessageKey, translator } from './i18n.ts';
import type { PageContext } from './layout.ts';
import { registerPage, signInPage } from './pages.ts';
import type { ExperienceSettings } from './services.ts';

export type PreviewOptions = {
  language: Locale;
  mode: 'light' | 'dark';
  page: 'sign-in' | 'register';
  appName: string;
};

/** The label of the sign-in identifier field, as the sign-in page words it. */
export const identifierLabel = (settings: ExperienceSettings): MessageKey => {
  const kinds = settings.signInIdentifiers;
  if (kinds.length === 1 && kinds[0] === 'email') return 'sign_in.identifier.email';
  if (kinds.length === 1 && kinds[0] === 'username') return 'sign_in.identifier.username';
  return 'sign_in.identifier';
};

const socialName = (button: Pick<SocialButton, 'name' | 'target'>, locale: Locale) =>
  button.name[locale] ?? button.name.en ?? Object.values(button.name)[0] ?? button.target;

/**
 * The console's live preview of the hosted sign-in or sign-up page (docs/sign-in-experience.md, "Preview"): the
 * real page renderers with the previewed settings, made inert — no form posts anywhere, no CSRF token, the body
 * `inert`, every link a fragment of the preview itself. The console shows it in a sandboxed iframe.
 */
export const renderPreview = (
  settings: ExperienceSettings,
  buttons: SocialButton[],
  options: PreviewOptions,
): SafeHtml => {
  const ctx: PageContext = {
    locale: options.language,
    t: translator(options.language),
    branding: settings.branding,
    assetsVersion: settings.version,
    preview: { dark: options.mode === 'dark' },
  };
  const form = { action: '#', csrf: '', lang: options.language };
  const legal = { termsOfUseUrl: settings.termsOfUseUrl, privacyPolicyUrl: settings.privacyPolicyUrl };
  if (options.page === 'register' && settings.signUp.enabled) {
    return registerPage(ctx, {
      ...form,
      appName: options.appName,
      fields: {
        username: settings.signUp.username,
        email: settings.signUp.email,
        password: settings.signUp.password,
      },
      values: {},
      errors: {},
      minLength: settings.passwordMinLength,
      signInHref: '#',
      legal,
    });
  }
  // As on the server: a disabled sign-up shows the sign-in page (with a note unless social buttons sign up).
  const socialOnly = settings.social.signUp && settings.social.targets.length > 0;
  return signInPage(ctx, {
    ...form,
    social: buttons.map((button) => ({
      id: button.id,
      name: socialName(button, options.language),
      logo: button.logo,
      logoDark: button.logoDark,
    })),
    passwordForm: settings.passwordSignIn || buttons.length === 0,
    appName: options.appName,
    identifierLabel: identifierLabel(settings),
    info: options.page === 'register' && !socialOnly ? ctx.t('register.disabled') : undefined,
    registerHref: settings.signUp.enabled ? '#' : undefined,
    forgotHref: settings.passwordSignIn && settings.signInIdentifiers.includes('email') ? '#' : undefined,
    codeHref: settings.codeSignIn ? '#' : undefined,
    legal,
  });
};
