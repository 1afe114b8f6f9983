import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { defaultTenantId, managementApi } from '../src/db/schema.ts';
import { createConnectorService } from '../src/domain/connectors/connectors.service.ts';
import { createIdentityService } from '../src/domain/users/identities.service.ts';
import { VaultError } from '../src/vault/envelope.ts';
import { type ApiClient, assertApiError, assertStatus, type Loose } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  beginAuthorization,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { createApplication } from './support/oidc.ts';
import { tokenRequest } from './support/protocol.ts';
import { type SmtpTestServer, startSmtpServer } from './support/smtp.ts';

/**
 * The connector framework (SPEC §6, issue 5 item 1): factories, connector instances through the Management API
 * in Logto's shapes, secrets sealed at rest and masked in every answer, and the email connector that the
 * verification codes use.
 */

const mask = '********';
const newSecret = () => `secret-${randomBytes(12).toString('hex')}`;
const newTarget = (prefix = 'idp') => `${prefix}-${randomBytes(4).toString('hex')}`;

const oidcConfig = (overrides: Record<string, unknown> = {}) => ({
  clientId: 'gatehouse',
  clientSecret: newSecret(),
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
  scope: 'openid profile email',
  idTokenVerificationConfig: {
    jwksUri: 'https://idp.example.com/jwks',
    issuer: 'https://idp.example.com',
    algorithms: ['RS256', 'ES256'],
  },
  ...overrides,
});

const oauth2Config = (overrides: Record<string, unknown> = {}) => ({
  clientId: 'gatehouse',
  clientSecret: newSecret(),
  authorizationEndpoint: 'https://github.example.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.example.com/login/oauth/access_token',
  userInfoEndpoint: 'https://api.github.example.com/user',
  profileMap: { id: 'id', email: 'email', name: 'name', avatar: 'avatar_url' },
  ...overrides,
});

const waitFor = async <T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

for (const backend of testBackends()) {
  describe(`Management API: connectors (SPEC §6) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let api: ApiClient;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
      api = h.api;
    });
    after(() => h.stop());

    const service = () =>
      createConnectorService({
        db: h.t.registry.db.kysely,
        changes: h.t.registry.changes,
        tenantId: defaultTenantId,
        vault: h.t.registry.vault,
      });
    const rawRow = (id: string) =>
      h.t.registry.db.kysely
        .selectFrom('connectors')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const createConnector = async (body: Record<string, unknown>) => {
      const response = await api.post('/api/connectors', body);
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const createOidc = (config = oidcConfig(), metadata: Record<string, unknown> = {}) =>
      createConnector({
        connectorId: 'oidc',
        config,
        metadata: { target: newTarget(), name: { en: 'Acme', th: 'แอคมี' }, ...metadata },
      });
    const connectorCount = async () => Number((await api.get('/api/connectors')).headers.get('total-number'));

    describe('GET /api/connector-factories', () => {
      it('lists oidc and oauth2 (Social, standard) and smtp (Email), each with the JSON Schema of its config', async () => {
        const response = await api.get('/api/connector-factories');
        assertStatus(response, 200);
        const byId = new Map((response.body as Loose[]).map((factory) => [factory.id, factory]));
        assert.deepEqual([...byId.keys()].sort(), ['oauth2', 'oidc', 'smtp']);
        for (const id of ['oidc', 'oauth2']) {
          const factory = byId.get(id);
          assert.equal(factory.type, 'Social');
          assert.equal(factory.isStandard, true, 'generic connectors may be added several times');
          assert.equal(factory.platform, 'Universal');
          assert.equal(typeof factory.name.en, 'string');
          assert.equal(typeof factory.name.th, 'string');
          assert.deepEqual(factory.secretFields, ['clientSecret']);
          assert.equal(factory.configSchema.type, 'object');
          assert.equal(factory.configSchema.properties.clientSecret.writeOnly, true);
          for (const field of ['clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint']) {
            assert.ok(factory.configSchema.required.includes(field), `${id} requires ${field}`);
          }
        }
        const oidc = byId.get('oidc');
        assert.ok(oidc.configSchema.required.includes('idTokenVerificationConfig'));
        const verification = oidc.configSchema.properties.idTokenVerificationConfig;
        assert.deepEqual(verification.required, ['jwksUri']);
        assert.ok(!verification.properties.algorithms.items.enum.includes('none'));
        assert.ok(!verification.properties.algorithms.items.enum.includes('HS256'));
        assert.ok(byId.get('oauth2').configSchema.required.includes('userInfoEndpoint'));
        const smtp = byId.get('smtp');
        assert.equal(smtp.type, 'Email');
        assert.equal(smtp.isStandard, false);
        assert.deepEqual(smtp.secretFields, ['url.password']);
        assert.deepEqual(smtp.configSchema.required, ['url']);
      });

      it('GET /api/connector-factories/oidc answers one factory; an unknown id is a 404', async () => {
        const response = await api.get('/api/connector-factories/oidc');
        assertStatus(response, 200);
        assert.equal(response.body.id, 'oidc');
        assertApiError(await api.get('/api/connector-factories/saml'), 404, 'connector_factory.not_found');
      });
    });

    describe('POST /api/connectors', () => {
      it('creates an OIDC connector: 201 with its id, Logto’s shape, the secret masked', async () => {
        const config = oidcConfig();
        const target = newTarget('acme');
        const response = await api.post('/api/connectors', {
          connectorId: 'oidc',
          config,
          metadata: {
            target,
            name: { en: 'Acme', th: 'แอคมี' },
            logo: 'https://cdn.example.com/acme.svg',
            logoDark: 'https://cdn.example.com/acme-dark.svg',
          },
          syncProfile: true,
        });
        assertStatus(response, 201);
        const connector = response.body;
        assert.match(connector.id, /^[\w-]{21}$/);
        assert.deepEqual(
          { ...connector, id: undefined, createdAt: undefined, updatedAt: undefined },
          {
            id: undefined,
            connectorId: 'oidc',
            type: 'Social',
            target,
            isStandard: true,
            config: {
              ...config,
              clientSecret: mask,
              tokenEndpointAuthMethod: 'client_secret_basic',
              clientSecretJwtSigningAlgorithm: 'HS256',
              acceptStringEmailVerified: false,
            },
            metadata: {
              target,
              name: { en: 'Acme', th: 'แอคมี' },
              logo: 'https://cdn.example.com/acme.svg',
              logoDark: 'https://cdn.example.com/acme-dark.svg',
            },
            syncProfile: true,
            enableTokenStorage: false,
            createdAt: undefined,
            updatedAt: undefined,
          },
        );
        assert.equal(typeof connector.createdAt, 'number');

        const read = await api.get(`/api/connectors/${connector.id}`);
        assertStatus(read, 200);
        assert.deepEqual(read.body, connector);
        const list = await api.get(`/api/connectors?target=${target}`);
        assertStatus(list, 200);
        assert.equal(list.headers.get('total-number'), '1');
        assert.deepEqual(list.body, [connector]);
      });

      it('creates an OAuth 2.0 connector; a plain string name is taken as English', async () => {
        const connector = await createConnector({
          connectorId: 'oauth2',
          config: oauth2Config(),
          metadata: { target: newTarget('github'), name: 'GitHub' },
        });
        assert.equal(connector.type, 'Social');
        assert.deepEqual(connector.metadata.name, { en: 'GitHub' });
        assert.equal(connector.metadata.logo, null);
        assert.equal(connector.config.clientSecret, mask);
        assert.equal(connector.config.tokenEndpointResponseType, 'json');
      });

      it('allows two oauth2 connectors with different targets; a target taken (by any factory) is a 409', async () => {
        const target = newTarget('twice');
        const first = await createConnector({
          connectorId: 'oauth2',
          config: oauth2Config(),
          metadata: { target },
        });
        await createConnector({
          connectorId: 'oauth2',
          config: oauth2Config(),
          metadata: { target: newTarget() },
        });
        const before = await connectorCount();
        for (const connectorId of ['oauth2', 'oidc']) {
          const config = connectorId === 'oidc' ? oidcConfig() : oauth2Config();
          const answer = await api.post('/api/connectors', { connectorId, config, metadata: { target } });
          assertApiError(answer, 409, 'connector.target_taken');
          assert.equal(answer.body.data.target, target);
        }
        assert.equal(await connectorCount(), before, 'nothing created');
        assert.equal((await api.get(`/api/connectors/${first.id}`)).body.metadata.target, target);
      });

      it('refuses an unknown factory with 400 connector.factory_not_found', async () => {
        const answer = await api.post('/api/connectors', {
          connectorId: 'saml',
          config: {},
          metadata: { target: newTarget() },
        });
        assertApiError(answer, 400, 'connector.factory_not_found');
      });

      it('refuses a social connector without metadata.target (400 connector.invalid_metadata)', async () => {
        const answer = await api.post('/api/connectors', { connectorId: 'oidc', config: oidcConfig() });
        assertApiError(answer, 400, 'connector.invalid_metadata');
        assert.equal(answer.body.data.issues[0].path, 'metadata.target');
      });

      for (const [name, metadata] of [
        ['a javascript: logo', { logo: 'javascript:alert(1)' }],
        ['a target with spaces', { target: 'not a target' }],
        ['an empty name map', { name: {} }],
        ['a name with control characters', { name: { en: 'Acme\u0007' } }],
      ] as const) {
        it(`refuses ${name} with 400 request.invalid_body`, async () => {
          const answer = await api.post('/api/connectors', {
            connectorId: 'oidc',
            config: oidcConfig(),
            metadata: { target: newTarget(), ...metadata },
          });
          assertApiError(answer, 400, 'request.invalid_body');
        });
      }

      const { idTokenVerificationConfig: verification } = oidcConfig();
      const invalidConfigs: Array<[string, Record<string, unknown>, string]> = [
        [
          'a missing jwksUri',
          { idTokenVerificationConfig: { issuer: 'https://idp.example.com' } },
          'idTokenVerificationConfig.jwksUri',
        ],
        [
          'alg "none" among the algorithms',
          { idTokenVerificationConfig: { ...verification, algorithms: ['RS256', 'none'] } },
          'idTokenVerificationConfig.algorithms.1',
        ],
        [
          'alg "HS256" among the algorithms (an HMAC keyed with a public key)',
          { idTokenVerificationConfig: { ...verification, algorithms: ['HS256'] } },
          'idTokenVerificationConfig.algorithms.0',
        ],
        [
          'a javascript: authorizationEndpoint',
          { authorizationEndpoint: 'javascript:alert(1)' },
          'authorizationEndpoint',
        ],
        ['an ftp: tokenEndpoint', { tokenEndpoint: 'ftp://idp.example.com/token' }, 'tokenEndpoint'],
        [
          'a jwksUri with credentials',
          { idTokenVerificationConfig: { jwksUri: 'https://u:p@idp.example.com/jwks' } },
          'idTokenVerificationConfig.jwksUri',
        ],
        ['an unknown key', { clientSecrett: 'typo' }, 'clientSecrett'],
        [
          'an unknown nested key',
          { idTokenVerificationConfig: { ...verification, jwks_uri: 'x' } },
          'idTokenVerificationConfig.jwks_uri',
        ],
        ['a missing clientSecret', { clientSecret: undefined }, 'clientSecret'],
        ['the mask as the clientSecret', { clientSecret: mask }, 'clientSecret'],
        [
          'an unsupported token endpoint auth method',
          { tokenEndpointAuthMethod: 'private_key_jwt' },
          'tokenEndpointAuthMethod',
        ],
      ];
      for (const [name, overrides, path] of invalidConfigs) {
        it(`refuses an OIDC config with ${name}: 400 connector.invalid_config naming ${path}`, async () => {
          const before = await connectorCount();
          const answer = await api.post('/api/connectors', {
            connectorId: 'oidc',
            config: oidcConfig(overrides),
            metadata: { target: newTarget() },
          });
          assertApiError(answer, 400, 'connector.invalid_config');
          const paths = (answer.body.data.issues as Loose[]).map((issue) => issue.path);
          assert.ok(paths.includes(path), `${JSON.stringify(paths)} names ${path}`);
          assert.ok(answer.body.message.includes(path), answer.body.message);
          assert.equal(await connectorCount(), before, 'nothing created');
        });
      }

      it('refuses an OAuth 2.0 config without userInfoEndpoint, naming it', async () => {
        const answer = await api.post('/api/connectors', {
          connectorId: 'oauth2',
          config: oauth2Config({ userInfoEndpoint: undefined }),
          metadata: { target: newTarget() },
        });
        assertApiError(answer, 400, 'connector.invalid_config');
        assert.deepEqual(
          (answer.body.data.issues as Loose[]).map((issue) => issue.path),
          ['userInfoEndpoint'],
        );
      });
    });

    describe('secrets: never answered, never stored in plaintext', () => {
      it('no response body contains the client secret: create, get, list, patch', async () => {
        const config = oidcConfig();
        const secret = config.clientSecret;
        const created = await api.post('/api/connectors', {
          connectorId: 'oidc',
          config,
          metadata: { target: newTarget() },
        });
        const id = created.body.id;
        const answers = [
          created,
          await api.get(`/api/connectors/${id}`),
          await api.get('/api/connectors?page_size=100'),
          await api.patch(`/api/connectors/${id}`, { config: { scope: 'openid email' } }),
          await api.patch(`/api/connectors/${id}`, { config: { clientSecret: secret } }),
        ];
        for (const answer of answers) {
          assert.ok(answer.status < 300, JSON.stringify(answer.body));
          assert.ok(!JSON.stringify(answer.body).includes(secret), 'the secret is not in the answer');
        }
      });

      it('the raw connectors row holds the mask in config and only a sealed envelope of the secret', async () => {
        const config = oidcConfig();
        const connector = await createOidc(config);
        const row = await rawRow(connector.id);
        assert.ok(
          !JSON.stringify(row).includes(config.clientSecret),
          'the secret string is nowhere in the row',
        );
        assert.equal((row.config as Loose).clientSecret, mask);
        assert.match(row.sealed_secrets ?? '', /^v1\./, 'a vault envelope');
        const forSignIn = await service().getForSignIn(connector.id);
        assert.equal(forSignIn?.config.clientSecret, config.clientSecret, 'the sign-in flow gets the secret');
      });

      it('a sealed value copied to another connector’s row fails to open (associated data binds the row)', async () => {
        const a = await createOidc();
        const b = await createOidc();
        const sealedA = (await rawRow(a.id)).sealed_secrets;
        await h.t.registry.db.kysely
          .updateTable('connectors')
          .set({ sealed_secrets: sealedA })
          .where('tenant_id', '=', defaultTenantId)
          .where('id', '=', b.id)
          .execute();
        await assert.rejects(service().getForSignIn(b.id), VaultError);
        // The masked view needs no decryption: the admin can still see (and fix) the connector.
        assertStatus(await api.get(`/api/connectors/${b.id}`), 200);
        const kept = await api.patch(`/api/connectors/${b.id}`, { config: { scope: 'openid' } });
        assertApiError(kept, 400, 'connector.invalid_config');
        assert.equal(kept.body.data.issues[0].path, 'clientSecret');
        const fixed = await api.patch(`/api/connectors/${b.id}`, {
          config: { clientSecret: 'a-new-secret' },
        });
        assertStatus(fixed, 200);
        assert.equal((await service().getForSignIn(b.id))?.config.clientSecret, 'a-new-secret');
      });
    });

    describe('PATCH /api/connectors/:id', () => {
      it('merges config keys shallowly; without the secret, or with the mask, the stored secret is kept', async () => {
        const config = oidcConfig();
        const connector = await createOidc(config);
        const scoped = await api.patch(`/api/connectors/${connector.id}`, {
          config: { scope: 'openid email' },
        });
        assertStatus(scoped, 200);
        assert.equal(scoped.body.config.scope, 'openid email');
        assert.equal(scoped.body.config.clientId, config.clientId);
        assert.equal(scoped.body.config.clientSecret, mask);
        assert.equal((await service().getForSignIn(connector.id))?.config.clientSecret, config.clientSecret);

        // A console sends back the object it read: the mask means "unchanged".
        const resent = await api.patch(`/api/connectors/${connector.id}`, { config: scoped.body.config });
        assertStatus(resent, 200);
        const kept = await service().getForSignIn(connector.id);
        assert.equal(kept?.config.clientSecret, config.clientSecret);
        assert.equal(kept?.config.scope, 'openid email');

        const replaced = await api.patch(`/api/connectors/${connector.id}`, {
          config: { clientSecret: 'rotated' },
        });
        assertStatus(replaced, 200);
        assert.equal((await service().getForSignIn(connector.id))?.config.clientSecret, 'rotated');
      });

      it('re-validates the merged config as a whole: a nested object replaced without jwksUri is refused', async () => {
        const connector = await createOidc();
        const answer = await api.patch(`/api/connectors/${connector.id}`, {
          config: { idTokenVerificationConfig: { issuer: 'https://other.example.com' } },
        });
        assertApiError(answer, 400, 'connector.invalid_config');
        assert.deepEqual(
          (answer.body.data.issues as Loose[]).map((issue) => issue.path),
          ['idTokenVerificationConfig.jwksUri'],
        );
        const unchanged = await api.get(`/api/connectors/${connector.id}`);
        assert.equal(unchanged.body.config.idTokenVerificationConfig.issuer, 'https://idp.example.com');
      });

      it('null removes an optional config key', async () => {
        const connector = await createOidc(oidcConfig({ customConfig: { prompt_extra: 'x' } }));
        const answer = await api.patch(`/api/connectors/${connector.id}`, { config: { customConfig: null } });
        assertStatus(answer, 200);
        assert.ok(!('customConfig' in answer.body.config));
      });

      it('updates metadata key by key and the two switches', async () => {
        const connector = await createOidc(oidcConfig(), { logo: 'https://cdn.example.com/a.png' });
        const answer = await api.patch(`/api/connectors/${connector.id}`, {
          metadata: { name: 'Acme SSO', logoDark: 'https://cdn.example.com/a-dark.png' },
          syncProfile: true,
          enableTokenStorage: true,
        });
        assertStatus(answer, 200);
        assert.deepEqual(answer.body.metadata, {
          target: connector.metadata.target,
          name: { en: 'Acme SSO' },
          logo: 'https://cdn.example.com/a.png',
          logoDark: 'https://cdn.example.com/a-dark.png',
        });
        assert.equal(answer.body.syncProfile, true);
        assert.equal(answer.body.enableTokenStorage, true);
        assert.ok(answer.body.updatedAt >= connector.updatedAt);
      });

      it('refuses to change the target (400 connector.target_immutable) or the factory (400)', async () => {
        const connector = await createOidc();
        assertApiError(
          await api.patch(`/api/connectors/${connector.id}`, { metadata: { target: newTarget() } }),
          400,
          'connector.target_immutable',
        );
        assertApiError(
          await api.patch(`/api/connectors/${connector.id}`, { connectorId: 'oauth2' }),
          400,
          'connector.factory_immutable',
        );
        // Unchanged values are accepted, so a client may send back what it read.
        assertStatus(
          await api.patch(`/api/connectors/${connector.id}`, {
            connectorId: 'oidc',
            metadata: { target: connector.metadata.target },
          }),
          200,
        );
      });

      it('answers 404 connector.not_found for an unknown id', async () => {
        assertApiError(
          await api.patch('/api/connectors/nope', { syncProfile: true }),
          404,
          'connector.not_found',
        );
        assertApiError(await api.get('/api/connectors/nope'), 404, 'connector.not_found');
      });
    });

    describe('DELETE /api/connectors/:id', () => {
      beforeEach(() => resetSignInExperience(h.t));

      it('deletes the connector and takes its target out of socialSignInConnectorTargets; identities stay', async () => {
        const gone = await createOidc();
        const stays = await createOidc();
        const goneTarget = gone.metadata.target;
        const staysTarget = stays.metadata.target;
        await setSignInExperience(h.t, api, { socialSignInConnectorTargets: [goneTarget, staysTarget] });
        const user = await createUserWithPassword(api, {
          username: uniqueName('linked'),
          password: 'a long passphrase 1',
        });
        const identities = createIdentityService({
          db: h.t.registry.db.kysely,
          changes: h.t.registry.changes,
          tenantId: defaultTenantId,
          passwords: h.t.registry.passwords,
        });
        await identities.link(user.id, goneTarget, 'upstream-sub-1', { name: 'Ann' });

        assertStatus(await api.del(`/api/connectors/${gone.id}`), 204);
        assertApiError(await api.get(`/api/connectors/${gone.id}`), 404, 'connector.not_found');
        assertApiError(await api.del(`/api/connectors/${gone.id}`), 404, 'connector.not_found');
        const settings = await api.get('/api/sign-in-exp');
        assert.deepEqual(settings.body.socialSignInConnectorTargets, [staysTarget]);
        assert.ok(await identities.findUserByIdentity(goneTarget, 'upstream-sub-1'), 'the identity is kept');
        assert.equal(await service().getForSignIn(gone.id), undefined);
      });
    });

    describe('for the sign-in flow', () => {
      it('getForSignIn finds a social connector by id or by target, with its full parsed config', async () => {
        const config = oidcConfig();
        const connector = await createOidc(config, { logo: 'https://cdn.example.com/l.png' });
        const byId = await service().getForSignIn(connector.id);
        const byTarget = await service().getForSignIn(connector.metadata.target);
        assert.deepEqual(byTarget, byId);
        assert.ok(byId);
        assert.equal(byId.connectorId, 'oidc');
        assert.deepEqual(
          { ...byId, config: undefined },
          {
            id: connector.id,
            connectorId: 'oidc',
            target: connector.metadata.target,
            name: { en: 'Acme', th: 'แอคมี' },
            logo: 'https://cdn.example.com/l.png',
            logoDark: null,
            syncProfile: false,
            enableTokenStorage: false,
            config: undefined,
          },
        );
        if (byId.connectorId === 'oidc') {
          assert.equal(byId.config.clientSecret, config.clientSecret);
          assert.equal(byId.config.tokenEndpointAuthMethod, 'client_secret_basic', 'defaults filled');
          assert.equal(byId.config.idTokenVerificationConfig.jwksUri, 'https://idp.example.com/jwks');
        }
        assert.equal(await service().getForSignIn('no-such-connector'), undefined);
      });

      it('listSocialByTargets answers in the order asked, skipping unknown targets, without any config', async () => {
        const a = await createOidc();
        const b = await createConnector({
          connectorId: 'oauth2',
          config: oauth2Config(),
          metadata: { target: newTarget('b'), name: 'Bee', logoDark: 'https://cdn.example.com/b-dark.png' },
        });
        const listed = await service().listSocialByTargets([b.metadata.target, 'missing', a.metadata.target]);
        assert.deepEqual(listed, [
          {
            id: b.id,
            connectorId: 'oauth2',
            target: b.metadata.target,
            name: { en: 'Bee' },
            logo: null,
            logoDark: 'https://cdn.example.com/b-dark.png',
          },
          {
            id: a.id,
            connectorId: 'oidc',
            target: a.metadata.target,
            name: { en: 'Acme', th: 'แอคมี' },
            logo: null,
            logoDark: null,
          },
        ]);
        assert.deepEqual(await service().listSocialByTargets([]), []);
      });
    });

    describe('authorisation (SPEC §4)', () => {
      const routes = [
        ['GET', '/api/connector-factories'],
        ['GET', '/api/connector-factories/oidc'],
        ['GET', '/api/connectors'],
        ['POST', '/api/connectors'],
        ['GET', '/api/connectors/some-id'],
        ['PATCH', '/api/connectors/some-id'],
        ['DELETE', '/api/connectors/some-id'],
      ] as const;
      let noScope: string;
      before(async () => {
        // A machine app without any role: a valid management token whose scope is empty.
        const machine = await createApplication(h.t, { type: 'MachineToMachine' });
        const token = await tokenRequest(h.t, machine, {
          grant_type: 'client_credentials',
          resource: managementApi.indicator,
          scope: managementApi.scope,
        });
        assert.equal(token.status, 200, JSON.stringify(token.body));
        noScope = String(token.body.access_token);
      });
      const call = (method: string, path: string, authorization?: string) =>
        fetch(`${h.t.url}${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(authorization && { authorization }),
          },
          ...(method === 'POST' || method === 'PATCH'
            ? {
                body: JSON.stringify({
                  connectorId: 'oidc',
                  config: oidcConfig(),
                  metadata: { target: 'x' },
                }),
              }
            : {}),
        });

      for (const [method, path] of routes) {
        it(`${method} ${path}: 401 without a token or with a forged one, 403 without the "all" scope`, async () => {
          const before = await connectorCount();
          for (const authorization of [undefined, 'Bearer forged', 'Basic dGVzdDp0ZXN0']) {
            const response = await call(method, path, authorization);
            assert.equal(response.status, 401, String(authorization));
            assert.equal(((await response.json()) as Loose).code, 'auth.invalid_token');
          }
          const refused = await call(method, path, `Bearer ${noScope}`);
          assert.equal(refused.status, 403);
          assert.equal(((await refused.json()) as Loose).code, 'auth.insufficient_scope');
          assert.equal(await connectorCount(), before, 'nothing created');
        });
      }

      it('documents every connector route in /api/swagger.json', async () => {
        const document = (await (await fetch(`${h.t.url}/api/swagger.json`)).json()) as Loose;
        for (const [method, path] of routes) {
          const openApiPath = path.replace('some-id', '{id}').replace('/oidc', '/{id}');
          const operation = document.paths[openApiPath]?.[method.toLowerCase()];
          assert.ok(operation, `${method} ${openApiPath}`);
          assert.ok(operation.responses['401']);
        }
        const create = document.paths['/api/connectors'].post;
        assert.deepEqual(create.requestBody.content['application/json'].schema.required, ['connectorId']);
        assert.ok(create.responses['409']);
      });
    });

    describe('the email connector (smtp)', () => {
      let smtp: SmtpTestServer;
      before(async () => {
        smtp = await startSmtpServer();
        await resetSignInExperience(h.t);
        await setSignInExperience(h.t, api, emailSettings);
      });
      after(async () => {
        await resetSignInExperience(h.t);
        await smtp.close();
      });

      /** Asks for a sign-in code on the hosted page, as a user would. */
      const askSignInCode = async (email: string) => {
        const flow = await beginAuthorization(h.t, h.app);
        const sent = await flow.browser.post('/sign-in/code', { _csrf: flow.page.csrf ?? '', email });
        assert.equal(sent.status, 303, sent.html.slice(0, 500));
      };
      const newEmailUser = async () => {
        const email = `${uniqueName('mail')}@example.com`;
        await createUserWithPassword(api, { primaryEmail: email, password: 'a long passphrase 1' });
        return email;
      };
      const outbox = async (to: string) =>
        (await api.get(`/api/outbox?to=${encodeURIComponent(to)}`)).body as Loose[];

      it('an smtp connector makes the verification codes go through its server; deleting it restores the outbox', async () => {
        // Before: no email connector, no SMTP_URL: the development outbox.
        const before = await newEmailUser();
        await askSignInCode(before);
        await waitFor(async () => (await outbox(before))[0], 'the code in the outbox');

        const created = await api.post('/api/connectors', {
          connectorId: 'smtp',
          config: { url: smtp.url, from: 'Gatehouse <id@example.com>' },
        });
        assertStatus(created, 201);
        const connector = created.body;
        assert.equal(connector.type, 'Email');
        assert.equal(connector.target, null);
        assert.equal(connector.config.url, `smtp://mailer:${mask}@127.0.0.1:${smtp.port}`);
        assert.ok(!JSON.stringify(connector).includes(encodeURIComponent(smtp.account.pass)));
        const row = await rawRow(connector.id);
        assert.ok(
          !JSON.stringify(row).includes(encodeURIComponent(smtp.account.pass)),
          'no password at rest',
        );

        const email = await newEmailUser();
        await askSignInCode(email);
        const mail = await waitFor(
          () => smtp.received.find((message) => message.to.includes(email)),
          'the code at the SMTP server',
        );
        assert.equal(mail.user, 'mailer', 'authenticated with the sealed password');
        assert.match(mail.raw, /\b\d{6}\b/);
        assert.deepEqual(await outbox(email), [], 'not in the outbox');

        // PATCH without the URL keeps the password; the change reaches the sender at once.
        assertStatus(
          await api.patch(`/api/connectors/${connector.id}`, { config: { from: 'id2@example.com' } }),
          200,
        );
        const second = await newEmailUser();
        await askSignInCode(second);
        const secondMail = await waitFor(
          () => smtp.received.find((message) => message.to.includes(second)),
          'the second code at the SMTP server',
        );
        assert.match(secondMail.raw, /^From: id2@example\.com/m);

        assertStatus(await api.del(`/api/connectors/${connector.id}`), 204);
        const after = await newEmailUser();
        await askSignInCode(after);
        await waitFor(async () => (await outbox(after))[0], 'the code back in the outbox');
        assert.ok(!smtp.received.some((message) => message.to.includes(after)));
      });

      it('allows one email connector: a second is a 409 connector.email_exists', async () => {
        const first = await createConnector({ connectorId: 'smtp', config: { url: smtp.url } });
        const answer = await api.post('/api/connectors', {
          connectorId: 'smtp',
          config: { url: `smtp://127.0.0.1:${smtp.port}` },
        });
        assertApiError(answer, 409, 'connector.email_exists');
        assertStatus(await api.del(`/api/connectors/${first.id}`), 204);
      });

      it('refuses an SMTP URL that is not smtp:// or smtps://, naming url', async () => {
        for (const url of ['http://mail.example.com', 'mail.example.com', 'smtp://']) {
          const answer = await api.post('/api/connectors', { connectorId: 'smtp', config: { url } });
          assertApiError(answer, 400, 'connector.invalid_config');
          assert.equal(answer.body.data.issues[0].path, 'url');
        }
      });
    });
  });
}
