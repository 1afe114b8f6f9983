import type { SignInExperience } from '../../src/domain/sign-in-experience/sign-in-experience.schemas.ts';
import { type ApiClient, assertStatus } from './api-client.ts';

/**
 * `GET /api/sign-in-exp` before anything was set (SPEC §5): username or email with a password, username sign-up.
 * Written out here rather than read from the source, so that a changed default shows up in the tests.
 */
export const defaultSignInExperienceAnswer: SignInExperience = {
  tenantId: 'default',
  id: 'default',
  signIn: {
    methods: [
      { identifier: 'username', password: true, verificationCode: false, isPasswordPrimary: true },
      { identifier: 'email', password: true, verificationCode: false, isPasswordPrimary: true },
    ],
  },
  signUp: { identifiers: ['username'], password: true, verify: false },
  passwordPolicy: {
    length: { min: 8, max: 256 },
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

/**
 * A social (OIDC) connector for `target`, made through the Management API, shown as `name` (per language); its
 * endpoints are never called, so it is only fit for what a page shows (the preview, the buttons' order).
 */
export const addDisplayedConnector = async (api: ApiClient, target: string, name: Record<string, string>) => {
  const created = await api.post('/api/connectors', {
    connectorId: 'oidc',
    config: {
      clientId: `client-${target}`,
      clientSecret: 'a-secret-that-is-long-enough-0123456789',
      authorizationEndpoint: `https://${target}.example.com/authorize`,
      tokenEndpoint: `https://${target}.example.com/token`,
      scope: 'openid profile email',
      idTokenVerificationConfig: {
        jwksUri: `https://${target}.example.com/jwks`,
        issuer: `https://${target}.example.com`,
      },
    },
    metadata: { target, name },
    syncProfile: false,
    enableTokenStorage: false,
  });
  assertStatus(created, 201);
};
