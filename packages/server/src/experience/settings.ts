import type { SignInExperience } from '../domain/sign-in-experience/sign-in-experience.schemas.ts';
import type { ExperienceSettings } from './services.ts';

/**
 * What the hosted pages make of the sign-in experience settings (Logto's shape): which forms, links and buttons
 * they show. Pure, so the console's preview renders unsaved settings exactly as the pages will.
 */
export const experienceSettingsOf = (s: Omit<SignInExperience, 'tenantId' | 'id'>): ExperienceSettings => {
  const methods = s.signIn.methods;
  const registrable =
    s.signInMode !== 'SignIn' && s.signUp.identifiers.some((id) => id === 'username' || id === 'email');
  return {
    signInIdentifiers: methods.filter((method) => method.password).map((method) => method.identifier),
    passwordSignIn: methods.some((method) => method.password),
    codeSignIn: methods.some((method) => method.identifier === 'email' && method.verificationCode),
    signUp: {
      enabled: registrable,
      username: s.signUp.identifiers.includes('username'),
      email: s.signUp.identifiers.includes('email'),
      password: s.signUp.password,
      verify: s.signUp.verify,
    },
    passwordMinLength: s.passwordPolicy.length.min,
    fallbackLanguage: s.languageInfo.fallbackLanguage,
    autoDetectLanguage: s.languageInfo.autoDetect,
    branding: {
      logoUrl: s.branding.logoUrl,
      darkLogoUrl: s.branding.darkLogoUrl,
      favicon: s.branding.favicon,
      primaryColor: s.color.primaryColor,
      darkPrimaryColor: s.color.darkPrimaryColor,
      isDarkModeEnabled: s.color.isDarkModeEnabled,
    },
    social: { targets: s.socialSignInConnectorTargets, signUp: s.signInMode !== 'SignIn' },
    termsOfUseUrl: s.termsOfUseUrl ?? undefined,
    privacyPolicyUrl: s.privacyPolicyUrl ?? undefined,
    version: Buffer.from(
      `${s.color.primaryColor}${s.color.darkPrimaryColor}${s.color.isDarkModeEnabled}`,
    ).toString('base64url'),
  };
};
