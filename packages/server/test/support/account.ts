import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type ApiClient, assertStatus, type Loose, managementClient } from './api-client.ts';
import {
  beginAuthorization,
  createUserWithPassword,
  type ExperienceHarness,
  finishAtClient,
  followToCallback,
  redirectUri,
  submitSignIn,
  uniqueName,
} from './experience.ts';
import { type Client, redeem } from './protocol.ts';
import { addOidcConnector, type TestConnector } from './social.ts';
import { signInUpstream, type Upstream } from './upstream.ts';

/**
 * The Account API as an app uses it (issue 6 item 3): a user signs in through the hosted pages, the app redeems
 * the code, and the opaque access token (no `resource`: Logto's token "for OP") calls `/api/my-account`.
 */

/** The scopes the tests ask for unless told otherwise. */
export const allAccountScopes = 'openid profile email identities custom_data offline_access';

export const verificationHeader = 'logto-verification-id';

/** Every field editable, the Account API on. */
export const allFieldsEditable = {
  name: 'Edit',
  avatar: 'Edit',
  profile: 'Edit',
  email: 'Edit',
  phone: 'Edit',
  password: 'Edit',
  username: 'Edit',
  social: 'Edit',
  customData: 'Edit',
} as const;

export const setAccountCenter = async (api: ApiClient, body: unknown) => {
  const response = await api.patch('/api/account-center', body);
  assertStatus(response, 200);
  return response.body as Loose;
};

/** An Account API client holding a user's access token; `verified(id)` adds the `logto-verification-id` header. */
export type AccountApi = ApiClient & { verified(id: string): ApiClient };

const withHeaders = (api: ApiClient, headers: Record<string, string>): ApiClient => {
  const send: ApiClient['send'] = (method, path, init = {}) =>
    api.send(method, path, { ...init, headers: { ...headers, ...init.headers } });
  return {
    send,
    get: (path) => send('GET', path),
    post: (path, body = {}) => send('POST', path, { body }),
    patch: (path, body = {}) => send('PATCH', path, { body }),
    del: (path) => send('DELETE', path),
  };
};

export const accountClient = async (h: ExperienceHarness, accessToken: string): Promise<AccountApi> => {
  const api = await managementClient(h.t, { authorization: `Bearer ${accessToken}` });
  return Object.assign(api, { verified: (id: string) => withHeaders(api, { [verificationHeader]: id }) });
};

/**
 * Signs `username` in on the hosted pages through `app` (a first-party app; a third-party one passes its consent
 * page) with `scope`, redeems the code, and answers the token response.
 */
export const signInForTokens = async (
  h: ExperienceHarness,
  login: { username: string; password: string },
  options: { scope?: string; app?: Client; consent?: boolean } = {},
) => {
  const app = options.app ?? h.app;
  // OIDC Core §11: `offline_access` (a refresh token) is granted only with prompt=consent; first-party apps are
  // consented automatically.
  const flow = await beginAuthorization(h.t, app, {
    params: { scope: options.scope ?? allAccountScopes, prompt: 'consent' },
  });
  const answer = await submitSignIn(flow, login.username, login.password);
  if (!options.consent) return finishAtClient(h.t, app, flow, answer);
  assert.equal(answer.status, 303, 'signed in');
  const consent = (await flow.browser.follow(answer.location ?? '')).page;
  assert.ok(consent && consent.status === 200, 'a consent page');
  const approved = await flow.browser.post('/consent', { _csrf: consent.csrf ?? '', decision: 'approve' });
  const params = await followToCallback(flow.browser, approved);
  const code = params.get('code');
  assert.ok(code, `a code: ${params}`);
  return redeem(h.t, app, code, redirectUri, flow.verifier);
};

export type AccountUser = {
  id: string;
  username: string;
  password: string;
  email: string | undefined;
  accessToken: string;
  refreshToken: string | undefined;
  api: AccountApi;
};

/** A new user with a password (and an email when `email: true`), signed in: its Account API client. */
export const signedInUser = async (
  h: ExperienceHarness,
  options: { email?: boolean; scope?: string; password?: string } = {},
): Promise<AccountUser> => {
  const username = uniqueName('acct');
  const password = options.password ?? `correct horse ${randomBytes(4).toString('hex')} staple`;
  const email = options.email ? `${username}@example.com` : undefined;
  const user = await createUserWithPassword(h.api, {
    username,
    password,
    ...(email && { primaryEmail: email }),
  });
  const tokens = await signInForTokens(h, { username, password }, { scope: options.scope });
  return {
    id: user.id,
    username,
    password,
    email,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    api: await accountClient(h, tokens.access_token),
  };
};

/** `POST /api/verifications/password` → the record id (asserts 201). */
export const verifyPassword = async (user: Pick<AccountUser, 'api' | 'password'>) => {
  const response = await user.api.post('/api/verifications/password', { password: user.password });
  assertStatus(response, 201);
  return response.body.verificationRecordId as string;
};

/** The audit entries of a user, oldest first. */
export const auditEntries = async (h: ExperienceHarness, userId: string) =>
  h.t.registry.db.kysely
    .selectFrom('audit_logs')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

/** Where the provider sends the browser back after a link started from the Account API: the app's own page. */
export const linkRedirectUri = 'https://app.example.com/account/linked';

/**
 * A generic OIDC connector for `upstream` (Management API), its upstream client allowed to return both to
 * Gatehouse's callback (sign-in pages) and to the app's link page (Account API).
 */
export const addLinkConnector = (
  h: ExperienceHarness,
  upstream: Upstream,
  options: { enableTokenStorage?: boolean } = {},
): Promise<TestConnector> =>
  addOidcConnector(h, upstream, {
    show: false,
    enableTokenStorage: options.enableTokenStorage,
    extraRedirectUris: [linkRedirectUri],
  });

/** `POST /api/verifications/social` → its answer (asserts 201). */
export const startSocialVerification = async (
  api: ApiClient,
  connector: TestConnector,
  state = randomBytes(12).toString('base64url'),
) => {
  const response = await api.post('/api/verifications/social', {
    connectorId: connector.id,
    redirectUri: linkRedirectUri,
    state,
  });
  assertStatus(response, 201);
  return response.body as { verificationRecordId: string; authorizationUri: string; expiresAt: string };
};

/** The whole social verification: start, sign in at the upstream, verify. Answers the verified record id. */
export const verifySocialIdentity = async (
  api: ApiClient,
  connector: TestConnector,
  login: { login: string; password: string },
) => {
  const started = await startSocialVerification(api, connector);
  const callback = await signInUpstream(started.authorizationUri, login);
  assert.ok(callback.url.startsWith(linkRedirectUri), `back at the app: ${callback.url}`);
  const verified = await api.post('/api/verifications/social/verify', {
    verificationRecordId: started.verificationRecordId,
    connectorData: callback.params,
  });
  assertStatus(verified, 200);
  return started.verificationRecordId;
};
