import type { Kysely } from 'kysely';
import Provider, {
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Database } from '../db/schema.ts';
import { matchesAnyDigest } from '../domain/applications/application-secrets.ts';
import { claimsByScope, findAccount, supportedScopes } from './account.ts';
import { createAdapterClass } from './adapter.ts';
import { type Directory, toClientMetadata } from './directory.ts';
import type { OidcKeys } from './keys.ts';

export type ProviderOptions = {
  issuer: string;
  endpoint: string;
  db: Kysely<Database>;
  tenantId: string;
  directory: Directory;
  keys: OidcKeys;
  placeholderSecret: string;
  trustProxy: boolean;
  refreshGraceSeconds: number;
  /** Sliding refresh-token lifetime when the app sets none (seconds). */
  refreshTokenTtl: number;
  /** Grant lifetime, also the absolute limit of a refresh-token family (seconds). */
  grantTtl: number;
  /** A session unused this long ends (seconds; OWASP ASVS V7.3.1 idle timeout). */
  sessionIdleTtl: number;
  /** A session ends this long after its sign-in, however often used (seconds; ASVS V7.3.2 absolute timeout). */
  sessionAbsoluteTtl: number;
  /** Our own pages for RP-initiated logout (the confirmation, and "signed out" without a redirect URI). */
  logoutPages: LogoutPages;
};

/** Renders the logout pages (HTML); `form` is oidc-provider's hidden form with the anti-CSRF `xsrf` value. */
export type LogoutPages = {
  confirm(ctx: KoaContextWithOIDC, form: string): Promise<string>;
  done(ctx: KoaContextWithOIDC): Promise<string>;
};

export const extraAuthorizationParams = [
  'first_screen',
  'interaction_mode',
  'direct_sign_in',
  'organization_id',
];

const day = 24 * 60 * 60;

/** First-party apps are consented automatically, even with `prompt=consent` (SPEC §2). */
const isFirstParty = async (directory: Directory, clientId: string | undefined) =>
  clientId !== undefined && (await directory.findClient(clientId))?.isThirdParty === false;

const consentPolicy = (directory: Directory) => {
  const policy = interactionPolicy.base();
  const consent = policy.get('consent');
  for (const check of consent?.checks ?? []) {
    const original = check.check;
    check.check = async (ctx: KoaContextWithOIDC) =>
      (await isFirstParty(directory, ctx.oidc.client?.clientId))
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : original(ctx);
  }
  return policy;
};

/** Which hosted page an interaction starts on (SPEC §5). */
const interactionUrl =
  (endpoint: string) =>
  (_ctx: KoaContextWithOIDC, interaction: { prompt: { name: string }; params: Record<string, unknown> }) => {
    if (interaction.prompt.name === 'consent') return `${endpoint}/consent`;
    const { first_screen: firstScreen, interaction_mode: mode } = interaction.params;
    const register = mode === 'signUp' || firstScreen === 'register' || firstScreen === 'identifier:register';
    return `${endpoint}/${register ? 'register' : 'sign-in'}`;
  };

export const createProvider = (options: ProviderOptions): Provider => {
  const { directory, db, tenantId } = options;
  const signingAlg = (options.keys.signing[0]?.alg ?? 'ES256') as 'ES256' | 'RS256';
  const Adapter = createAdapterClass({ db, tenantId, refreshGraceSeconds: options.refreshGraceSeconds });

  // The subject whose roles bound the scopes of a resource token: the user, or the M2M app itself.
  const grantedScopes = async (ctx: KoaContextWithOIDC, indicator: string): Promise<string[] | undefined> => {
    const accountId = ctx.oidc.entities.Account?.accountId ?? ctx.oidc.session?.accountId;
    if (accountId) return directory.grantedScopes({ userId: accountId }, indicator);
    if (
      ctx.oidc.route === 'token' &&
      ctx.oidc.params?.grant_type === 'client_credentials' &&
      ctx.oidc.client
    ) {
      return directory.grantedScopes({ applicationId: ctx.oidc.client.clientId }, indicator);
    }
    return undefined; // at the authorization endpoint, before sign-in: validate only
  };

  const configuration: Configuration = {
    adapter: (name: string) => {
      if (name === 'Client') {
        return {
          find: async (id: string) => {
            const client = await directory.findClient(id);
            return client ? toClientMetadata(client, options.placeholderSecret) : undefined;
          },
        } as never;
      }
      return new Adapter(name) as never;
    },
    jwks: { keys: options.keys.signing as never },
    // SPEC §5, SECURITY-TESTS B6: `__Host-` cookies (Secure, Path=/, no Domain) when served over https. The resume
    // cookie's path is the authorization resume URL, so it can only be `__Secure-`. Over plain-http development
    // (ENDPOINT http://…) browsers refuse both prefixes: plain names are used there.
    cookies: {
      keys: options.keys.cookieKeys,
      names: options.endpoint.startsWith('https:')
        ? { session: '__Host-gh_session', interaction: '__Host-gh_interaction', resume: '__Secure-gh_resume' }
        : { session: 'gh_session', interaction: 'gh_interaction', resume: 'gh_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax', path: '/' },
      short: { signed: true, httpOnly: true, sameSite: 'lax', path: '/' },
    },
    findAccount: (_ctx, sub) => findAccount(db, tenantId, sub),
    claims: Object.fromEntries(Object.entries(claimsByScope).map(([scope, claims]) => [scope, [...claims]])),
    scopes: supportedScopes,
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // SPEC §2: what Gatehouse clients can actually use. Secrets are stored as digests, so no client_secret_jwt.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    pkce: { required: (_ctx, client) => client.tokenEndpointAuthMethod === 'none' },
    extraParams: extraAuthorizationParams,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: signingAlg,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
    },
    features: {
      devInteractions: { enabled: false },
      // Not part of the contract; off so discovery advertises only what is supported and tested.
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 7662 §2.1 leaves to the server who may introspect what: a client learns only about its own tokens,
      // so one app cannot read who another app's users are or what they granted (answered `active: false`).
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      // RFC 7009 §2.1: a token is revoked only by the client it was issued to; another confidential client is told
      // so (invalid_request), a public one gets the usual 200 and nothing happens.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // SECURITY-TESTS A14: a cross-site GET cannot end a session without this confirmation, which posts
        // oidc-provider's form (with its xsrf token) from our branded, translated page.
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = await options.logoutPages.confirm(ctx, form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = await options.logoutPages.done(ctx);
        },
      },
      resourceIndicators: {
        enabled: true,
        // No default resource: without `resource` the access token is opaque and serves /oidc/me.
        defaultResource: () => undefined as never,
        // A token request without `resource` gets an opaque token for /oidc/me, as Logto SDKs expect.
        useGrantedResource: () => false,
        getResourceServerInfo: async (ctx, indicator) => {
          const resource = await directory.findResource(indicator);
          if (!resource) throw new errors.InvalidTarget(`resource indicator ${indicator} is not registered`);
          const granted = await grantedScopes(ctx, indicator);
          const scope = (granted ?? resource.scopes)
            .filter((name) => resource.scopes.includes(name))
            .join(' ');
          return {
            scope,
            audience: resource.indicator,
            accessTokenTTL: resource.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // SPEC §2: a JWT access token always carries `scope`, the empty string when nothing was granted
        // (Logto's Python SDK reads it unconditionally). RFC 9068 §2.2: `typ` is `at+jwt` (oidc-provider's default).
        jwt: async (_ctx, _token, jwt) => {
          jwt.payload.scope ??= '';
        },
      },
    },
    rotateRefreshToken: async (ctx) => {
      const client = ctx.oidc.client ? await directory.findClient(ctx.oidc.client.clientId) : undefined;
      return client?.rotateRefreshToken ?? true;
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      // Lifetimes are synchronous hooks; the client is in the cache, loaded when it authenticated.
      AccessToken: (_ctx, token, client) => {
        if (token.resourceServer) return token.resourceServer.accessTokenTTL ?? 3600;
        return directory.peekClient(client.clientId)?.accessTokenTtl ?? 3600;
      },
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      // Saved again at every use, so this is an idle timeout, capped by the absolute one counted from sign-in.
      Session: (_ctx, session) => {
        const now = Math.floor(Date.now() / 1000);
        const loginTs = session.loginTs;
        if (typeof loginTs !== 'number') return options.sessionIdleTtl;
        return Math.max(1, Math.min(options.sessionIdleTtl, loginTs + options.sessionAbsoluteTtl - now));
      },
      Grant: options.grantTtl,
      RefreshToken: (_ctx, token, client) => {
        const record = directory.peekClient(client.clientId);
        const sliding = record?.refreshTokenTtlDays
          ? record.refreshTokenTtlDays * day
          : options.refreshTokenTtl;
        // The family's absolute limit: no refresh token outlives its first one by more than the grant lifetime.
        const familyStart = token.iiat ?? token.iat ?? Math.floor(Date.now() / 1000);
        const remaining = familyStart + options.grantTtl - Math.floor(Date.now() / 1000);
        return Math.max(1, Math.min(sliding, remaining));
      },
    },
    interactions: { url: interactionUrl(options.endpoint) as never, policy: consentPolicy(directory) },
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!(await isFirstParty(directory, clientId))) return existing;
      // First-party: the grant covers what was requested, bounded for API resources by the user's roles.
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId, accountId });
      const requested = String(ctx.oidc.params?.scope ?? '')
        .split(' ')
        .filter((scope) => supportedScopes.includes(scope));
      if (requested.length) grant.addOIDCScope(requested.join(' '));
      const resources = ctx.oidc.params?.resource;
      for (const indicator of Array.isArray(resources) ? resources : resources ? [String(resources)] : []) {
        const resource = await directory.findResource(indicator);
        if (!resource) continue;
        const granted = await directory.grantedScopes({ userId: accountId }, indicator);
        const scopes = String(ctx.oidc.params?.scope ?? '')
          .split(' ')
          .filter((scope) => granted.includes(scope));
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      await grant.save();
      return grant;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      const escapeHtml = (value: unknown) =>
        String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign-in error</title></head><body><main><h1>Something went wrong</h1><p><code>${escapeHtml(out.error)}</code></p><p>${escapeHtml(out.error_description)}</p></main></body></html>`;
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy;

  // RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1: these endpoints take POST only. oidc-provider routes nothing else
  // there, so another method fell through to the app's plain-text 404; answer 405 with `Allow` (RFC 9110 §15.5.6)
  // and an OAuth error body instead (SECURITY-TESTS A11).
  const postOnly = new Set(['/token', '/token/introspection', '/token/revocation']);
  const notAllowedGrantType = 'requested grant type is not allowed for this client';
  // One middleware, which passes every other request straight on (no extra async layer on discovery, JWKS…).
  provider.use((ctx, next) => {
    if (!postOnly.has(ctx.path)) return next();
    if (ctx.method !== 'POST' && ctx.method !== 'OPTIONS') {
      ctx.status = 405;
      ctx.set('Allow', 'POST, OPTIONS');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        error: 'invalid_request',
        error_description: `${ctx.method} is not allowed here, use POST`,
      };
      return Promise.resolve();
    }
    return tokenFixups(ctx as unknown as KoaContextWithOIDC, next);
  });

  // Token endpoint errors where oidc-provider departs from the RFCs; corrected after it has answered.
  const tokenFixups = async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    // Answers about tokens are never stored by a cache, errors included (RFC 6749 §5.1; RFC 7662 §2.2 says the
    // same of introspection; oidc-provider leaves it off introspection and revocation errors).
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path !== '/token' || ctx.status !== 400) return;
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    // RFC 6749 §5.2: a grant type the authenticated client is not registered for is `unauthorized_client`;
    // oidc-provider answers `invalid_request` with this description (SECURITY-TESTS A10).
    if (body?.error === 'invalid_request' && body.error_description === notAllowedGrantType) {
      body.error = 'unauthorized_client';
      return;
    }
    // RFC 6749 §5.2: an unsupported authentication method is `invalid_client` (401). Client assertions are not
    // offered (discovery lists only basic, post and none), and oidc-provider then ignores them and reports that
    // no authentication was sent; answer what the RFC asks (SECURITY-TESTS A8).
    if (
      body?.error === 'invalid_request' &&
      (ctx.oidc as { body?: Record<string, unknown> } | undefined)?.body?.client_assertion !== undefined
    ) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="gatehouse", error="invalid_client"');
      ctx.body = {
        error: 'invalid_client',
        error_description:
          'client assertions are not supported; use client_secret_basic or client_secret_post',
      };
      return;
    }
    // RFC 6749 §10.5 (codes are single-use), RFC 7636 §4.6: oidc-provider checks code_verifier, redirect_uri and
    // expiry before it consumes the code, so after a failed redemption the code stayed redeemable and verifiers
    // could be tried one after another. A redemption by the code's own client that ends in invalid_grant uses the
    // code up (SECURITY-TESTS A7); another client's attempt does not, so nobody can burn codes it does not own.
    if (body?.error !== 'invalid_grant') return;
    const { client, params } = (ctx.oidc as KoaContextWithOIDC['oidc'] | undefined) ?? {};
    if (!client || params?.grant_type !== 'authorization_code' || typeof params.code !== 'string') return;
    const code = await provider.AuthorizationCode.find(params.code).catch(() => undefined);
    // consume() is one conditional UPDATE (adapter.ts); on a code already used it throws, which changes nothing.
    if (code && code.clientId === client.clientId) await code.consume().catch(() => undefined);
  };

  // SPEC §3: secrets are stored as SHA-256 digests and an app may hold several; compare the presented secret
  // against all unexpired ones in constant time instead of oidc-provider's single plaintext comparison.
  const ClientClass = provider.Client as unknown as {
    prototype: { compareClientSecret(actual: string): Promise<boolean>; clientId: string };
  };
  ClientClass.prototype.compareClientSecret = async function compareClientSecret(
    this: { clientId: string },
    actual: string,
  ) {
    const client = await directory.findClient(this.clientId);
    const now = Date.now();
    const digests = (client?.secrets ?? [])
      .filter((secret) => !secret.expiresAt || new Date(secret.expiresAt).getTime() > now)
      .map((secret) => secret.digest);
    return matchesAnyDigest(actual, digests);
  };
  return provider;
};
