import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultTenantId } from '../src/db/schema.ts';
import { verifyApplicationSecret } from '../src/domain/applications/application-secrets.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const web = (redirectUris: string[], postLogoutRedirectUris: string[] = []) => ({
  redirectUris,
  postLogoutRedirectUris,
});

for (const backend of testBackends()) {
  describe(`Management API: applications (SPEC §3, §4) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());

    const createApp = async (body: Record<string, unknown>) => {
      const response = await api.post('/api/applications', body);
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const secretRows = (applicationId: string) =>
      t.registry.db.kysely
        .selectFrom('application_secrets')
        .selectAll()
        .where('tenant_id', '=', defaultTenantId)
        .where('application_id', '=', applicationId)
        .execute();

    describe('POST /api/applications', () => {
      it('creates a Traditional app and shows its `default` secret once, in the 201 answer', async () => {
        const response = await api.post('/api/applications', {
          name: 'Shop',
          type: 'Traditional',
          description: 'The web shop',
          oidcClientMetadata: web(['https://shop.example/callback'], ['https://shop.example/']),
          customClientMetadata: { accessTokenTtl: 600, refreshTokenTtlInDays: 30 },
        });
        assertStatus(response, 201);
        const app = response.body;
        assert.match(app.id, /^[\w-]{21}$/);
        assert.deepEqual(
          { ...app, id: undefined, secret: undefined, createdAt: undefined },
          {
            id: undefined,
            name: 'Shop',
            description: 'The web shop',
            type: 'Traditional',
            oidcClientMetadata: web(['https://shop.example/callback'], ['https://shop.example/']),
            customClientMetadata: {
              accessTokenTtl: 600,
              refreshTokenTtlInDays: 30,
              rotateRefreshToken: true,
            },
            isThirdParty: false,
            secret: undefined,
            createdAt: undefined,
          },
        );
        assert.equal(typeof app.createdAt, 'number');
        assert.equal(Buffer.from(app.secret, 'base64url').length, 32, '256 bits');
        assert.equal(response.headers.get('cache-control'), 'no-store');

        const read = await api.get(`/api/applications/${app.id}`);
        assertStatus(read, 200);
        assert.ok(!('secret' in read.body), 'GET never returns the secret (unlike Logto)');
        const { secret: _shownOnce, ...withoutSecret } = app;
        assert.deepEqual(read.body, withoutSecret);
        const list = await api.get('/api/applications?page_size=100');
        assert.ok(list.body.every((item: Loose) => !('secret' in item)));
      });

      it('stores the secret only as its SHA-256 digest', async () => {
        const app = await createApp({ name: 'Digest', type: 'MachineToMachine' });
        const rows = await secretRows(app.id);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.name, 'default');
        assert.equal(rows[0]?.digest, createHash('sha256').update(app.secret).digest('hex'));
        assert.ok(!JSON.stringify(rows).includes(app.secret));
        assert.equal(
          await verifyApplicationSecret(t.registry.db.kysely, defaultTenantId, app.id, app.secret),
          true,
        );
      });

      it('gives SPA and Native apps (public clients) no secret', async () => {
        for (const type of ['SPA', 'Native']) {
          const app = await createApp({
            name: type,
            type,
            oidcClientMetadata: web(['http://localhost:3000/cb']),
          });
          assert.ok(!('secret' in app));
          assert.deepEqual(await secretRows(app.id), []);
        }
      });

      it('defaults the optional fields', async () => {
        const app = await createApp({ name: 'Bare', type: 'SPA' });
        assert.deepEqual(app.oidcClientMetadata, web([]));
        assert.deepEqual(app.customClientMetadata, { rotateRefreshToken: true });
        assert.equal(app.description, null);
        assert.equal(app.isThirdParty, false);
      });

      it('ignores unknown fields, including an id or tenant chosen by the client', async () => {
        const app = await createApp({
          name: 'Strip',
          type: 'SPA',
          id: 'chosen-id',
          tenantId: 'other',
          extra: 1,
        });
        assert.notEqual(app.id, 'chosen-id');
        assert.ok(!('extra' in app) && !('tenantId' in app));
      });

      it('accepts a private-use scheme for Native apps (RFC 8252 §7.1)', async () => {
        const app = await createApp({
          name: 'Mobile',
          type: 'Native',
          oidcClientMetadata: web(['com.example.app:/callback', 'io.example://auth']),
        });
        assert.deepEqual(app.oidcClientMetadata.redirectUris, [
          'com.example.app:/callback',
          'io.example://auth',
        ]);
      });

      it('answers 400 request.invalid_body to missing, mistyped and over-long fields', async () => {
        const invalid = [
          {},
          { type: 'SPA' },
          { name: 'x' },
          { name: '', type: 'SPA' },
          { name: '   ', type: 'SPA' },
          { name: 'x'.repeat(257), type: 'SPA' },
          { name: 42, type: 'SPA' },
          { name: 'x', type: 'Desktop' },
          { name: 'nul\u0000', type: 'SPA' },
          { name: 'x', type: 'SPA', description: 'nul\u0000' },
          { name: 'x', type: 'SPA', isThirdParty: 'yes' },
          { name: 'x', type: 'SPA', oidcClientMetadata: { redirectUris: 'https://a.example/cb' } },
          { name: 'x', type: 'SPA', oidcClientMetadata: web([`https://a.example/${'a'.repeat(2040)}`]) },
          {
            name: 'x',
            type: 'SPA',
            oidcClientMetadata: web(Array.from({ length: 51 }, (_, i) => `https://a.example/${i}`)),
          },
          { name: 'x', type: 'SPA', customClientMetadata: { accessTokenTtl: 59 } },
          { name: 'x', type: 'SPA', customClientMetadata: { accessTokenTtl: 86_401 } },
          { name: 'x', type: 'SPA', customClientMetadata: { accessTokenTtl: 600.5 } },
          { name: 'x', type: 'SPA', customClientMetadata: { refreshTokenTtlInDays: 0 } },
          { name: 'x', type: 'SPA', customClientMetadata: { refreshTokenTtlInDays: 366 } },
          { name: 'x', type: 'SPA', customClientMetadata: { rotateRefreshToken: 'no' } },
          [],
        ];
        for (const body of invalid) {
          const response = await api.post('/api/applications', body);
          assertApiError(response, 400, 'request.invalid_body');
          assert.ok(Array.isArray(response.body.data?.issues), JSON.stringify(body));
        }
        // JSON that is not an object or array is refused by the body parser (strict JSON), also with a 400.
        for (const body of ['"a string"', 'null', '42']) {
          const response = await api.send('POST', '/api/applications', { body });
          assert.equal(response.status, 400, body);
        }
      });

      it('answers 400 request.invalid_json to broken JSON and 415 to other media types', async () => {
        assertApiError(
          await api.send('POST', '/api/applications', { body: '{"name":' }),
          400,
          'request.invalid_json',
        );
        assertApiError(
          await api.send('POST', '/api/applications', {
            body: 'name=x',
            headers: { 'content-type': 'text/plain' },
          }),
          415,
          'request.unsupported_media_type',
        );
      });

      it('refuses unsafe or malformed redirect URIs with 400 application.invalid_redirect_uri', async () => {
        const cases: Array<[string, string[], string[]?]> = [
          ['Traditional', ['/callback']],
          ['Traditional', ['callback']],
          ['Traditional', ['https://a.example/cb#frag']],
          ['Traditional', ['https://a.example/cb#']],
          ['Traditional', ['javascript:alert(1)']],
          ['Native', ['javascript:alert(1)']],
          ['Native', ['JavaScript:alert(1)']],
          ['Native', ['data:text/html,<script>alert(1)</script>']],
          ['Native', ['file:///etc/passwd']],
          ['Native', ['vbscript:msgbox(1)']],
          ['Native', ['com.example.app:']],
          ['Traditional', ['com.example.app:/callback']],
          ['SPA', ['ftp://a.example/cb']],
          ['SPA', ['https:a.example/cb']],
          ['SPA', [' https://a.example/cb']],
          ['SPA', ['https://a.example/c b']],
          ['SPA', ['https://a.example/cb', 'https://a.example/cb']],
          ['MachineToMachine', ['https://a.example/cb']],
          ['MachineToMachine', [], ['https://a.example/']],
          ['SPA', [], ['javascript:alert(1)']],
        ];
        for (const [type, redirectUris, postLogoutRedirectUris = []] of cases) {
          const response = await api.post('/api/applications', {
            name: 'Bad redirect',
            type,
            oidcClientMetadata: web(redirectUris, postLogoutRedirectUris),
          });
          assertApiError(response, 400, 'application.invalid_redirect_uri');
          assert.equal(typeof response.body.data.reason, 'string');
        }
      });

      it('refuses a third-party machine-to-machine app', async () => {
        assertApiError(
          await api.post('/api/applications', { name: 'x', type: 'MachineToMachine', isThirdParty: true }),
          400,
          'application.type_mismatch',
        );
      });
    });

    describe('GET /api/applications (pagination, filters)', () => {
      it('pages with page/page_size and gives the total in Total-Number', async () => {
        const tag = `Paged-${Date.now()}`;
        for (const n of [1, 2, 3]) await createApp({ name: `${tag}-${n}`, type: 'SPA' });
        const first = await api.get(`/api/applications?search=${tag}&page_size=2`);
        assertStatus(first, 200);
        assert.equal(first.headers.get('total-number'), '3');
        assert.equal(first.body.length, 2);
        const second = await api.get(`/api/applications?search=${tag}&page_size=2&page=2`);
        assert.equal(second.body.length, 1);
        assert.equal(second.headers.get('total-number'), '3');
        const names = [...first.body, ...second.body].map((app: Loose) => app.name).sort();
        assert.deepEqual(names, [`${tag}-1`, `${tag}-2`, `${tag}-3`]);
        const beyond = await api.get(`/api/applications?search=${tag}&page=9`);
        assert.deepEqual(beyond.body, []);
        assert.equal(beyond.headers.get('total-number'), '3');
      });

      it('defaults to page 1 of 20', async () => {
        for (let n = 0; n < 21; n++) await createApp({ name: `Many-${n}`, type: 'SPA' });
        const response = await api.get('/api/applications');
        assert.equal(response.body.length, 20);
        assert.ok(Number(response.headers.get('total-number')) >= 21);
      });

      it('filters by types (repeated or comma-separated) and searches names case-insensitively', async () => {
        const tag = `Typed${Date.now()}`;
        await createApp({ name: `${tag} web`, type: 'Traditional' });
        await createApp({ name: `${tag} spa`, type: 'SPA' });
        await createApp({ name: `${tag} m2m`, type: 'MachineToMachine' });
        const types = async (query: string) =>
          (await api.get(`/api/applications?search=${tag.toLowerCase()}&${query}`)).body
            .map((a: Loose) => a.type)
            .sort();
        assert.deepEqual(await types('types=SPA'), ['SPA']);
        assert.deepEqual(await types('types=SPA&types=Traditional'), ['SPA', 'Traditional']);
        assert.deepEqual(await types('types=SPA,MachineToMachine'), ['MachineToMachine', 'SPA']);
        assert.deepEqual(await types(''), ['MachineToMachine', 'SPA', 'Traditional']);
        // LIKE wildcards are searched literally.
        assert.deepEqual((await api.get('/api/applications?search=%25%25')).body, []);
      });

      it('answers 400 request.invalid_query to bad paging and filters', async () => {
        for (const query of [
          'page=0',
          'page=-1',
          'page=1.5',
          'page=abc',
          'page_size=0',
          'page_size=101',
          'page=1&page=2',
          'types=Desktop',
          `search=${'x'.repeat(257)}`,
          'search=%00',
        ]) {
          assertApiError(await api.get(`/api/applications?${query}`), 400, 'request.invalid_query');
        }
      });
    });

    describe('GET, PATCH, DELETE /api/applications/:id', () => {
      it('answers 404 application.not_found to unknown ids, ids of other kinds, and 400 to malformed ids', async () => {
        for (const id of ['unknown', 'management-api-access', 'management-api']) {
          assertApiError(await api.get(`/api/applications/${id}`), 404, 'application.not_found');
          assertApiError(
            await api.patch(`/api/applications/${id}`, { name: 'x' }),
            404,
            'application.not_found',
          );
          assertApiError(await api.del(`/api/applications/${id}`), 404, 'application.not_found');
        }
        assertApiError(await api.get('/api/applications/a%00b'), 400, 'request.invalid_params');
        assertApiError(await api.get(`/api/applications/${'x'.repeat(129)}`), 400, 'request.invalid_params');
      });

      it('updates the fields given and merges the metadata objects key by key', async () => {
        const app = await createApp({
          name: 'Before',
          type: 'Traditional',
          description: 'keep?',
          oidcClientMetadata: web(['https://a.example/cb'], ['https://a.example/']),
          customClientMetadata: { accessTokenTtl: 600 },
        });
        const response = await api.patch(`/api/applications/${app.id}`, {
          name: 'After',
          description: null,
          oidcClientMetadata: { redirectUris: ['https://b.example/cb'] },
          customClientMetadata: { rotateRefreshToken: false },
        });
        assertStatus(response, 200);
        assert.equal(response.body.name, 'After');
        assert.equal(response.body.description, null);
        assert.deepEqual(
          response.body.oidcClientMetadata,
          web(['https://b.example/cb'], ['https://a.example/']),
        );
        assert.deepEqual(response.body.customClientMetadata, {
          accessTokenTtl: 600,
          rotateRefreshToken: false,
        });
        assert.ok(!('secret' in response.body));
        assert.deepEqual((await api.get(`/api/applications/${app.id}`)).body, response.body);
        const unchanged = await api.patch(`/api/applications/${app.id}`, {});
        assertStatus(unchanged, 200);
        assert.deepEqual(unchanged.body, response.body);
      });

      it('accepts the unchanged type back but refuses a type change (400 application.type_immutable)', async () => {
        const app = await createApp({ name: 'Typed', type: 'SPA' });
        assertStatus(await api.patch(`/api/applications/${app.id}`, { type: 'SPA', name: 'Typed 2' }), 200);
        assertApiError(
          await api.patch(`/api/applications/${app.id}`, { type: 'Traditional' }),
          400,
          'application.type_immutable',
        );
      });

      it('validates redirect URIs on update against the stored type', async () => {
        const spa = await createApp({ name: 'Spa', type: 'SPA' });
        assertApiError(
          await api.patch(`/api/applications/${spa.id}`, {
            oidcClientMetadata: { redirectUris: ['myapp:/cb'] },
          }),
          400,
          'application.invalid_redirect_uri',
        );
        const m2m = await createApp({ name: 'M2M', type: 'MachineToMachine' });
        assertApiError(
          await api.patch(`/api/applications/${m2m.id}`, {
            oidcClientMetadata: { postLogoutRedirectUris: ['https://a.example/'] },
          }),
          400,
          'application.invalid_redirect_uri',
        );
        assertApiError(
          await api.patch(`/api/applications/${spa.id}`, { name: '' }),
          400,
          'request.invalid_body',
        );
        assertApiError(
          await api.patch(`/api/applications/${spa.id}`, {
            customClientMetadata: { refreshTokenTtlInDays: 400 },
          }),
          400,
          'request.invalid_body',
        );
      });

      it('deletes an app with its secrets', async () => {
        const app = await createApp({ name: 'Doomed', type: 'Traditional' });
        const response = await api.del(`/api/applications/${app.id}`);
        assertStatus(response, 204);
        assertApiError(await api.get(`/api/applications/${app.id}`), 404, 'application.not_found');
        assertApiError(await api.del(`/api/applications/${app.id}`), 404, 'application.not_found');
        assert.deepEqual(await secretRows(app.id), []);
        assert.equal(
          await verifyApplicationSecret(t.registry.db.kysely, defaultTenantId, app.id, app.secret),
          false,
        );
      });
    });

    describe('/api/applications/:id/secrets (several named secrets, SPEC §3)', () => {
      it('lists names and dates, never values', async () => {
        const app = await createApp({ name: 'Lister', type: 'Traditional' });
        const response = await api.get(`/api/applications/${app.id}/secrets`);
        assertStatus(response, 200);
        assert.equal(response.body.length, 1);
        assert.deepEqual(Object.keys(response.body[0]).sort(), ['createdAt', 'expiresAt', 'name']);
        assert.equal(response.body[0].name, 'default');
        assert.equal(response.body[0].expiresAt, null);
        assert.ok(!JSON.stringify(response.body).includes(app.secret));
      });

      it('adds a secret whose value is shown once and works at once', async () => {
        const app = await createApp({ name: 'Rotator', type: 'MachineToMachine' });
        const expiresAt = Date.now() + 86_400_000;
        const response = await api.post(`/api/applications/${app.id}/secrets`, { name: 'next', expiresAt });
        assertStatus(response, 201);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.equal(response.body.name, 'next');
        assert.equal(response.body.expiresAt, expiresAt);
        assert.equal(Buffer.from(response.body.value, 'base64url').length, 32);
        const verify = (secret: string) =>
          verifyApplicationSecret(t.registry.db.kysely, defaultTenantId, app.id, secret);
        assert.equal(await verify(response.body.value), true);
        assert.equal(await verify(app.secret), true);
        const listed = await api.get(`/api/applications/${app.id}/secrets`);
        assert.deepEqual(listed.body.map((s: Loose) => s.name).sort(), ['default', 'next']);
        assert.ok(!JSON.stringify(listed.body).includes(response.body.value));
        assert.ok(!JSON.stringify(await secretRows(app.id)).includes(response.body.value));
      });

      it('refuses a past expiry, bad names, duplicates (409) and a 21st secret (422)', async () => {
        const app = await createApp({ name: 'Strict', type: 'Traditional' });
        const path = `/api/applications/${app.id}/secrets`;
        for (const body of [
          { name: 'x', expiresAt: Date.now() - 1000 },
          { name: 'x', expiresAt: 'tomorrow' },
          { name: 'x', expiresAt: 1e20 },
          { name: '' },
          { name: 'x'.repeat(257) },
          { name: 'tab\there' },
          {},
        ]) {
          assertApiError(await api.post(path, body), 400, 'request.invalid_body');
        }
        assertApiError(await api.post(path, { name: 'default' }), 409, 'application.secret_name_taken');
        for (let n = 1; n < 20; n++) assertStatus(await api.post(path, { name: `s${n}` }), 201);
        assertApiError(await api.post(path, { name: 's20' }), 422, 'application.too_many_secrets');
      });

      it('refuses secrets for public clients', async () => {
        const spa = await createApp({ name: 'Public', type: 'SPA' });
        assertApiError(
          await api.post(`/api/applications/${spa.id}/secrets`, { name: 'x' }),
          400,
          'application.type_mismatch',
        );
      });

      it('renames and deletes secrets by name; the last one may go, as in Logto', async () => {
        const app = await createApp({ name: 'Renamer', type: 'Traditional' });
        const base = `/api/applications/${app.id}/secrets`;
        assertStatus(await api.post(base, { name: 'second' }), 201);
        const renamed = await api.patch(`${base}/default`, { name: 'first' });
        assertStatus(renamed, 200);
        assert.equal(renamed.body.name, 'first');
        assertApiError(
          await api.patch(`${base}/first`, { name: 'second' }),
          409,
          'application.secret_name_taken',
        );
        assertApiError(
          await api.patch(`${base}/nope`, { name: 'other' }),
          404,
          'application.secret_not_found',
        );
        assertApiError(
          await api.patch(`${base}/%20first`, { name: 'other' }),
          404,
          'application.secret_not_found',
        );
        assertApiError(await api.patch(`${base}/first`, {}), 400, 'request.invalid_body');
        assert.equal(
          await verifyApplicationSecret(t.registry.db.kysely, defaultTenantId, app.id, app.secret),
          true,
        );
        assertStatus(await api.del(`${base}/first`), 204);
        assertApiError(await api.del(`${base}/first`), 404, 'application.secret_not_found');
        assertStatus(await api.del(`${base}/second`), 204);
        assert.deepEqual((await api.get(base)).body, []);
        assert.equal(
          await verifyApplicationSecret(t.registry.db.kysely, defaultTenantId, app.id, app.secret),
          false,
        );
      });

      it('answers 404 application.not_found for the secrets of an unknown app', async () => {
        assertApiError(await api.get('/api/applications/nope/secrets'), 404, 'application.not_found');
        assertApiError(
          await api.post('/api/applications/nope/secrets', { name: 'x' }),
          404,
          'application.not_found',
        );
        assertApiError(
          await api.patch('/api/applications/nope/secrets/x', { name: 'y' }),
          404,
          'application.not_found',
        );
        assertApiError(await api.del('/api/applications/nope/secrets/x'), 404, 'application.not_found');
      });
    });

    describe('/api/applications/:id/roles (machine-to-machine apps)', () => {
      const createRole = async (name: string, type: string) => {
        const response = await api.post('/api/roles', { name, description: name, type });
        assertStatus(response, 201);
        return response.body as Loose;
      };

      it('assigns, lists and removes machine-to-machine roles', async () => {
        const app = await createApp({ name: 'Robot', type: 'MachineToMachine' });
        const reader = await createRole(`app-reader-${Date.now()}`, 'MachineToMachine');
        const base = `/api/applications/${app.id}/roles`;
        const assigned = await api.post(base, { roleIds: [reader.id, 'management-api-access', reader.id] });
        assertStatus(assigned, 201);
        assert.deepEqual(
          assigned.body.map((role: Loose) => role.id).sort(),
          [reader.id, 'management-api-access'].sort(),
        );
        assertStatus(await api.post(base, { roleIds: [reader.id] }), 201);
        const listed = await api.get(`${base}?page_size=1`);
        assert.equal(listed.headers.get('total-number'), '2');
        assert.equal(listed.body.length, 1);
        assertStatus(await api.del(`${base}/${reader.id}`), 204);
        assertApiError(await api.del(`${base}/${reader.id}`), 404, 'role.assignment_not_found');
        assert.deepEqual(
          (await api.get(base)).body.map((role: Loose) => role.id),
          ['management-api-access'],
        );
      });

      it('refuses user roles, non-M2M apps, unknown roles and empty lists', async () => {
        const app = await createApp({ name: 'Robot 2', type: 'MachineToMachine' });
        const spa = await createApp({ name: 'Browser', type: 'SPA' });
        const userRole = await createRole(`app-user-role-${Date.now()}`, 'User');
        assertApiError(
          await api.post(`/api/applications/${app.id}/roles`, { roleIds: [userRole.id] }),
          400,
          'role.type_mismatch',
        );
        assertApiError(
          await api.post(`/api/applications/${spa.id}/roles`, { roleIds: ['management-api-access'] }),
          400,
          'application.type_mismatch',
        );
        assertApiError(
          await api.post(`/api/applications/${app.id}/roles`, { roleIds: ['nope'] }),
          404,
          'role.not_found',
        );
        assertApiError(
          await api.post('/api/applications/nope/roles', { roleIds: [userRole.id] }),
          404,
          'application.not_found',
        );
        assertApiError(
          await api.post(`/api/applications/${app.id}/roles`, { roleIds: [] }),
          400,
          'request.invalid_body',
        );
        assertApiError(await api.post(`/api/applications/${app.id}/roles`, {}), 400, 'request.invalid_body');
        assertApiError(await api.get('/api/applications/nope/roles'), 404, 'application.not_found');
        assertApiError(await api.del(`/api/applications/${app.id}/roles/nope`), 404, 'role.not_found');
        assert.deepEqual((await api.get(`/api/applications/${app.id}/roles`)).body, []);
      });
    });
  });
}
