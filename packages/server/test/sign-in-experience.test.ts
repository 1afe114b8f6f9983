import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLocalChangeBus } from '../src/db/changes.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import { defaultSignInExperience } from '../src/domain/sign-in-experience/sign-in-experience.schemas.ts';
import {
  createSignInExperienceService,
  signInExperienceTopic,
} from '../src/domain/sign-in-experience/sign-in-experience.service.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { defaultSignInExperienceAnswer } from './support/sign-in-experience.ts';

const defaults = defaultSignInExperienceAnswer;

const emailCodeOnly = {
  signIn: {
    methods: [{ identifier: 'email', password: false, verificationCode: true, isPasswordPrimary: false }],
  },
  signUp: { identifiers: ['email'], password: false, verify: true },
};

for (const backend of testBackends()) {
  describe(`sign-in experience settings (SPEC §5, §6: GET/PATCH /api/sign-in-exp) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());
    // Every test starts from the defaults.
    beforeEach(async () => {
      await t.registry.db.kysely.deleteFrom('sign_in_experiences').execute();
      await t.registry.changes.publish({ topic: signInExperienceTopic });
    });

    const update = async (body: unknown) => {
      const response = await api.patch('/api/sign-in-exp', body);
      assertStatus(response, 200);
      return response.body as Loose;
    };

    describe('reading', () => {
      it('answers the defaults before anything was set: username or email + password, username sign-up', async () => {
        const response = await api.get('/api/sign-in-exp');
        assertStatus(response, 200);
        assert.deepEqual(response.body, defaults);
      });
    });

    describe('PATCH merges top-level keys', () => {
      it('replaces the keys given, keeps the others, and answers the whole object', async () => {
        const body = await update({ color: { primaryColor: '#112233', isDarkModeEnabled: true } });
        assert.deepEqual(body, {
          ...defaults,
          color: { primaryColor: '#112233', isDarkModeEnabled: true, darkPrimaryColor: '#9C86F8' },
        });
        assert.deepEqual((await api.get('/api/sign-in-exp')).body, body);

        const next = await update({ languageInfo: { autoDetect: false, fallbackLanguage: 'th' } });
        assert.equal(next.color.primaryColor, '#112233', 'an earlier change stays');
        assert.deepEqual(next.languageInfo, { autoDetect: false, fallbackLanguage: 'th' });
      });

      it('fills nested fields left out with their defaults (a key is replaced whole, as in Logto)', async () => {
        const body = await update({ passwordPolicy: { length: { min: 12 }, rejects: { pwned: false } } });
        assert.deepEqual(body.passwordPolicy, {
          length: { min: 12, max: 256 },
          characterTypes: { min: 1 },
          rejects: { pwned: false, userInfo: true },
        });
      });

      it('accepts a code-only email sign-in and sign-up', async () => {
        const body = await update(emailCodeOnly);
        assert.deepEqual(body.signIn, emailCodeOnly.signIn);
        assert.deepEqual(body.signUp, emailCodeOnly.signUp);
      });

      it('accepts a sign-in with social connectors only, and a social-only sign-up', async () => {
        const body = await update({
          signIn: { methods: [] },
          signUp: { identifiers: [], password: false, verify: false },
          socialSignInConnectorTargets: ['google', 'github', 'google'],
        });
        assert.deepEqual(body.socialSignInConnectorTargets, ['google', 'github'], 'duplicates dropped');
        assert.deepEqual(body.signIn.methods, []);
      });

      it('allows no sign-in method at all when the mode is Register', async () => {
        const body = await update({
          signInMode: 'Register',
          signIn: { methods: [] },
        });
        assert.equal(body.signInMode, 'Register');
      });

      it('sets and clears URLs: null and the empty string both mean none', async () => {
        const set = await update({
          termsOfUseUrl: 'https://example.com/terms',
          privacyPolicyUrl: 'http://example.com/privacy',
          branding: { logoUrl: 'https://cdn.example.com/logo.svg', favicon: 'https://cdn.example.com/f.ico' },
        });
        assert.equal(set.termsOfUseUrl, 'https://example.com/terms');
        assert.deepEqual(set.branding, {
          logoUrl: 'https://cdn.example.com/logo.svg',
          favicon: 'https://cdn.example.com/f.ico',
        });
        const cleared = await update({
          termsOfUseUrl: null,
          privacyPolicyUrl: '',
          branding: { logoUrl: '', darkLogoUrl: null },
        });
        assert.equal(cleared.termsOfUseUrl, null);
        assert.equal(cleared.privacyPolicyUrl, null);
        assert.deepEqual(cleared.branding, {});
      });

      it('ignores unknown keys, such as Logto fields Gatehouse does not have, and the read-only ids', async () => {
        const body = await update({
          tenantId: 'other',
          id: 'other',
          mfa: { factors: [] },
          customCss: 'body{}',
          color: { primaryColor: '#ABCDEF', unknown: 1 },
        });
        assert.equal(body.tenantId, 'default');
        assert.equal(body.id, 'default');
        assert.equal(body.mfa, undefined);
        assert.deepEqual(body.color, {
          primaryColor: '#ABCDEF',
          isDarkModeEnabled: false,
          darkPrimaryColor: '#9C86F8',
        });
      });

      it('an empty body changes nothing', async () => {
        assert.deepEqual(await update({}), defaults);
      });

      it('keeps both of two concurrent updates of different keys', async () => {
        await Promise.all([
          update({ color: { primaryColor: '#000001' } }),
          update({ languageInfo: { fallbackLanguage: 'th' } }),
          update({ termsOfUseUrl: 'https://example.com/t' }),
        ]);
        const body = (await api.get('/api/sign-in-exp')).body;
        assert.equal(body.color.primaryColor, '#000001');
        assert.equal(body.languageInfo.fallbackLanguage, 'th');
        assert.equal(body.termsOfUseUrl, 'https://example.com/t');
      });
    });

    describe('settings that do not work together → 400 sign_in_experience.invalid, nothing written', () => {
      const refusals: Array<[string, Record<string, unknown>]> = [
        ['no sign-in method and no social connector while signing in is on', { signIn: { methods: [] } }],
        [
          'a sign-in method with neither password nor code',
          {
            signIn: {
              methods: [{ identifier: 'username', password: false, verificationCode: false }],
            },
          },
        ],
        [
          'a code sent to a username',
          { signIn: { methods: [{ identifier: 'username', password: true, verificationCode: true }] } },
        ],
        [
          'a code by text message (no SMS connector)',
          {
            signIn: {
              methods: [
                { identifier: 'username', password: true, verificationCode: false },
                { identifier: 'phone', password: false, verificationCode: true },
              ],
            },
          },
        ],
        [
          'email verification without email among the identifiers',
          { signUp: { identifiers: ['username'], password: true, verify: true } },
        ],
        [
          'a sign-up with neither password nor verification',
          { signUp: { identifiers: ['email'], password: false, verify: false } },
        ],
        [
          'a social-only sign-up that asks for a password',
          { signUp: { identifiers: [], password: true, verify: false } },
        ],
        [
          'a sign-up identifier that cannot sign in',
          {
            signIn: { methods: [{ identifier: 'username', password: true, verificationCode: false }] },
            signUp: { identifiers: ['email'], password: true, verify: true },
          },
        ],
        [
          'a code-only sign-up whose users could never sign in (no email code)',
          {
            signIn: { methods: [{ identifier: 'email', password: true, verificationCode: false }] },
            signUp: { identifiers: ['email'], password: false, verify: true },
          },
        ],
      ];
      for (const [what, body] of refusals) {
        it(`refuses ${what}`, async () => {
          const response = await api.patch('/api/sign-in-exp', body);
          assertApiError(response, 400, 'sign_in_experience.invalid');
          assert.ok(Array.isArray(response.body.data.issues) && response.body.data.issues.length > 0);
          assert.deepEqual((await api.get('/api/sign-in-exp')).body, defaults, 'nothing written');
        });
      }

      it('checks the merged result: a valid key next to an invalid one leaves both unwritten', async () => {
        const response = await api.patch('/api/sign-in-exp', {
          color: { primaryColor: '#FFFFFF' },
          signUp: { identifiers: ['phone'], password: true, verify: true },
        });
        assertApiError(response, 400, 'sign_in_experience.invalid');
        assert.equal((await api.get('/api/sign-in-exp')).body.color.primaryColor, '#5D34F2');
      });
    });

    describe('bad input → 400 request.invalid_body (never a 500)', () => {
      const bad: Array<[string, unknown]> = [
        ['a javascript: logo', { branding: { logoUrl: 'javascript:alert(1)' } }],
        ['a data: favicon', { branding: { favicon: 'data:image/png;base64,AAAA' } }],
        ['an ftp: terms URL', { termsOfUseUrl: 'ftp://example.com/terms' }],
        ['a relative URL', { privacyPolicyUrl: '/privacy' }],
        ['a URL with spaces', { termsOfUseUrl: 'https://example.com/a b' }],
        ['a URL longer than 2048', { termsOfUseUrl: `https://example.com/${'a'.repeat(2040)}` }],
        ['a URL that is a number', { termsOfUseUrl: 42 }],
        ['a colour name', { color: { primaryColor: 'red' } }],
        ['a short hex colour', { color: { primaryColor: '#123' } }],
        ['a non-hex colour', { color: { primaryColor: '#GGGGGG' } }],
        ['a colour without #', { color: { primaryColor: '5D34F2' } }],
        ['a missing primary colour', { color: { isDarkModeEnabled: true } }],
        ['an unknown language', { languageInfo: { fallbackLanguage: 'fr' } }],
        ['an unknown sign-in mode', { signInMode: 'Both' }],
        ['a minimum password length under 8', { passwordPolicy: { length: { min: 7 } } }],
        ['a minimum password length over 256', { passwordPolicy: { length: { min: 257 } } }],
        ['a fractional minimum length', { passwordPolicy: { length: { min: 9.5 } } }],
        ['a maximum length other than 256', { passwordPolicy: { length: { max: 128 } } }],
        ['0 character types', { passwordPolicy: { characterTypes: { min: 0 } } }],
        ['5 character types', { passwordPolicy: { characterTypes: { min: 5 } } }],
        ['a string for a boolean', { passwordPolicy: { rejects: { pwned: 'yes' } } }],
        [
          'an unknown identifier',
          { signIn: { methods: [{ identifier: 'nickname', password: true, verificationCode: false }] } },
        ],
        [
          'the same sign-in identifier twice',
          {
            signIn: {
              methods: [
                { identifier: 'email', password: true, verificationCode: false },
                { identifier: 'email', password: false, verificationCode: true },
              ],
            },
          },
        ],
        ['a sign-in method without flags', { signIn: { methods: [{ identifier: 'email' }] } }],
        ['methods that are not a list', { signIn: { methods: 'email' } }],
        ['null for signIn', { signIn: null }],
        [
          'the same sign-up identifier twice',
          { signUp: { identifiers: ['email', 'email'], password: true, verify: true } },
        ],
        ['a sign-up without its flags', { signUp: { identifiers: ['email'] } }],
        ['a connector target with spaces', { socialSignInConnectorTargets: ['my google'] }],
        ['a connector target that is not a string', { socialSignInConnectorTargets: [1] }],
        [
          '51 connector targets',
          { socialSignInConnectorTargets: Array.from({ length: 51 }, (_, i) => `c${i}`) },
        ],
        ['an array as the body', [{ signInMode: 'SignIn' }]],
      ];
      for (const [what, body] of bad) {
        it(`refuses ${what}`, async () => {
          assertApiError(await api.patch('/api/sign-in-exp', body), 400, 'request.invalid_body');
          assert.deepEqual((await api.get('/api/sign-in-exp')).body, defaults, 'nothing written');
        });
      }

      it('refuses malformed JSON or a bare JSON string (400 request.invalid_json), other media types (415)', async () => {
        for (const body of ['{"signInMode":', '"SignIn"']) {
          assertApiError(
            await api.send('PATCH', '/api/sign-in-exp', {
              body,
              headers: { 'content-type': 'application/json' },
            }),
            400,
            'request.invalid_json',
          );
        }
        assertApiError(
          await api.send('PATCH', '/api/sign-in-exp', {
            body: 'signInMode=SignIn',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
          415,
          'request.unsupported_media_type',
        );
      });

      it('answers 405 to methods the path does not have', async () => {
        assertApiError(await api.post('/api/sign-in-exp', {}), 405, 'request.method_not_allowed');
        assertApiError(await api.del('/api/sign-in-exp'), 405, 'request.method_not_allowed');
      });
    });

    describe('guarded like every Management API route (SECURITY-TESTS A15)', () => {
      it('answers 401 without a token or with a forged one', async () => {
        for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Array<
          Record<string, string>
        >) {
          for (const method of ['GET', 'PATCH']) {
            const response = await fetch(`${t.url}/api/sign-in-exp`, {
              method,
              headers: { ...headers, 'content-type': 'application/json' },
              body: method === 'PATCH' ? '{"signInMode":"SignIn"}' : undefined,
            });
            assert.equal(response.status, 401);
            assert.equal(((await response.json()) as Loose).code, 'auth.invalid_token');
          }
        }
        assert.deepEqual((await api.get('/api/sign-in-exp')).body, defaults);
      });

      it('is described in the OpenAPI document', async () => {
        const response = await fetch(`${t.url}/api/swagger.json`);
        const document = (await response.json()) as Loose;
        assert.ok(document.paths['/api/sign-in-exp']?.get);
        assert.ok(document.paths['/api/sign-in-exp']?.patch);
      });
    });
  });

  describe(`sign-in experience cache (change bus topic sign_in_experience) on ${backend.name}`, () => {
    it('serves the cached copy until the bus says it changed, on every instance', async () => {
      const { migrateToLatest } = await import('../src/db/migrate.ts');
      const db = await backend.create();
      const changes = createLocalChangeBus();
      try {
        await migrateToLatest(db.kysely);
        const deps = { db: db.kysely, changes, tenantId: defaultTenantId };
        const first = createSignInExperienceService(deps);
        const second = createSignInExperienceService(deps);
        assert.equal((await first.get()).color.primaryColor, '#5D34F2');

        // An update through one instance reaches the other through the bus.
        await second.update({
          color: { primaryColor: '#010203', isDarkModeEnabled: false, darkPrimaryColor: '#040506' },
        });
        assert.equal((await first.get()).color.primaryColor, '#010203');

        // A write the bus did not announce is not seen: the copy is really cached…
        await sql`update sign_in_experiences set settings = jsonb_set(settings, '{signInMode}', '"SignIn"')`.execute(
          db.kysely,
        );
        assert.equal((await first.get()).signInMode, 'SignInAndRegister');
        // …until the topic (or '*', after a reconnect) is published.
        await changes.publish({ topic: signInExperienceTopic });
        assert.equal((await first.get()).signInMode, 'SignIn');
        await sql`update sign_in_experiences set settings = jsonb_set(settings, '{signInMode}', '"Register"')`.execute(
          db.kysely,
        );
        await changes.publish({ topic: '*' });
        assert.equal((await first.get()).signInMode, 'Register');

        // Settings stored by an older version, with a key missing or no longer valid, read as the defaults.
        await sql`update sign_in_experiences set settings = '{"signInMode": "Nope", "color": {"primaryColor": "#0A0B0C"}}'::jsonb`.execute(
          db.kysely,
        );
        await changes.publish({ topic: signInExperienceTopic });
        const read = await first.get();
        assert.equal(read.signInMode, defaultSignInExperience.signInMode);
        assert.equal(read.color.primaryColor, '#0A0B0C');
        assert.deepEqual(read.signIn, defaultSignInExperience.signIn);
        first.close();
        second.close();
      } finally {
        await changes.close();
        await db.close();
      }
    });
  });
}
