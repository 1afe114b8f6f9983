import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { base64url, decodeProtectedHeader, SignJWT } from 'jose';
import {
  createJwksCache,
  createOidcConnector,
  type OutboundFetch,
  SocialSignInError,
} from '../src/connectors/social/connector.ts';
import type { SocialErrorCode } from '../src/connectors/social/errors.ts';
import type { OidcConnectorConfig } from '../src/connectors/social/schemas.ts';
import { createOutboundFetch } from '../src/net/outbound.ts';
import {
  createSigningKey,
  type FakeProvider,
  type FakeReply,
  signInUpstream,
  startFakeProvider,
  startUpstream,
  type Upstream,
} from './support/upstream.ts';

/**
 * The generic OIDC connector as a relying party (SPEC §6, issue 5 item 2, SECURITY-TESTS C2–C7, C9, C10).
 * Happy paths and what a correct provider does run against a real oidc-provider; what only a broken or hostile
 * provider would send comes from a fake provider on loopback whose answers each test sets.
 */

type ConfigInput = Parameters<typeof createOidcConnector>[0];

const redirectUri = 'https://gatehouse.example.test/callback/conn_oidc';
const secret = 'upstream-secret-0123456789abcdef0123456789abcdef0123456789abcdef';

const newAttempt = () => {
  const codeVerifier = randomBytes(32).toString('base64url');
  return {
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    codeVerifier,
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
  };
};

/** Asserts a `SocialSignInError` with `code` (and, when given, a `reason` containing `reason`). */
const refusedWith = async (promise: Promise<unknown>, code: SocialErrorCode, reason?: string) => {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SocialSignInError, `expected SocialSignInError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `${caught.code}: ${caught.message}`);
  if (reason)
    assert.ok(caught.reason?.includes(reason), `reason "${caught.reason}" should include "${reason}"`);
  return caught;
};

const alice = {
  password: 'alice-password',
  claims: {
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Example',
    picture: 'https://cdn.example.com/alice.png',
    phone_number: '+66812345678',
    phone_number_verified: true,
  },
};

// ---------------------------------------------------------------------------------------------------------

describe('the OIDC connector against a real provider (OIDC Core §3.1, RFC 6749 §4.1, RFC 7636)', () => {
  let upstream: Upstream;
  const jwks = createJwksCache({ fetch });

  before(async () => {
    upstream = await startUpstream({
      accounts: {
        alice,
        bob: { password: 'bob-password', claims: { email: 'bob@example.com', email_verified: false } },
      },
    });
  });
  after(() => upstream.stop());

  /** Registers a client at the upstream that may use only `method`, and the matching connector config. */
  const register = async (
    method: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt',
    options: { clientId?: string; clientSecret?: string; alg?: 'HS256' | 'HS384' | 'HS512' } = {},
  ): Promise<ConfigInput> => {
    const clientId = options.clientId ?? `rp-${method}-${randomBytes(4).toString('hex')}`;
    const clientSecret = options.clientSecret ?? secret;
    await upstream.registerClient({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: method,
      ...(method === 'client_secret_jwt' ? { token_endpoint_auth_signing_alg: options.alg ?? 'HS256' } : {}),
    });
    return {
      clientId,
      clientSecret,
      authorizationEndpoint: upstream.authorizationEndpoint,
      tokenEndpoint: upstream.tokenEndpoint,
      tokenEndpointAuthMethod: method,
      clientSecretJwtSigningAlgorithm: options.alg ?? 'HS256',
      scope: 'email profile phone',
      idTokenVerificationConfig: { jwksUri: upstream.jwksUri, issuer: upstream.issuer },
    };
  };

  /** One sign-in through the upstream's pages; answers what `finish` answered and the attempt. */
  const signIn = async (
    config: ConfigInput,
    options: {
      login?: string;
      password?: string;
      deny?: 'at-login' | 'at-consent';
      fetch?: OutboundFetch;
      connectorJwks?: ReturnType<typeof createJwksCache>;
      tamper?: (params: Record<string, string>) => Record<string, string>;
      finishWith?: { nonce?: string; codeVerifier?: string };
    } = {},
  ) => {
    const connector = createOidcConnector(config, {
      fetch: options.fetch ?? fetch,
      jwks: options.connectorJwks ?? jwks,
    });
    const attempt = newAttempt();
    const url = connector.authorizationUrl({ redirectUri, ...attempt });
    const callback = await signInUpstream(url, {
      login: options.login ?? 'alice',
      password: options.password ?? alice.password,
      ...(options.deny ? { deny: options.deny } : {}),
    });
    assert.equal(callback.params.state, attempt.state);
    const params = options.tamper ? options.tamper(callback.params) : callback.params;
    const result = connector.finish({
      params,
      redirectUri,
      nonce: options.finishWith?.nonce ?? attempt.nonce,
      codeVerifier: options.finishWith?.codeVerifier ?? attempt.codeVerifier,
    });
    return { result, attempt, callback, connector, params };
  };

  for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const) {
    it(`signs in with the authorization code flow, authenticating with ${method} (RFC 6749 §2.3.1, OIDC Core §9)`, async () => {
      const config = await register(method);
      const before = upstream.seen.tokenRequests.length;
      const { result } = await signIn(config);
      const { profile, tokens } = await result;

      assert.equal(profile.id, 'alice');
      assert.equal(profile.email, 'alice@example.com');
      assert.equal(profile.name, 'Alice Example');
      assert.equal(profile.avatar, 'https://cdn.example.com/alice.png');
      assert.equal(profile.phone, '+66812345678');
      assert.equal(profile.rawData.iss, upstream.issuer);
      assert.equal(profile.rawData.email_verified, true);
      assert.ok(tokens.idToken && tokens.accessToken);
      assert.equal(tokens.tokenType, 'Bearer');
      assert.equal(typeof tokens.expiresIn, 'number');
      assert.match(tokens.scope ?? '', /openid/);

      // The client is registered for this method only, and the upstream saw exactly this method succeed.
      const seen = upstream.seen.tokenRequests.slice(before);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.authMethod, method);
      assert.equal(seen[0]?.clientId, config.clientId);
      assert.equal(seen[0]?.status, 200);
    });
  }

  for (const alg of ['HS384', 'HS512'] as const) {
    it(`signs the client_secret_jwt assertion with ${alg}: iss = sub = client id, aud = token endpoint, unique jti, exp ≤ 60 s (RFC 7523 §3)`, async () => {
      const config = await register('client_secret_jwt', { alg });
      const before = upstream.seen.tokenRequests.length;
      await (await signIn(config)).result;
      await (await signIn(config)).result;
      const [first, second] = upstream.seen.tokenRequests.slice(before);
      assert.equal(first?.status, 200);
      assert.equal(second?.status, 200);
      assert.equal(first?.assertion?.header.alg, alg);
      const claims = first?.assertion?.claims ?? {};
      assert.equal(claims.iss, config.clientId);
      assert.equal(claims.sub, config.clientId);
      assert.equal(claims.aud, upstream.tokenEndpoint);
      assert.ok(Number(claims.exp) - Number(claims.iat) <= 60);
      assert.ok(Number(claims.iat) <= Math.ceil(Date.now() / 1000));
      assert.ok(typeof claims.jti === 'string' && claims.jti.length >= 16);
      assert.notEqual(claims.jti, second?.assertion?.claims.jti);
      assert.ok(first?.params.includes('client_assertion_type'));
      assert.ok(!first?.params.includes('client_secret'));
    });
  }

  it('form-encodes the client id and secret before base64 in client_secret_basic (RFC 6749 §2.3.1): ":", space, "+", "%"', async () => {
    const config = await register('client_secret_basic', {
      clientId: 'rp:basic +%/&=~*',
      clientSecret: 'se:cret +%&=/~*!()-0123456789abcdef0123456789abcdef0123456789abcdef',
    });
    const before = upstream.seen.tokenRequests.length;
    const { profile } = await (await signIn(config)).result;
    assert.equal(profile.id, 'alice');
    assert.equal(upstream.seen.tokenRequests[before]?.clientId, 'rp:basic +%/&=~*');
    assert.equal(upstream.seen.tokenRequests[before]?.authMethod, 'client_secret_basic');
  });

  it('sends PKCE S256 and the upstream binds the code to it: a wrong verifier is refused (RFC 7636 §4.3, §4.6)', async () => {
    const config = await register('client_secret_basic');
    const { result, attempt } = await signIn(config, {
      finishWith: { codeVerifier: newAttempt().codeVerifier },
    });
    const sent = upstream.seen.authorizations.at(-1);
    assert.equal(sent?.get('code_challenge'), attempt.codeChallenge);
    assert.equal(sent?.get('code_challenge_method'), 'S256');
    const error = await refusedWith(result, 'social.token_request_failed');
    assert.equal(error.upstreamError, 'invalid_grant');
  });

  it('sends the authorization request the spec describes: code, openid added, state, nonce, snake_case options', async () => {
    const config = await register('client_secret_post');
    const { result, attempt } = await signIn({
      ...config,
      scope: 'profile email',
      authRequestOptionalConfig: {
        prompt: 'login consent',
        uiLocales: 'th en',
        loginHint: 'alice',
        maxAge: 600,
      },
      customConfig: { audience_hint: 'gatehouse' },
    });
    await result;
    const sent = upstream.seen.authorizations.at(-1);
    assert.equal(sent?.get('response_type'), 'code');
    assert.equal(sent?.get('client_id'), config.clientId);
    assert.equal(sent?.get('redirect_uri'), redirectUri);
    assert.equal(sent?.get('scope'), 'openid profile email');
    assert.equal(sent?.get('state'), attempt.state);
    assert.equal(sent?.get('nonce'), attempt.nonce);
    assert.equal(sent?.get('prompt'), 'login consent');
    assert.equal(sent?.get('ui_locales'), 'th en');
    assert.equal(sent?.get('login_hint'), 'alice');
    assert.equal(sent?.get('max_age'), '600');
    assert.equal(sent?.get('audience_hint'), 'gatehouse');
  });

  it('finishes a response_mode=form_post callback (OAuth 2.0 Form Post Response Mode)', async () => {
    const config = await register('client_secret_basic');
    const { result, callback } = await signIn({
      ...config,
      authRequestOptionalConfig: { responseMode: 'form_post' },
    });
    assert.equal(callback.method, 'POST');
    assert.equal(callback.url, redirectUri);
    assert.equal((await result).profile.id, 'alice');
  });

  it('reports an upstream error=access_denied with its code, and makes no token request (RFC 6749 §4.1.2.1, SECURITY-TESTS C10)', async () => {
    const config = await register('client_secret_basic');
    const before = upstream.seen.tokenRequests.length;
    for (const deny of ['at-login', 'at-consent'] as const) {
      const { result, callback } = await signIn(config, { deny });
      assert.equal(callback.params.error, 'access_denied');
      const error = await refusedWith(result, 'social.upstream_error');
      assert.equal(error.upstreamError, 'access_denied');
      assert.equal(error.upstreamErrorDescription, 'End-User aborted interaction');
    }
    assert.equal(upstream.seen.tokenRequests.length, before);
  });

  it('refuses a callback whose RFC 9207 iss parameter is not the configured issuer, before any token request (SECURITY-TESTS C3)', async () => {
    const config = await register('client_secret_basic');
    const before = upstream.seen.tokenRequests.length;
    const { result, callback } = await signIn(config, {
      tamper: (params) => ({ ...params, iss: 'https://attacker.example.com' }),
    });
    assert.equal(callback.params.iss, upstream.issuer); // the upstream does send it
    await refusedWith(result, 'social.issuer_mismatch');
    assert.equal(upstream.seen.tokenRequests.length, before);
  });

  it('refuses a code whose ID token carries another nonce (OIDC Core §3.1.3.7 item 11, SECURITY-TESTS C2)', async () => {
    const config = await register('client_secret_basic');
    const { result } = await signIn(config, { finishWith: { nonce: newAttempt().nonce } });
    await refusedWith(result, 'social.nonce_mismatch');
  });

  it('refuses a code redeemed twice, and the error names neither the code nor the secret (RFC 6749 §4.1.2)', async () => {
    const config = await register('client_secret_post');
    const { result, params, connector, attempt } = await signIn(config);
    await result;
    const error = await refusedWith(
      connector.finish({ params, redirectUri, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier }),
      'social.token_request_failed',
    );
    assert.equal(error.upstreamError, 'invalid_grant');
    const text = `${error.message} ${error.upstreamErrorDescription ?? ''} ${JSON.stringify(error)}`;
    assert.ok(!text.includes(params.code ?? '-'));
    assert.ok(!text.includes(secret));
  });

  it('keeps an unverified email out of the profile (email_verified false; SECURITY-TESTS C9)', async () => {
    const config = await register('client_secret_basic');
    const { profile } = await (await signIn(config, { login: 'bob', password: 'bob-password' })).result;
    assert.equal(profile.id, 'bob');
    assert.equal(profile.email, undefined);
    assert.equal(profile.rawData.email, 'bob@example.com');
  });

  it('runs through the SSRF-guarded outbound client, which refuses a loopback provider when private addresses are not allowed (SECURITY-TESTS C8)', async () => {
    const config = await register('client_secret_basic');
    const development = createOutboundFetch({ allowPrivateAddresses: true, allowedHosts: [] });
    const allowed = await signIn(config, {
      fetch: development,
      connectorJwks: createJwksCache({ fetch: development }),
    });
    assert.equal((await allowed.result).profile.id, 'alice');

    const production = createOutboundFetch({ allowPrivateAddresses: false, allowedHosts: [] });
    const before = upstream.seen.tokenRequests.length;
    const refused = await signIn(config, {
      fetch: production,
      connectorJwks: createJwksCache({ fetch: production }),
    });
    await refusedWith(refused.result, 'social.token_request_failed', 'outbound.address_not_allowed');
    assert.equal(upstream.seen.tokenRequests.length, before);
  });

  it('follows an upstream key rotation: an unknown kid refetches the JWKS at most once per cooldown (SECURITY-TESTS C7)', async () => {
    const config = await register('client_secret_basic');
    const cooldownMs = 1_500;
    const rotationJwks = createJwksCache({ fetch, cooldownMs });
    const hits = () => upstream.seen.jwksHits;

    const first = await (await signIn(config, { connectorJwks: rotationJwks })).result;
    const afterFirst = hits();
    const firstKid = decodeProtectedHeader(first.tokens.idToken ?? '').kid;

    const newKid = await upstream.rotateKey();
    assert.notEqual(newKid, firstKid);
    // Within the cooldown of the first fetch: no refetch, so the new key is not known yet.
    const early = (await signIn(config, { connectorJwks: rotationJwks })).result;
    await refusedWith(early, 'social.id_token_invalid', 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal(hits(), afterFirst);

    await new Promise((resolve) => setTimeout(resolve, cooldownMs + 100));
    const rotated = await (await signIn(config, { connectorJwks: rotationJwks })).result;
    assert.equal(decodeProtectedHeader(rotated.tokens.idToken ?? '').kid, newKid);
    assert.equal(hits(), afterFirst + 1);

    // Another unknown kid right after that refetch: refused without a second fetch.
    await upstream.rotateKey();
    const again = (await signIn(config, { connectorJwks: rotationJwks })).result;
    await refusedWith(again, 'social.id_token_invalid', 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal(hits(), afterFirst + 1);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('the OIDC connector against a provider that misbehaves (SECURITY-TESTS C2–C7, C10)', () => {
  let fake: FakeProvider;
  const clientId = 'gatehouse-rp';
  const nonce = 'nonce-0123456789';
  const codeVerifier = 'v'.repeat(43);
  const code = 'code-4f1c2a9e7b';

  before(async () => {
    fake = await startFakeProvider();
  });
  after(() => fake.stop());

  const config = (overrides: Partial<ConfigInput> = {}): ConfigInput => ({
    clientId,
    clientSecret: secret,
    authorizationEndpoint: fake.authorizationEndpoint,
    tokenEndpoint: fake.tokenEndpoint,
    scope: 'openid email profile',
    ...overrides,
    idTokenVerificationConfig: {
      jwksUri: fake.jwksUri,
      issuer: fake.issuer,
      ...overrides.idTokenVerificationConfig,
    } as OidcConnectorConfig['idTokenVerificationConfig'],
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** Standard claims of a valid ID token; `undefined` overrides remove a claim. */
  const claims = (overrides: Record<string, unknown> = {}) =>
    Object.fromEntries(
      Object.entries({
        iss: fake.issuer,
        aud: clientId,
        sub: 'upstream-user-1',
        iat: now(),
        exp: now() + 300,
        nonce,
        email: 'user@example.com',
        email_verified: true,
        ...overrides,
      }).filter(([, value]) => value !== undefined),
    );

  /** The token endpoint answers `idToken` (or `body`), then the connector finishes. */
  const finishWith = async (
    idToken: string | undefined,
    options: {
      config?: ConfigInput;
      params?: Record<string, string>;
      jwks?: ReturnType<typeof createJwksCache>;
      nowDate?: () => Date;
    } = {},
  ) => {
    fake.onToken = () => ({
      body: {
        access_token: 'at-1',
        token_type: 'Bearer',
        expires_in: 3600,
        ...(idToken ? { id_token: idToken } : {}),
      },
    });
    const connector = createOidcConnector(options.config ?? config(), {
      fetch,
      jwks: options.jwks ?? createJwksCache({ fetch }),
      ...(options.nowDate ? { now: options.nowDate } : {}),
    });
    return connector.finish({ params: options.params ?? { code }, redirectUri, nonce, codeVerifier });
  };

  it('accepts a well-formed ID token (the control for the refusals below)', async () => {
    const { profile, tokens } = await finishWith(await fake.sign(claims()));
    assert.equal(profile.id, 'upstream-user-1');
    assert.equal(profile.email, 'user@example.com');
    assert.equal(tokens.accessToken, 'at-1');
    assert.equal(tokens.expiresIn, 3600);
  });

  describe('nonce (OIDC Core §3.1.3.7 item 11, SECURITY-TESTS C2)', () => {
    it('refuses an ID token without a nonce claim when one was sent', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ nonce: undefined }))),
        'social.nonce_mismatch',
        'missing',
      );
    });
    it('refuses an ID token with another nonce', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ nonce: 'another-nonce' }))),
        'social.nonce_mismatch',
      );
    });
  });

  describe('issuer (OIDC Core §3.1.3.7 item 2, RFC 9207, SECURITY-TESTS C3)', () => {
    it('refuses an ID token from another issuer', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ iss: 'https://attacker.example.com' }))),
        'social.id_token_invalid',
        'iss',
      );
    });
    it('refuses an iss parameter that differs from the ID token issuer when no issuer is configured', async () => {
      const open = config();
      delete (open.idTokenVerificationConfig as { issuer?: unknown }).issuer;
      const idToken = await fake.sign(claims());
      await refusedWith(
        finishWith(idToken, { config: open, params: { code, iss: 'https://attacker.example.com' } }),
        'social.issuer_mismatch',
      );
      const { profile } = await finishWith(idToken, { config: open, params: { code, iss: fake.issuer } });
      assert.equal(profile.id, 'upstream-user-1');
    });
    it('accepts a matching iss parameter', async () => {
      const { profile } = await finishWith(await fake.sign(claims()), { params: { code, iss: fake.issuer } });
      assert.equal(profile.id, 'upstream-user-1');
    });
  });

  describe('audience (OIDC Core §3.1.3.7 items 3-5, SECURITY-TESTS C4)', () => {
    it('refuses an ID token issued to another client', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ aud: 'another-client' }))),
        'social.id_token_invalid',
        'aud',
      );
    });
    it('refuses an ID token without aud', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ aud: undefined }))),
        'social.id_token_invalid',
        'aud',
      );
    });
    it('refuses extra audiences without azp', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ aud: [clientId, 'another-client'] }))),
        'social.id_token_invalid',
        'azp missing',
      );
    });
    it('refuses an azp naming another client, accepts extra audiences with azp = client id', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ aud: [clientId, 'another-client'], azp: 'another-client' }))),
        'social.id_token_invalid',
        'azp',
      );
      const { profile } = await finishWith(
        await fake.sign(claims({ aud: [clientId, 'another-client'], azp: clientId })),
      );
      assert.equal(profile.id, 'upstream-user-1');
    });
    it('checks a configured audience instead of the client id', async () => {
      const custom = config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, audience: 'api://gatehouse' },
      });
      await refusedWith(
        finishWith(await fake.sign(claims()), { config: custom }),
        'social.id_token_invalid',
        'aud',
      );
      const { profile } = await finishWith(await fake.sign(claims({ aud: 'api://gatehouse' })), {
        config: custom,
      });
      assert.equal(profile.id, 'upstream-user-1');
    });
  });

  describe('time claims and subject (OIDC Core §3.1.3.7 items 9-10, SECURITY-TESTS C5)', () => {
    const tolerant = () =>
      config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer, clockTolerance: 60 },
      });

    it('refuses an ID token expired beyond clockTolerance', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ iat: now() - 600, exp: now() - 120 })), { config: tolerant() }),
        'social.id_token_invalid',
        'ERR_JWT_EXPIRED',
      );
    });
    it('accepts an ID token expired within clockTolerance', async () => {
      const { profile } = await finishWith(await fake.sign(claims({ iat: now() - 600, exp: now() - 30 })), {
        config: tolerant(),
      });
      assert.equal(profile.id, 'upstream-user-1');
    });
    it('refuses a just-expired ID token when no clockTolerance is set', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ iat: now() - 600, exp: now() - 5 }))),
        'social.id_token_invalid',
        'ERR_JWT_EXPIRED',
      );
    });
    it('refuses an ID token without exp', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ exp: undefined }))),
        'social.id_token_invalid',
        'exp',
      );
    });
    it('refuses an ID token without iat', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ iat: undefined }))),
        'social.id_token_invalid',
        'iat',
      );
    });
    it('refuses an ID token issued far in the future', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ iat: now() + 86_400, exp: now() + 90_000 }))),
        'social.id_token_invalid',
        'iat',
      );
    });
    it('refuses an ID token older than maxTokenAge', async () => {
      const aged = config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer, maxTokenAge: '5 minutes' },
      });
      await refusedWith(
        finishWith(await fake.sign(claims({ iat: now() - 3600 })), { config: aged }),
        'social.id_token_invalid',
        'iat',
      );
    });
    it('evaluates time claims at the injected clock', async () => {
      const idToken = await fake.sign(claims());
      await refusedWith(
        finishWith(idToken, { nowDate: () => new Date(Date.now() + 3_600_000) }),
        'social.id_token_invalid',
        'ERR_JWT_EXPIRED',
      );
    });
    it('refuses an ID token without sub', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims({ sub: undefined }))),
        'social.id_token_invalid',
        'sub',
      );
    });
    it('refuses an ID token whose sub is not the configured subject', async () => {
      const pinned = config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer, subject: 'someone-else' },
      });
      await refusedWith(
        finishWith(await fake.sign(claims()), { config: pinned }),
        'social.id_token_invalid',
        'sub',
      );
    });
    it('refuses an ID token whose typ header is not the configured one', async () => {
      const typed = config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer, typ: 'JWT' },
      });
      await refusedWith(
        finishWith(await fake.sign(claims(), { header: { typ: 'at+jwt' } }), { config: typed }),
        'social.id_token_invalid',
        'typ',
      );
      const { profile } = await finishWith(await fake.sign(claims(), { header: { typ: 'JWT' } }), {
        config: typed,
      });
      assert.equal(profile.id, 'upstream-user-1');
    });
  });

  describe('signature and algorithm (RFC 8725 §3.1-3.2, SECURITY-TESTS C6)', () => {
    it('refuses an ID token signed by a key that is not the published one', async () => {
      const impostor = await createSigningKey();
      await refusedWith(
        finishWith(await fake.sign(claims(), { key: { ...impostor, kid: fake.key.kid } })),
        'social.id_token_invalid',
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      );
    });
    it('refuses an ID token with a tampered payload', async () => {
      const [header, , signature] = (await fake.sign(claims())).split('.');
      const forged = base64url.encode(JSON.stringify(claims({ sub: 'admin' })));
      await refusedWith(finishWith(`${header}.${forged}.${signature}`), 'social.id_token_invalid');
    });
    it('refuses alg: none', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      const payload = base64url.encode(JSON.stringify(claims()));
      await refusedWith(
        finishWith(`${header}.${payload}.`),
        'social.id_token_invalid',
        'ERR_JOSE_ALG_NOT_ALLOWED',
      );
    });
    it('refuses an ID token signed with HS256 keyed by the provider public key', async () => {
      const publicKey = createPublicKey({ key: fake.key.publicJwk as never, format: 'jwk' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      for (const keyBytes of [Buffer.from(pem), Buffer.from(JSON.stringify(fake.key.publicJwk))]) {
        const forged = await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: fake.key.kid })
          .sign(new Uint8Array(keyBytes));
        await refusedWith(finishWith(forged), 'social.id_token_invalid', 'ERR_JOSE_ALG_NOT_ALLOWED');
      }
    });
    it('refuses a config whose algorithms include an HMAC or none, when the connector is created', () => {
      for (const algorithms of [['HS256'], ['none'], ['RS256', 'HS256']]) {
        assert.throws(() =>
          createOidcConnector(
            config({ idTokenVerificationConfig: { jwksUri: fake.jwksUri, algorithms } as never }),
            { fetch, jwks: createJwksCache({ fetch }) },
          ),
        );
      }
    });
    it('refuses an algorithm outside the configured allow-list', async () => {
      const esOnly = config({
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer, algorithms: ['ES256'] },
      });
      await refusedWith(
        finishWith(await fake.sign(claims()), { config: esOnly }),
        'social.id_token_invalid',
        'ERR_JOSE_ALG_NOT_ALLOWED',
      );
    });
    it('accepts an ES256 key when the JWKS publishes one', async () => {
      const es = await createSigningKey('ES256');
      fake.published = [fake.key, es];
      try {
        const { profile } = await finishWith(await fake.sign(claims(), { key: es }));
        assert.equal(profile.id, 'upstream-user-1');
      } finally {
        fake.published = [fake.key];
      }
    });
    for (const header of ['jku', 'x5u', 'jwk'] as const) {
      it(`refuses an ID token that names its key by a ${header} header`, async () => {
        const attacker = await createSigningKey();
        const value =
          header === 'jwk'
            ? attacker.publicJwk
            : `http://127.0.0.1:1/${header === 'jku' ? 'jwks' : 'cert.pem'}`;
        const before = fake.jwksHits;
        await refusedWith(
          finishWith(await fake.sign(claims(), { key: attacker, header: { [header]: value } })),
          'social.id_token_invalid',
          header,
        );
        // Even with the genuine key and kid, the header alone gets the token refused.
        await refusedWith(
          finishWith(await fake.sign(claims(), { header: { [header]: value } })),
          'social.id_token_invalid',
          header,
        );
        assert.equal(fake.jwksHits, before);
      });
    }
  });

  describe('the JWKS cache (SECURITY-TESTS C7)', () => {
    it('refetches once on an unknown kid after the cooldown, then accepts the rotated key; a second unknown kid within the cooldown does not refetch', async () => {
      const cooldownMs = 1_000;
      const jwks = createJwksCache({ fetch, cooldownMs });
      const unknownKeys = await Promise.all(Array.from({ length: 5 }, () => createSigningKey('ES256')));
      const start = fake.jwksHits;
      await finishWith(await fake.sign(claims()), { jwks });
      assert.equal(fake.jwksHits, start + 1);

      const rotated = await createSigningKey();
      fake.published = [rotated, fake.key];
      try {
        await new Promise((resolve) => setTimeout(resolve, cooldownMs + 50));
        const { profile } = await finishWith(await fake.sign(claims(), { key: rotated }), { jwks });
        assert.equal(profile.id, 'upstream-user-1');
        assert.equal(fake.jwksHits, start + 2);

        // A flood of unknown kids right after: refused, no more fetches.
        for (const unknown of unknownKeys) {
          await refusedWith(
            finishWith(await fake.sign(claims(), { key: unknown }), { jwks }),
            'social.id_token_invalid',
            'ERR_JWKS_NO_MATCHING_KEY',
          );
        }
        assert.equal(fake.jwksHits, start + 2);
      } finally {
        fake.published = [fake.key];
      }
    });

    it('waits a minute by default before refetching for an unknown kid', async () => {
      const jwks = createJwksCache({ fetch });
      const start = fake.jwksHits;
      await finishWith(await fake.sign(claims()), { jwks });
      const rotated = await createSigningKey();
      fake.published = [rotated, fake.key];
      try {
        await refusedWith(
          finishWith(await fake.sign(claims(), { key: rotated }), { jwks }),
          'social.id_token_invalid',
          'ERR_JWKS_NO_MATCHING_KEY',
        );
        assert.equal(fake.jwksHits, start + 1);
      } finally {
        fake.published = [fake.key];
      }
    });

    it('tries each fitting key when the token names no kid and the JWKS holds several', async () => {
      const second = await createSigningKey();
      const withoutKid = (key: typeof second) => ({
        ...key,
        publicJwk: { ...key.publicJwk, kid: undefined },
      });
      fake.published = [withoutKid(fake.key), withoutKid(second)];
      try {
        const idToken = await fake.sign(claims(), { key: second, header: { kid: undefined } });
        assert.equal(decodeProtectedHeader(idToken).kid, undefined);
        const { profile } = await finishWith(idToken);
        assert.equal(profile.id, 'upstream-user-1');
        const impostor = await createSigningKey();
        await refusedWith(
          finishWith(await fake.sign(claims(), { key: impostor, header: { kid: undefined } })),
          'social.id_token_invalid',
          'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        );
      } finally {
        fake.published = [fake.key];
      }
    });

    it('shares one key set per jwksUri between connectors', async () => {
      const jwks = createJwksCache({ fetch });
      const start = fake.jwksHits;
      await finishWith(await fake.sign(claims()), { jwks });
      await finishWith(await fake.sign(claims()), { jwks });
      assert.equal(fake.jwksHits, start + 1);
    });

    it('fetches the JWKS through the fetch it is given', async () => {
      const urls: string[] = [];
      const spy: OutboundFetch = (url, init) => {
        urls.push(String(url));
        return fetch(url, init);
      };
      await finishWith(await fake.sign(claims()), { jwks: createJwksCache({ fetch: spy }) });
      assert.deepEqual(urls, [fake.jwksUri]);
    });

    it('reports an unreachable JWKS as social.jwks_unavailable, not as an invalid token', async () => {
      const broken = config({
        idTokenVerificationConfig: { jwksUri: `${fake.issuer}/missing-jwks`, issuer: fake.issuer },
      });
      await refusedWith(finishWith(await fake.sign(claims()), { config: broken }), 'social.jwks_unavailable');
    });
  });

  describe('the token request (RFC 6749 §4.1.3, §5; SECURITY-TESTS C10)', () => {
    it('posts the code, redirect URI, PKCE verifier and customConfig with client_secret_basic and Accept: application/json', async () => {
      const basic = config({
        clientId: 'rp:id +%',
        clientSecret: 'se:cret +%/',
        customConfig: { resource: 'https://api.example.com', code: 'overridden?', grant_type: 'password' },
      });
      const before = fake.tokenRequests.length;
      await refusedWith(finishWith(undefined, { config: basic }), 'social.id_token_missing');
      const request = fake.tokenRequests[before];
      assert.equal(request?.method, 'POST');
      assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(request?.headers.accept, 'application/json');
      assert.equal(
        request?.headers.authorization,
        `Basic ${Buffer.from('rp%3Aid+%2B%25:se%3Acret+%2B%25%2F').toString('base64')}`,
      );
      assert.equal(request?.body.get('grant_type'), 'authorization_code');
      assert.equal(request?.body.get('code'), code);
      assert.equal(request?.body.get('redirect_uri'), redirectUri);
      assert.equal(request?.body.get('code_verifier'), codeVerifier);
      assert.equal(request?.body.get('resource'), 'https://api.example.com');
      assert.equal(request?.body.has('client_secret'), false);
    });

    it('sends the credentials in the body with client_secret_post', async () => {
      const before = fake.tokenRequests.length;
      await finishWith(await fake.sign(claims()), {
        config: config({ tokenEndpointAuthMethod: 'client_secret_post' }),
      });
      const request = fake.tokenRequests[before];
      assert.equal(request?.headers.authorization, undefined);
      assert.equal(request?.body.get('client_id'), clientId);
      assert.equal(request?.body.get('client_secret'), secret);
    });

    it('keeps the upstream error of a 400 answer, and never the secret or the code', async () => {
      fake.onToken = () => ({
        status: 400,
        body: { error: 'invalid_grant', error_description: `code ${code} is not valid for secret ${secret}` },
      });
      const connector = createOidcConnector(config({ tokenEndpointAuthMethod: 'client_secret_post' }), {
        fetch,
        jwks: createJwksCache({ fetch }),
      });
      const error = await refusedWith(
        connector.finish({ params: { code }, redirectUri, nonce, codeVerifier }),
        'social.token_request_failed',
      );
      assert.equal(error.upstreamError, 'invalid_grant');
      const text = `${error.message} ${error.upstreamErrorDescription} ${error.stack}`;
      assert.ok(!text.includes(code), text);
      assert.ok(!text.includes(secret), text);
    });

    const finishAgainst = (
      reply: Awaited<ReturnType<FakeProvider['onToken']>>,
      deps: { timeoutMs?: number; fetch?: OutboundFetch } = {},
    ) => {
      fake.onToken = () => reply;
      const connector = createOidcConnector(config(), {
        fetch: deps.fetch ?? fetch,
        jwks: createJwksCache({ fetch }),
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
      return connector.finish({ params: { code }, redirectUri, nonce, codeVerifier });
    };

    it('reports a 5xx answer that is not JSON as social.token_request_failed', async () => {
      await refusedWith(
        finishAgainst({ status: 502, body: '<html>Bad gateway</html>' }),
        'social.token_request_failed',
        'status 502',
      );
    });

    it('does not follow a redirect from the token endpoint', async () => {
      const before = fake.tokenRequests.length;
      await refusedWith(
        finishAgainst({ status: 307, headers: { location: `${fake.issuer}/token?again` }, body: '' }),
        'social.token_request_failed',
        'status 307',
      );
      assert.equal(fake.tokenRequests.length, before + 1);
    });

    it('refuses malformed JSON as social.token_response_invalid', async () => {
      await refusedWith(
        finishAgainst({ status: 200, body: '{"access_token": "at", "id_token": ' }),
        'social.token_response_invalid',
      );
      await refusedWith(
        finishAgainst({ status: 200, body: '["not", "an", "object"]' }),
        'social.token_response_invalid',
      );
      await refusedWith(
        finishAgainst({ body: { access_token: 'at', id_token: 42 } }),
        'social.token_response_invalid',
      );
    });

    it('refuses a huge JSON answer without reading it whole', async () => {
      const huge = JSON.stringify({ access_token: 'at', padding: 'x'.repeat(3 * 1024 * 1024) });
      await refusedWith(
        finishAgainst({ status: 200, body: huge }),
        'social.token_response_invalid',
        'too large',
      );
      // The same without a content-length (chunked): the cap applies while reading.
      await refusedWith(
        finishAgainst({ status: 200, headers: { 'transfer-encoding': 'chunked' }, body: huge }),
        'social.token_response_invalid',
        'too large',
      );
    });

    it('requires an id_token in the answer', async () => {
      await refusedWith(
        finishAgainst({ body: { access_token: 'at', token_type: 'Bearer' } }),
        'social.id_token_missing',
      );
    });

    it('gives up on a token endpoint that hangs, after the injected timeout', async () => {
      const started = Date.now();
      await refusedWith(finishAgainst('hang', { timeoutMs: 300 }), 'social.timeout');
      assert.ok(Date.now() - started < 2_000);
    });

    it('gives up after its own deadline even when the fetch it was given ignores abort signals', async () => {
      const stubborn: OutboundFetch = (url, init) => {
        const { signal: _ignored, ...rest } = init ?? {};
        return fetch(url, rest);
      };
      const started = Date.now();
      await refusedWith(finishAgainst('hang', { timeoutMs: 300, fetch: stubborn }), 'social.timeout');
      assert.ok(Date.now() - started < 2_000);
    });

    it('gives up on a hanging token endpoint after 5 s by default', async () => {
      const started = Date.now();
      await refusedWith(finishAgainst('hang'), 'social.timeout');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 4_900 && elapsed < 7_000, `${elapsed} ms`);
    });
  });

  describe('the profile (OIDC Core §5.1, SECURITY-TESTS C9)', () => {
    const profileOf = async (extra: Record<string, unknown>, acceptStringEmailVerified = false) =>
      (await finishWith(await fake.sign(claims(extra)), { config: config({ acceptStringEmailVerified }) }))
        .profile;

    it('keeps the email only when email_verified is true', async () => {
      assert.equal((await profileOf({ email_verified: true })).email, 'user@example.com');
      assert.equal((await profileOf({ email_verified: false })).email, undefined);
      assert.equal((await profileOf({ email_verified: undefined })).email, undefined);
      assert.equal((await profileOf({ email_verified: 1 })).email, undefined);
    });
    it('accepts email_verified "true" (a string) only with acceptStringEmailVerified', async () => {
      assert.equal((await profileOf({ email_verified: 'true' })).email, undefined);
      assert.equal((await profileOf({ email_verified: 'true' }, true)).email, 'user@example.com');
      assert.equal((await profileOf({ email_verified: 'false' }, true)).email, undefined);
    });
    it('keeps the phone number only when phone_number_verified is true (or "true" with the switch)', async () => {
      const phone = { phone_number: '+15555550100' };
      assert.equal((await profileOf({ ...phone, phone_number_verified: true })).phone, '+15555550100');
      assert.equal((await profileOf({ ...phone, phone_number_verified: false })).phone, undefined);
      assert.equal((await profileOf(phone)).phone, undefined);
      assert.equal((await profileOf({ ...phone, phone_number_verified: 'true' })).phone, undefined);
      assert.equal(
        (await profileOf({ ...phone, phone_number_verified: 'true' }, true)).phone,
        '+15555550100',
      );
    });
    it('maps name and picture, keeps every claim in rawData, and drops a picture that is not an http(s) URL', async () => {
      const profile = await profileOf({ name: 'Somchai', picture: 'javascript:alert(1)', locale: 'th-TH' });
      assert.equal(profile.name, 'Somchai');
      assert.equal(profile.avatar, undefined);
      assert.equal(profile.rawData.locale, 'th-TH');
      assert.equal(profile.rawData.picture, 'javascript:alert(1)');
      assert.equal(profile.rawData.nonce, nonce);
    });
  });

  describe('the callback (RFC 6749 §4.1.2)', () => {
    it('refuses a callback without a code', async () => {
      await refusedWith(
        finishWith(await fake.sign(claims()), { params: { state: 'x' } }),
        'social.code_missing',
      );
    });
    it('keeps the upstream error, description and uri, and makes no token request', async () => {
      const before = fake.tokenRequests.length;
      const error = await refusedWith(
        finishWith(undefined, {
          params: {
            error: 'temporarily_unavailable',
            error_description: 'Try again\nlater',
            error_uri: 'javascript:alert(1)',
          },
        }),
        'social.upstream_error',
      );
      assert.equal(error.upstreamError, 'temporarily_unavailable');
      assert.equal(error.upstreamErrorDescription, 'Try againlater');
      assert.equal(error.upstreamErrorUri, undefined);
      assert.equal(fake.tokenRequests.length, before);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('the OIDC authorization URL (OIDC Core §3.1.2.1, RFC 7636 §4.3)', () => {
  const connector = (overrides: Partial<ConfigInput> = {}) =>
    createOidcConnector(
      {
        clientId: 'client-1',
        clientSecret: 'secret-1',
        authorizationEndpoint: 'https://idp.example.com/authorize?tenant=acme&prompt=none',
        tokenEndpoint: 'https://idp.example.com/token',
        idTokenVerificationConfig: { jwksUri: 'https://idp.example.com/jwks' },
        ...overrides,
      },
      { fetch, jwks: createJwksCache({ fetch }) },
    );
  const urlOf = (overrides: Partial<ConfigInput> = {}) =>
    new URL(
      connector(overrides).authorizationUrl({
        redirectUri: 'https://gatehouse.example.com/callback/c1',
        state: 'state-1',
        nonce: 'nonce-1',
        codeChallenge: 'challenge-1',
      }),
    );

  it('sends code, client, redirect URI, state, nonce and PKCE S256, and keeps the endpoint query', () => {
    const url = urlOf();
    assert.equal(url.origin + url.pathname, 'https://idp.example.com/authorize');
    const params = url.searchParams;
    assert.equal(params.get('tenant'), 'acme');
    assert.equal(params.get('prompt'), 'none');
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), 'client-1');
    assert.equal(params.get('redirect_uri'), 'https://gatehouse.example.com/callback/c1');
    assert.equal(params.get('scope'), 'openid');
    assert.equal(params.get('state'), 'state-1');
    assert.equal(params.get('nonce'), 'nonce-1');
    assert.equal(params.get('code_challenge'), 'challenge-1');
    assert.equal(params.get('code_challenge_method'), 'S256');
  });

  it('adds openid to the configured scope when it is missing, once', () => {
    assert.equal(urlOf({ scope: 'email  profile' }).searchParams.get('scope'), 'openid email profile');
    assert.equal(urlOf({ scope: 'email openid' }).searchParams.get('scope'), 'email openid');
  });

  it('sends authRequestOptionalConfig as snake_case and customConfig as is; responseType and tokenEndpoint are not parameters', () => {
    const params = urlOf({
      authRequestOptionalConfig: {
        responseType: 'code',
        tokenEndpoint: 'https://elsewhere.example.com/token',
        responseMode: 'form_post',
        display: 'popup',
        prompt: 'consent',
        maxAge: 300,
        uiLocales: 'th en',
        idTokenHint: 'eyJhbGciOi.x.y',
        loginHint: 'user@example.com',
        acrValues: 'urn:mace:incommon:iap:silver',
      },
      customConfig: { hd: 'example.com', access_type: 'offline' },
    }).searchParams;
    assert.equal(params.get('response_mode'), 'form_post');
    assert.equal(params.get('display'), 'popup');
    assert.equal(params.get('prompt'), 'consent');
    assert.equal(params.get('max_age'), '300');
    assert.equal(params.get('ui_locales'), 'th en');
    assert.equal(params.get('id_token_hint'), 'eyJhbGciOi.x.y');
    assert.equal(params.get('login_hint'), 'user@example.com');
    assert.equal(params.get('acr_values'), 'urn:mace:incommon:iap:silver');
    assert.equal(params.get('hd'), 'example.com');
    assert.equal(params.get('access_type'), 'offline');
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.has('token_endpoint'), false);
    assert.equal(params.has('tokenEndpoint'), false);
  });

  it('never lets customConfig replace a protocol parameter', () => {
    const params = urlOf({
      customConfig: {
        state: 'attacker',
        nonce: 'attacker',
        redirect_uri: 'https://attacker.example.com',
        client_id: 'other',
        code_challenge_method: 'plain',
        response_type: 'token',
      },
    }).searchParams;
    assert.equal(params.get('state'), 'state-1');
    assert.equal(params.get('nonce'), 'nonce-1');
    assert.equal(params.get('redirect_uri'), 'https://gatehouse.example.com/callback/c1');
    assert.equal(params.get('client_id'), 'client-1');
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.getAll('state').length, 1);
  });

  it('refuses an ID token algorithm list without an asymmetric algorithm when the connector is created', () => {
    assert.throws(() =>
      connector({
        idTokenVerificationConfig: {
          jwksUri: 'https://idp.example.com/jwks',
          algorithms: ['HS512'],
        } as never,
      }),
    );
  });

  it('carries no client secret and no client assertion', () => {
    const url = urlOf({ tokenEndpointAuthMethod: 'client_secret_jwt' }).toString();
    assert.ok(!url.includes('secret-1'));
    assert.ok(!url.includes('client_assertion'));
  });
});

// ---------------------------------------------------------------------------------------------------------
// Refresh (SPEC §7 stored tokens, issue 6 item 3)

describe('the OIDC connector refreshes stored tokens at a real provider (RFC 6749 §6, OIDC Core §11-12)', () => {
  let upstream: Upstream;
  const jwks = createJwksCache({ fetch });

  before(async () => {
    upstream = await startUpstream({
      accounts: {
        alice: { ...alice },
        dave: { password: 'dave-password', claims: { email: 'dave@example.com' } },
      },
    });
  });
  after(() => upstream.stop());

  /**
   * A client allowed the refresh_token grant and a connector asking `offline_access` with `prompt=consent`
   * (oidc-provider, like most providers, issues a refresh token only then: OIDC Core §11).
   */
  const offlineConnector = async (
    method: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt',
  ) => {
    const clientId = `rp-offline-${method}-${randomBytes(4).toString('hex')}`;
    await upstream.registerClient({
      client_id: clientId,
      client_secret: secret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: method,
      ...(method === 'client_secret_jwt' ? { token_endpoint_auth_signing_alg: 'HS256' } : {}),
    });
    return createOidcConnector(
      {
        clientId,
        clientSecret: secret,
        authorizationEndpoint: upstream.authorizationEndpoint,
        tokenEndpoint: upstream.tokenEndpoint,
        tokenEndpointAuthMethod: method,
        scope: 'openid offline_access email',
        authRequestOptionalConfig: { prompt: 'consent' },
        idTokenVerificationConfig: { jwksUri: upstream.jwksUri, issuer: upstream.issuer },
      },
      { fetch, jwks },
    );
  };

  const signInOffline = async (connector: ReturnType<typeof createOidcConnector>, login = 'alice') => {
    const attempt = newAttempt();
    const callback = await signInUpstream(connector.authorizationUrl({ redirectUri, ...attempt }), {
      login,
      password: login === 'alice' ? alice.password : 'dave-password',
    });
    return connector.finish({ params: callback.params, redirectUri, ...attempt });
  };

  for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const) {
    it(`exchanges the refresh token for a new access token, authenticating with ${method}`, async () => {
      const connector = await offlineConnector(method);
      const { tokens } = await signInOffline(connector);
      assert.ok(tokens.refreshToken, 'offline_access with consent yields a refresh token');
      const before = upstream.seen.tokenRequests.length;

      const fresh = await connector.refresh(tokens.refreshToken);
      assert.ok(fresh.accessToken);
      assert.notEqual(fresh.accessToken, tokens.accessToken);
      assert.equal(fresh.tokenType, 'Bearer');
      assert.equal(typeof fresh.expiresIn, 'number');
      const [seen] = upstream.seen.tokenRequests.slice(before);
      assert.equal(seen?.status, 200);
      assert.equal(seen?.authMethod, method);
      assert.ok(seen?.params.includes('refresh_token'));
      assert.ok(!seen?.params.includes('code') && !seen?.params.includes('code_verifier'));
    });
  }

  it('reports a grant the provider no longer honours as social.refresh_refused (RFC 6749 §5.2 invalid_grant)', async () => {
    const connector = await offlineConnector('client_secret_basic');
    const { tokens } = await signInOffline(connector, 'dave');
    assert.ok(tokens.refreshToken);
    const account = upstream.accounts.get('dave');
    upstream.accounts.delete('dave'); // the upstream account is gone: its grants are refused
    try {
      const error = await refusedWith(connector.refresh(tokens.refreshToken), 'social.refresh_refused');
      assert.equal(error.upstreamError, 'invalid_grant');
    } finally {
      if (account) upstream.accounts.set('dave', account);
    }
    await refusedWith(connector.refresh('not-a-refresh-token'), 'social.refresh_refused');
  });
});

describe('the OIDC connector refresh request against a provider whose answers the test sets (RFC 6749 §6)', () => {
  let fake: FakeProvider;
  const refreshToken = 'rt-7d1e0c5b9a';

  before(async () => {
    fake = await startFakeProvider();
  });
  after(() => fake.stop());

  const connector = (overrides: Partial<ConfigInput> = {}, deps: { timeoutMs?: number } = {}) =>
    createOidcConnector(
      {
        clientId: 'gatehouse-rp',
        clientSecret: secret,
        authorizationEndpoint: fake.authorizationEndpoint,
        tokenEndpoint: fake.tokenEndpoint,
        idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer },
        ...overrides,
      },
      { fetch, jwks: createJwksCache({ fetch }), ...deps },
    );
  const refreshAgainst = (reply: FakeReply, overrides: Partial<ConfigInput> = {}, deps = {}) => {
    fake.onToken = () => reply;
    return connector(overrides, deps).refresh(refreshToken);
  };

  it('posts grant_type=refresh_token with the configured client authentication and customConfig, never a code', async () => {
    const before = fake.tokenRequests.length;
    await refreshAgainst(
      { body: { access_token: 'at-2', token_type: 'Bearer', expires_in: 600 } },
      {
        customConfig: { resource: 'https://api.example.com', refresh_token: 'overridden?', grant_type: 'x' },
      },
    );
    const request = fake.tokenRequests[before];
    assert.equal(request?.headers.accept, 'application/json');
    assert.match(String(request?.headers.authorization), /^Basic /);
    assert.equal(request?.body.get('grant_type'), 'refresh_token');
    assert.equal(request?.body.get('refresh_token'), refreshToken);
    assert.equal(request?.body.get('resource'), 'https://api.example.com');
    for (const name of ['code', 'code_verifier', 'redirect_uri', 'client_secret', 'scope']) {
      assert.equal(request?.body.has(name), false, name);
    }

    await refreshAgainst(
      { body: { access_token: 'at-3' } },
      { tokenEndpointAuthMethod: 'client_secret_post' },
    );
    const posted = fake.tokenRequests.at(-1);
    assert.equal(posted?.headers.authorization, undefined);
    assert.equal(posted?.body.get('client_secret'), secret);
  });

  it('answers the new tokens; the refresh token and ID token only when the provider sends them (OIDC Core §12.2)', async () => {
    const plain = await refreshAgainst({
      body: { access_token: 'at-4', token_type: 'Bearer', expires_in: 60 },
    });
    assert.deepEqual(plain, {
      accessToken: 'at-4',
      refreshToken: undefined,
      idToken: undefined,
      scope: undefined,
      tokenType: 'Bearer',
      expiresIn: 60,
    });
    const rotated = await refreshAgainst({
      body: { access_token: 'at-5', refresh_token: 'rt-new', id_token: 'x.y.z', scope: 'openid email' },
    });
    assert.equal(rotated.refreshToken, 'rt-new');
    assert.equal(rotated.idToken, 'x.y.z');
    assert.equal(rotated.scope, 'openid email');
  });

  it('tells invalid_grant (refresh_refused) from every other refusal (token_request_failed), and never echoes the refresh token', async () => {
    const refused = await refusedWith(
      refreshAgainst({
        status: 400,
        body: { error: 'invalid_grant', error_description: `refresh token ${refreshToken} was revoked` },
      }),
      'social.refresh_refused',
    );
    const text = `${refused.message} ${refused.upstreamErrorDescription} ${refused.stack}`;
    assert.ok(!text.includes(refreshToken), text);
    assert.ok(!text.includes(secret), text);

    await refusedWith(
      refreshAgainst({ status: 401, body: { error: 'invalid_client' } }),
      'social.token_request_failed',
    );
    await refusedWith(
      refreshAgainst({ status: 503, body: '<html>maintenance</html>' }),
      'social.token_request_failed',
      'status 503',
    );
  });

  it('requires an access token in the answer', async () => {
    await refusedWith(
      refreshAgainst({ body: { token_type: 'Bearer', refresh_token: 'rt' } }),
      'social.token_response_invalid',
    );
  });

  it('gives up on a token endpoint that hangs, after its deadline', async () => {
    const started = Date.now();
    await refusedWith(refreshAgainst('hang', {}, { timeoutMs: 300 }), 'social.timeout');
    assert.ok(Date.now() - started < 2_000);
  });
});
