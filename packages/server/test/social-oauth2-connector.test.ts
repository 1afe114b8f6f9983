import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createOAuth2Connector, SocialSignInError } from '../src/connectors/social/connector.ts';
import type { SocialErrorCode } from '../src/connectors/social/errors.ts';
import {
  type FakeProvider,
  type FakeReply,
  signInUpstream,
  startFakeProvider,
  startUpstream,
  type Upstream,
} from './support/upstream.ts';

/**
 * The generic OAuth 2.0 connector (SPEC §6, issue 5 item 3): authorization code flow with PKCE, a JSON or
 * form-encoded token response, the profile from a userinfo endpoint through `profileMap`.
 */

type ConfigInput = Parameters<typeof createOAuth2Connector>[0];

const redirectUri = 'https://gatehouse.example.test/callback/conn_oauth2';
const secret = 'oauth2-secret-0123456789abcdef0123456789abcdef';

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

describe('the OAuth 2.0 connector against a real provider (RFC 6749 §4.1, RFC 7636)', () => {
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream({
      accounts: {
        carol: {
          password: 'carol-password',
          claims: {
            email: 'carol@example.com',
            email_verified: true,
            name: 'Carol',
            picture: 'https://x.test/c.png',
          },
        },
      },
    });
  });
  after(() => upstream.stop());

  it('signs in through the userinfo endpoint, mapping the profile by profileMap', async () => {
    await upstream.registerClient({
      client_id: 'oauth2-rp',
      client_secret: secret,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const connector = createOAuth2Connector(
      {
        clientId: 'oauth2-rp',
        clientSecret: secret,
        authorizationEndpoint: upstream.authorizationEndpoint,
        tokenEndpoint: upstream.tokenEndpoint,
        tokenEndpointAuthMethod: 'client_secret_post',
        userInfoEndpoint: upstream.userinfoEndpoint,
        scope: 'openid email profile',
        profileMap: {
          id: 'sub',
          email: 'email',
          emailVerified: 'email_verified',
          name: 'name',
          avatar: 'picture',
        },
      },
      { fetch },
    );
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const url = connector.authorizationUrl({
      redirectUri,
      state: 'state-1',
      nonce: 'unused-nonce',
      codeChallenge,
    });
    const callback = await signInUpstream(url, { login: 'carol', password: 'carol-password' });
    const { profile, tokens } = await connector.finish({
      params: callback.params,
      redirectUri,
      nonce: 'unused-nonce',
      codeVerifier,
    });

    assert.equal(upstream.seen.authorizations.at(-1)?.has('nonce'), false);
    assert.equal(upstream.seen.authorizations.at(-1)?.get('code_challenge'), codeChallenge);
    assert.equal(upstream.seen.tokenRequests.at(-1)?.authMethod, 'client_secret_post');
    assert.deepEqual(
      { id: profile.id, email: profile.email, name: profile.name, avatar: profile.avatar },
      { id: 'carol', email: 'carol@example.com', name: 'Carol', avatar: 'https://x.test/c.png' },
    );
    assert.equal(profile.rawData.sub, 'carol');
    assert.ok(tokens.accessToken);
  });
});

describe('the OAuth 2.0 connector against a provider whose answers the test sets', () => {
  let fake: FakeProvider;
  const code = 'code-0a1b2c3d';
  const codeVerifier = 'w'.repeat(43);
  before(async () => {
    fake = await startFakeProvider();
  });
  after(() => fake.stop());

  const config = (overrides: Partial<ConfigInput> = {}): ConfigInput => ({
    clientId: 'gh-client',
    clientSecret: secret,
    authorizationEndpoint: fake.authorizationEndpoint,
    tokenEndpoint: fake.tokenEndpoint,
    userInfoEndpoint: fake.userinfoEndpoint,
    ...overrides,
  });

  const finish = (
    overrides: Partial<ConfigInput>,
    answers: { token?: FakeReply; userinfo?: FakeReply; params?: Record<string, string>; timeoutMs?: number },
  ) => {
    fake.onToken = () => answers.token ?? { body: { access_token: 'gho_token', token_type: 'bearer' } };
    fake.onUserinfo = () => answers.userinfo ?? { body: { id: 1 } };
    return createOAuth2Connector(config(overrides), {
      fetch,
      ...(answers.timeoutMs ? { timeoutMs: answers.timeoutMs } : {}),
    }).finish({ params: answers.params ?? { code }, redirectUri, nonce: 'n', codeVerifier });
  };

  describe('the authorization URL', () => {
    it('is the OIDC one without nonce and without adding openid; the scope is sent as configured', () => {
      const connector = createOAuth2Connector(
        config({ scope: 'read:user user:email', customConfig: { allow_signup: 'false', state: 'attacker' } }),
        { fetch },
      );
      const url = new URL(
        connector.authorizationUrl({
          redirectUri,
          state: 'state-1',
          nonce: 'nonce-1',
          codeChallenge: 'challenge-1',
        }),
      );
      const params = url.searchParams;
      assert.equal(params.get('response_type'), 'code');
      assert.equal(params.get('client_id'), 'gh-client');
      assert.equal(params.get('redirect_uri'), redirectUri);
      assert.equal(params.get('scope'), 'read:user user:email');
      assert.equal(params.get('state'), 'state-1');
      assert.equal(params.has('nonce'), false);
      assert.equal(params.get('code_challenge'), 'challenge-1');
      assert.equal(params.get('code_challenge_method'), 'S256');
      assert.equal(params.get('allow_signup'), 'false');
    });
    it('sends no scope parameter when none is configured', () => {
      const connector = createOAuth2Connector(config(), { fetch });
      const url = connector.authorizationUrl({ redirectUri, state: 's', nonce: 'n', codeChallenge: 'c' });
      assert.equal(new URL(url).searchParams.has('scope'), false);
    });
  });

  describe('the token response (RFC 6749 §5.1)', () => {
    it('reads a JSON token response and calls userinfo with the bearer token', async () => {
      const before = fake.userinfoRequests.length;
      const { tokens, profile } = await finish(
        {},
        {
          token: {
            body: { access_token: 'gho_json', token_type: 'bearer', scope: 'read:user', expires_in: '28800' },
          },
          userinfo: { body: { id: 583231, login: 'octocat' } },
        },
      );
      assert.deepEqual(tokens, {
        accessToken: 'gho_json',
        refreshToken: undefined,
        idToken: undefined,
        scope: 'read:user',
        tokenType: 'bearer',
        expiresIn: 28800,
      });
      assert.equal(profile.id, '583231');
      assert.deepEqual(profile.rawData, { id: 583231, login: 'octocat' });
      const request = fake.userinfoRequests[before];
      assert.equal(request?.method, 'GET');
      assert.equal(request?.headers.authorization, 'Bearer gho_json');
      assert.equal(request?.headers.accept, 'application/json');
      assert.equal(fake.tokenRequests.at(-1)?.headers.accept, 'application/json');
    });

    it('reads a query-string token response when tokenEndpointResponseType is query-string', async () => {
      const { tokens } = await finish(
        { tokenEndpointResponseType: 'query-string' },
        {
          token: {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'access_token=gho_form&scope=read%3Auser&token_type=bearer',
          },
        },
      );
      assert.equal(tokens.accessToken, 'gho_form');
      assert.equal(tokens.scope, 'read:user');
      assert.match(String(fake.tokenRequests.at(-1)?.headers.accept), /^application\/x-www-form-urlencoded/);
    });

    it('reports a query-string error answered with 200 as social.token_request_failed', async () => {
      const error = await refusedWith(
        finish(
          { tokenEndpointResponseType: 'query-string' },
          { token: { body: 'error=bad_verification_code&error_description=The+code+passed+is+incorrect' } },
        ),
        'social.token_request_failed',
      );
      assert.equal(error.upstreamError, 'bad_verification_code');
      assert.equal(error.upstreamErrorDescription, 'The code passed is incorrect');
    });

    it('reports a JSON error answered with 200 as social.token_request_failed', async () => {
      const error = await refusedWith(
        finish({}, { token: { body: { error: 'bad_verification_code' } } }),
        'social.token_request_failed',
      );
      assert.equal(error.upstreamError, 'bad_verification_code');
    });

    it('refuses a token response in the other format than configured', async () => {
      await refusedWith(
        finish({ tokenEndpointResponseType: 'query-string' }, { token: { body: { access_token: 'json' } } }),
        'social.token_response_invalid',
      );
      await refusedWith(
        finish({}, { token: { body: 'access_token=form&token_type=bearer' } }),
        'social.token_response_invalid',
      );
    });

    it('requires an access token', async () => {
      await refusedWith(
        finish({}, { token: { body: { token_type: 'bearer' } } }),
        'social.token_response_invalid',
        'access_token',
      );
    });

    it('authenticates with client_secret_jwt when configured', async () => {
      await finish(
        { tokenEndpointAuthMethod: 'client_secret_jwt', clientSecretJwtSigningAlgorithm: 'HS512' },
        {},
      );
      const body = fake.tokenRequests.at(-1)?.body;
      assert.equal(
        body?.get('client_assertion_type'),
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      );
      assert.ok(body?.get('client_assertion'));
      assert.equal(body?.has('client_secret'), false);
    });
  });

  describe('the profile (profileMap, SECURITY-TESTS C9)', () => {
    const nested = {
      data: {
        user: {
          id: 'u-42',
          profile: { displayName: 'Dao', photo: { url: 'https://img.example.com/dao.png' } },
          email: { address: 'dao@example.com', verified: true },
          mobile: '+66800000000',
        },
      },
      emails: [{ value: 'first@example.com' }],
    };

    it('maps dot paths, including array indexes', async () => {
      const { profile } = await finish(
        {
          profileMap: {
            id: 'data.user.id',
            name: 'data.user.profile.displayName',
            avatar: 'data.user.profile.photo.url',
            email: 'data.user.email.address',
            emailVerified: 'data.user.email.verified',
          },
        },
        { userinfo: { body: nested } },
      );
      assert.equal(profile.id, 'u-42');
      assert.equal(profile.name, 'Dao');
      assert.equal(profile.avatar, 'https://img.example.com/dao.png');
      assert.equal(profile.email, 'dao@example.com');
      assert.deepEqual(profile.rawData, nested);

      const second = await finish(
        {
          profileMap: {
            id: 'data.user.id',
            email: 'emails.0.value',
            emailVerified: 'data.user.email.verified',
          },
        },
        { userinfo: { body: nested } },
      );
      assert.equal(second.profile.email, 'first@example.com');
    });

    it('leaves the email out without an emailVerified mapping, or when it is not true', async () => {
      const userinfo: FakeReply = { body: { id: 'u1', mail: 'u1@example.com', ok: false, okString: 'true' } };
      const email = async (profileMap: ConfigInput['profileMap']) =>
        (await finish({ profileMap }, { userinfo })).profile.email;
      assert.equal(await email({ id: 'id', email: 'mail' }), undefined);
      assert.equal(await email({ id: 'id', email: 'mail', emailVerified: 'ok' }), undefined);
      assert.equal(await email({ id: 'id', email: 'mail', emailVerified: 'okString' }), undefined);
      assert.equal(await email({ id: 'id', email: 'mail', emailVerified: 'missing' }), undefined);
    });

    it('keeps the phone number only when phoneVerified names a field that is true', async () => {
      const userinfo: FakeReply = { body: { id: 'u1', mobile: '+66812345678', ok: true, no: false } };
      const phone = async (profileMap: ConfigInput['profileMap']) =>
        (await finish({ profileMap }, { userinfo })).profile.phone;
      assert.equal(await phone({ id: 'id', phone: 'mobile' }), undefined, 'no phoneVerified mapping');
      assert.equal(await phone({ id: 'id', phone: 'mobile', phoneVerified: 'no' }), undefined);
      assert.equal(await phone({ id: 'id', phone: 'mobile', phoneVerified: 'ok' }), '+66812345678');
    });

    it('does not walk into prototypes', async () => {
      await refusedWith(
        finish({ profileMap: { id: 'constructor.name' } }, { userinfo: { body: { id: 'x' } } }),
        'social.userinfo_failed',
      );
      await refusedWith(
        finish({ profileMap: { id: '__proto__' } }, { userinfo: { body: { id: 'x' } } }),
        'social.userinfo_failed',
      );
    });

    it('refuses a userinfo without the id, or with an id that is neither a string nor an integer', async () => {
      await refusedWith(
        finish({}, { userinfo: { body: { login: 'nobody' } } }),
        'social.userinfo_failed',
        'no id',
      );
      await refusedWith(finish({}, { userinfo: { body: { id: { nested: 1 } } } }), 'social.userinfo_failed');
      await refusedWith(finish({}, { userinfo: { body: { id: '' } } }), 'social.userinfo_failed');
    });
  });

  describe('failures (SECURITY-TESTS C10)', () => {
    it('reports a userinfo error answer as social.userinfo_failed', async () => {
      await refusedWith(
        finish({}, { userinfo: { status: 401, body: { message: 'Bad credentials' } } }),
        'social.userinfo_failed',
        'status 401',
      );
    });
    it('reports a userinfo answer that is not a JSON object as social.userinfo_failed', async () => {
      await refusedWith(finish({}, { userinfo: { body: '<html>' } }), 'social.userinfo_failed');
      await refusedWith(finish({}, { userinfo: { body: '[1,2]' } }), 'social.userinfo_failed');
    });
    it('refuses a huge userinfo answer', async () => {
      await refusedWith(
        finish({}, { userinfo: { body: { id: 'u', blob: 'x'.repeat(2 * 1024 * 1024) } } }),
        'social.userinfo_failed',
        'too large',
      );
    });
    it('gives up on a hanging userinfo endpoint', async () => {
      await refusedWith(finish({}, { userinfo: 'hang', timeoutMs: 300 }), 'social.timeout');
    });
    it('reports a token endpoint error with its code', async () => {
      const error = await refusedWith(
        finish({}, { token: { status: 401, body: { error: 'invalid_client' } } }),
        'social.token_request_failed',
      );
      assert.equal(error.upstreamError, 'invalid_client');
    });
    it('reports an upstream error=access_denied without any request', async () => {
      const tokens = fake.tokenRequests.length;
      const error = await refusedWith(
        finish({}, { params: { error: 'access_denied', state: 's' } }),
        'social.upstream_error',
      );
      assert.equal(error.upstreamError, 'access_denied');
      assert.equal(fake.tokenRequests.length, tokens);
    });
    it('ignores an RFC 9207 iss parameter (no issuer is configured for OAuth 2.0)', async () => {
      const { profile } = await finish({}, { params: { code, iss: 'https://whatever.example.com' } });
      assert.equal(profile.id, '1');
    });
  });
});

// Refresh (SPEC §7 stored tokens, issue 6 item 3).
describe('the OAuth 2.0 connector refreshes stored tokens (RFC 6749 §6)', () => {
  let upstream: Upstream;
  let fake: FakeProvider;
  before(async () => {
    upstream = await startUpstream({
      accounts: { erin: { password: 'erin-password', claims: { email: 'erin@example.com' } } },
    });
    fake = await startFakeProvider();
  });
  after(async () => {
    await upstream.stop();
    await fake.stop();
  });

  it('at a real provider: the refresh token from the sign-in buys a new access token with the same client authentication', async () => {
    await upstream.registerClient({
      client_id: 'oauth2-offline',
      client_secret: secret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const connector = createOAuth2Connector(
      {
        clientId: 'oauth2-offline',
        clientSecret: secret,
        authorizationEndpoint: `${upstream.authorizationEndpoint}?prompt=consent`,
        tokenEndpoint: upstream.tokenEndpoint,
        tokenEndpointAuthMethod: 'client_secret_post',
        userInfoEndpoint: upstream.userinfoEndpoint,
        scope: 'openid offline_access email',
        profileMap: { id: 'sub' },
      },
      { fetch },
    );
    const codeVerifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const url = connector.authorizationUrl({
      redirectUri,
      state,
      nonce: 'unused',
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    });
    const callback = await signInUpstream(url, { login: 'erin', password: 'erin-password' });
    const { tokens } = await connector.finish({
      params: callback.params,
      redirectUri,
      nonce: 'unused',
      codeVerifier,
    });
    assert.ok(tokens.refreshToken, 'offline_access with consent yields a refresh token');

    const before = upstream.seen.tokenRequests.length;
    const fresh = await connector.refresh(tokens.refreshToken);
    assert.ok(fresh.accessToken && fresh.accessToken !== tokens.accessToken);
    const [seen] = upstream.seen.tokenRequests.slice(before);
    assert.equal(seen?.status, 200);
    assert.equal(seen?.authMethod, 'client_secret_post');
    assert.ok(seen?.params.includes('refresh_token'));
  });

  const connectorFor = (format: 'json' | 'query-string') =>
    createOAuth2Connector(
      {
        clientId: 'gh-client',
        clientSecret: secret,
        authorizationEndpoint: fake.authorizationEndpoint,
        tokenEndpoint: fake.tokenEndpoint,
        userInfoEndpoint: fake.userinfoEndpoint,
        tokenEndpointResponseType: format,
      },
      { fetch, timeoutMs: 300 },
    );

  it('reads the answer in the configured format (query-string providers too)', async () => {
    fake.onToken = () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access_token=gho_new&token_type=bearer&expires_in=28800&refresh_token=ghr_new',
    });
    const fresh = await connectorFor('query-string').refresh('ghr_old');
    assert.equal(fresh.accessToken, 'gho_new');
    assert.equal(fresh.refreshToken, 'ghr_new');
    assert.equal(fresh.expiresIn, 28800);
    const request = fake.tokenRequests.at(-1);
    assert.equal(request?.body.get('grant_type'), 'refresh_token');
    assert.equal(request?.body.get('refresh_token'), 'ghr_old');
  });

  it('reports invalid_grant as social.refresh_refused, even when answered with 200 (GitHub style), and other errors as token_request_failed', async () => {
    fake.onToken = () => ({ status: 200, body: { error: 'invalid_grant' } });
    await refusedWith(connectorFor('json').refresh('ghr_old'), 'social.refresh_refused');
    fake.onToken = () => ({ status: 400, body: { error: 'unauthorized_client' } });
    await refusedWith(connectorFor('json').refresh('ghr_old'), 'social.token_request_failed');
    fake.onToken = () => 'hang';
    await refusedWith(connectorFor('json').refresh('ghr_old'), 'social.timeout');
  });
});
