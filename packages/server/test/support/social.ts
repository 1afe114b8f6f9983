import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { assertStatus } from './api-client.ts';
import {
  type Authorization,
  beginAuthorization,
  type ExperienceHarness,
  type Page,
  setSignInExperience,
  uniqueName,
} from './experience.ts';
import { signInUpstream, type Upstream, type UpstreamCallback } from './upstream.ts';

/** A generic OIDC connector for `upstream`, created through the Management API, its client registered there. */
export type TestConnector = {
  id: string;
  target: string;
  name: string;
  clientId: string;
  clientSecret: string;
};

export const addOidcConnector = async (
  h: ExperienceHarness,
  upstream: Upstream,
  options: {
    target?: string;
    name?: Record<string, string>;
    logo?: string;
    logoDark?: string;
    syncProfile?: boolean;
    tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt';
    responseMode?: 'query' | 'form_post';
    show?: boolean;
    enableTokenStorage?: boolean;
    /** More redirect URIs for the upstream client than Gatehouse's callback (an app's own link page). */
    extraRedirectUris?: string[];
    endpoints?: { authorizationEndpoint?: string; tokenEndpoint?: string; jwksUri?: string };
    client?: Partial<ClientMetadata>;
    /** `oauth2`: the generic OAuth 2.0 connector, reading the upstream's userinfo endpoint through a profile map. */
    factory?: 'oidc' | 'oauth2';
  } = {},
): Promise<TestConnector> => {
  const target = options.target ?? uniqueName('idp');
  const clientId = uniqueName('gatehouse');
  const clientSecret = randomBytes(32).toString('base64url');
  const method = options.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const common = {
    clientId,
    clientSecret,
    authorizationEndpoint: options.endpoints?.authorizationEndpoint ?? upstream.authorizationEndpoint,
    tokenEndpoint: options.endpoints?.tokenEndpoint ?? upstream.tokenEndpoint,
    tokenEndpointAuthMethod: method,
    scope: 'openid profile email',
  };
  const created = await h.api.post('/api/connectors', {
    connectorId: options.factory ?? 'oidc',
    config:
      options.factory === 'oauth2'
        ? {
            ...common,
            userInfoEndpoint: upstream.userinfoEndpoint,
            profileMap: { id: 'sub', email: 'email', emailVerified: 'email_verified', name: 'name' },
          }
        : {
            ...common,
            idTokenVerificationConfig: {
              jwksUri: options.endpoints?.jwksUri ?? upstream.jwksUri,
              issuer: upstream.issuer,
            },
            ...(options.responseMode
              ? { authRequestOptionalConfig: { responseMode: options.responseMode } }
              : {}),
          },
    metadata: {
      target,
      name: options.name ?? { en: `${target} ID` },
      ...(options.logo ? { logo: options.logo } : {}),
      ...(options.logoDark ? { logoDark: options.logoDark } : {}),
    },
    syncProfile: options.syncProfile ?? false,
    enableTokenStorage: options.enableTokenStorage ?? false,
  });
  assertStatus(created, 201);
  const id = (created.body as { id: string }).id;
  await upstream.registerClient({
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [`${h.t.registry.config.endpoint}/callback/${id}`, ...(options.extraRedirectUris ?? [])],
    token_endpoint_auth_method: method,
    ...(method === 'client_secret_jwt' ? { token_endpoint_auth_signing_alg: 'HS256' } : {}),
    ...options.client,
  });
  if (options.show !== false) await showConnectors(h, [target]);
  return { id, target, name: options.name?.en ?? `${target} ID`, clientId, clientSecret };
};

/** Lists `targets` as the social buttons of the sign-in page. */
export const showConnectors = (h: ExperienceHarness, targets: string[]) =>
  setSignInExperience(h.t, h.api, { socialSignInConnectorTargets: targets });

/** Presses "Continue with …" for `connector` on the sign-in page of `flow`; answers the upstream URL. */
export const pressSocialButton = async (flow: Authorization, connector: TestConnector, page = flow.page) => {
  assert.match(page.html, new RegExp(`data-connector="${connector.id}"`), 'the button is on the page');
  const answer = await flow.browser.post('/sign-in/social', {
    _csrf: page.csrf ?? '',
    connector: connector.id,
  });
  assert.equal(answer.status, 303, `a 303 to the provider, got ${answer.status}`);
  assert.ok(answer.location, 'a Location');
  return answer.location;
};

/**
 * Brings the upstream's authorization response back to Gatehouse as the browser would: a GET of the redirect
 * URI, or for `form_post` the POST (then its 303). Answers Gatehouse's answer to the GET /callback.
 */
export const returnFromUpstream = async (flow: Authorization, callback: UpstreamCallback): Promise<Page> => {
  if (callback.method === 'GET') return flow.browser.get(callback.url);
  const posted = await flow.browser.post(new URL(callback.url).pathname, callback.params);
  assert.equal(posted.status, 303, 'form_post: a 303 to the GET callback');
  return flow.browser.get(posted.location ?? assert.fail('a Location'));
};

/** The whole round trip: button, upstream sign-in, callback. Answers Gatehouse's answer to the callback. */
export const signInWithConnector = async (
  h: ExperienceHarness,
  connector: TestConnector,
  login: { login: string; password: string; deny?: 'at-login' | 'at-consent' },
  options: { flow?: Authorization; params?: Record<string, string> } = {},
) => {
  const flow = options.flow ?? (await beginAuthorization(h.t, h.app, { params: options.params }));
  const upstreamUrl = await pressSocialButton(flow, connector);
  const callback = await signInUpstream(upstreamUrl, login);
  return { flow, upstreamUrl, callback, answer: await returnFromUpstream(flow, callback) };
};

/** Counts of users and identities, to show that a refused callback stored nothing. */
export const storedCounts = async (h: ExperienceHarness) => {
  const db = h.t.registry.db.kysely;
  const users = await db
    .selectFrom('users')
    .select(db.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const identities = await db
    .selectFrom('user_identities')
    .select(db.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return { users: Number(users.n), identities: Number(identities.n) };
};
