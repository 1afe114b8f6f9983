import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { type Change, createLocalChangeBus } from '../src/db/changes.ts';
import type { Db } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Database, defaultTenantId, managementApi } from '../src/db/schema.ts';
import { verifyApplicationSecret } from '../src/domain/applications/application-secrets.ts';
import { createApplicationService } from '../src/domain/applications/applications.service.ts';
import { newId } from '../src/domain/ids.ts';
import { createResourceService } from '../src/domain/resources/resources.service.ts';
import { findGrantedScopes } from '../src/domain/roles/granted-scopes.ts';
import { createRoleService } from '../src/domain/roles/roles.service.ts';
import { ApiError } from '../src/http/errors.ts';
import { testBackends } from './support/db.ts';

/** Rejects with the ApiError of `code`. */
const rejectsWith = (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected ApiError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });

const insertUser = async (db: Kysely<Database>, username: string) => {
  const id = newId();
  await db
    .insertInto('users')
    .values({
      tenant_id: defaultTenantId,
      id,
      username,
      primary_email: `${username}@example.com`,
      name: username,
    })
    .execute();
  return id;
};

const page = { limit: 100, offset: 0 };

for (const backend of testBackends()) {
  describe(`applications, resources and roles on ${backend.name}`, () => {
    let db: Db;
    const published: Change[] = [];
    let services: {
      applications: ReturnType<typeof createApplicationService>;
      resources: ReturnType<typeof createResourceService>;
      roles: ReturnType<typeof createRoleService>;
    };

    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
      const changes = createLocalChangeBus();
      changes.subscribe((change) => published.push(change));
      const deps = { db: db.kysely, changes, tenantId: defaultTenantId };
      services = {
        applications: createApplicationService(deps),
        resources: createResourceService(deps),
        roles: createRoleService(deps),
      };
    });
    after(() => db.close());

    describe('application secrets (SPEC §3)', () => {
      it('gives a confidential app one `default` secret of 256 bits, stored only as its SHA-256 digest', async () => {
        const app = await services.applications.create({
          name: 'Backend',
          type: 'Traditional',
          isThirdParty: false,
          oidcClientMetadata: { redirectUris: ['https://app.example/callback'], postLogoutRedirectUris: [] },
          customClientMetadata: {},
        });
        assert.ok(app.secret);
        assert.equal(Buffer.from(app.secret, 'base64url').length, 32);
        const rows = await db.kysely
          .selectFrom('application_secrets')
          .selectAll()
          .where('application_id', '=', app.id)
          .execute();
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.name, 'default');
        assert.equal(rows[0]?.digest, createHash('sha256').update(app.secret).digest('hex'));
        const stored = JSON.stringify([
          rows,
          await db.kysely.selectFrom('applications').selectAll().where('id', '=', app.id).execute(),
        ]);
        assert.ok(!stored.includes(app.secret), 'the plaintext secret must not be stored');
      });

      it('gives public clients (SPA, Native) no secret and refuses to add one', async () => {
        for (const type of ['SPA', 'Native'] as const) {
          const app = await services.applications.create({
            name: type,
            type,
            isThirdParty: false,
            oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
            customClientMetadata: {},
          });
          assert.equal(app.secret, undefined);
          assert.deepEqual(await services.applications.listSecrets(app.id), []);
          await rejectsWith(
            services.applications.createSecret(app.id, { name: 'x' }),
            'application.type_mismatch',
          );
        }
      });

      it('verifyApplicationSecret accepts every unexpired secret and refuses wrong, expired and foreign ones', async () => {
        const create = () =>
          services.applications.create({
            name: 'Worker',
            type: 'MachineToMachine',
            isThirdParty: false,
            oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
            customClientMetadata: {},
          });
        const app = await create();
        const other = await create();
        const verify = (presented: string, now?: Date) =>
          verifyApplicationSecret(db.kysely, defaultTenantId, app.id, presented, now);
        const expiresAt = Date.now() + 60_000;
        const rotated = await services.applications.createSecret(app.id, { name: 'next', expiresAt });

        assert.equal(await verify(app.secret as string), true);
        assert.equal(await verify(rotated.value), true);
        assert.equal(await verify(`${app.secret}x`), false);
        assert.equal(await verify(''), false);
        assert.equal(await verify(other.secret as string), false, "another app's secret");
        assert.equal(await verify(rotated.value, new Date(expiresAt + 1)), false, 'expired');
        assert.equal(
          await verify(app.secret as string, new Date(expiresAt + 1)),
          true,
          'a secret without expiry',
        );
        assert.equal(
          await verifyApplicationSecret(db.kysely, defaultTenantId, 'nope', app.secret as string),
          false,
        );
        assert.equal(
          await verifyApplicationSecret(db.kysely, 'other-tenant', app.id, app.secret as string),
          false,
        );
      });

      it('holds at most 20 secrets per app, also when they are added concurrently', async () => {
        const app = await services.applications.create({
          name: 'Many',
          type: 'MachineToMachine',
          isThirdParty: false,
          oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
          customClientMetadata: {},
        });
        const results = await Promise.allSettled(
          Array.from({ length: 24 }, (_, index) =>
            services.applications.createSecret(app.id, { name: `s${index}` }),
          ),
        );
        assert.equal(
          results.filter((result) => result.status === 'fulfilled').length,
          19,
          '19 + default = 20',
        );
        for (const result of results.filter((r) => r.status === 'rejected')) {
          assert.equal((result.reason as ApiError).code, 'application.too_many_secrets');
        }
        assert.equal((await services.applications.listSecrets(app.id)).length, 20);
      });

      it('answers secret_name_taken to one of two concurrent secrets of the same name', async () => {
        const app = await services.applications.create({
          name: 'Twice',
          type: 'Traditional',
          isThirdParty: false,
          oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
          customClientMetadata: {},
        });
        const results = await Promise.allSettled([
          services.applications.createSecret(app.id, { name: 'ci' }),
          services.applications.createSecret(app.id, { name: 'ci' }),
        ]);
        assert.deepEqual(results.map((result) => result.status).sort(), ['fulfilled', 'rejected']);
        const rejected = results.find((result) => result.status === 'rejected');
        assert.ok(rejected?.reason instanceof ApiError);
        assert.equal(rejected.reason.code, 'application.secret_name_taken');
      });
    });

    describe('change notifications (db/changes.ts)', () => {
      it('publishes a change after a commit and none after a refused change', async () => {
        published.length = 0;
        const resource = await services.resources.create({
          name: 'Orders',
          indicator: 'https://orders.example',
          accessTokenTtl: 3600,
        });
        assert.deepEqual(published, [{ topic: 'resources', key: resource.id }]);
        published.length = 0;
        await rejectsWith(
          services.resources.create({
            name: 'Orders again',
            indicator: 'https://orders.example',
            accessTokenTtl: 3600,
          }),
          'resource.indicator_taken',
        );
        await rejectsWith(services.applications.update('nope', { name: 'x' }), 'application.not_found');
        assert.deepEqual(published, []);
      });
    });

    describe('one default API resource at a time', () => {
      it('keeps exactly one default when two resources are made default concurrently', async () => {
        const a = await services.resources.create({
          name: 'A',
          indicator: 'https://a.example',
          accessTokenTtl: 3600,
        });
        const b = await services.resources.create({
          name: 'B',
          indicator: 'https://b.example',
          accessTokenTtl: 3600,
        });
        for (let round = 0; round < 5; round++) {
          await Promise.all([
            services.resources.update(a.id, { isDefault: true }),
            services.resources.update(b.id, { isDefault: true }),
          ]);
          const defaults = await db.kysely
            .selectFrom('resources')
            .select('id')
            .where('tenant_id', '=', defaultTenantId)
            .where('is_default', '=', true)
            .execute();
          assert.equal(defaults.length, 1);
        }
      });
    });

    describe('roles: nothing half-written', () => {
      it('creates no role when one of its scopes does not exist', async () => {
        await rejectsWith(
          services.roles.create({
            name: 'Half',
            description: 'x',
            type: 'User',
            isDefault: false,
            scopeIds: [managementApi.scopeId, 'missing-scope'],
          }),
          'scope.not_found',
        );
        const rows = await db.kysely.selectFrom('roles').select('id').where('name', '=', 'Half').execute();
        assert.deepEqual(rows, []);
      });

      it('links no user when one of the users does not exist', async () => {
        const role = await services.roles.create({
          name: 'Readers',
          description: 'read',
          type: 'User',
          isDefault: false,
          scopeIds: [],
        });
        const alice = await insertUser(db.kysely, 'alice-half');
        await rejectsWith(services.roles.assignUsers(role.id, [alice, 'ghost']), 'user.not_found');
        assert.deepEqual(await services.roles.listUsers(role.id, page), []);
      });
    });

    describe('findGrantedScopes', () => {
      it("returns the scope names of one resource that the subject's roles grant", async () => {
        const { resources, roles, applications } = services;
        const photos = await resources.create({
          name: 'Photos',
          indicator: 'https://photos.example',
          accessTokenTtl: 3600,
        });
        const videos = await resources.create({
          name: 'Videos',
          indicator: 'urn:videos',
          accessTokenTtl: 3600,
        });
        const [read, write, admin] = await Promise.all(
          ['read', 'write', 'admin'].map((name) => resources.createScope(photos.id, { name })),
        );
        const videoRead = await resources.createScope(videos.id, { name: 'read' });
        assert.ok(read && write && admin);
        const viewer = await roles.create({
          name: 'Viewer',
          description: 'v',
          type: 'User',
          isDefault: false,
          scopeIds: [read.id, videoRead.id],
        });
        const editor = await roles.create({
          name: 'Editor',
          description: 'e',
          type: 'User',
          isDefault: false,
          scopeIds: [read.id, write.id],
        });
        const robot = await roles.create({
          name: 'Robot',
          description: 'r',
          type: 'MachineToMachine',
          isDefault: false,
          scopeIds: [admin.id],
        });
        const bob = await insertUser(db.kysely, 'bob');
        const carol = await insertUser(db.kysely, 'carol');
        await roles.assignUsers(viewer.id, [bob]);
        await roles.assignUsers(editor.id, [bob]);
        const worker = await applications.create({
          name: 'Worker',
          type: 'MachineToMachine',
          isThirdParty: false,
          oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
          customClientMetadata: {},
        });
        await roles.assignApplications(robot.id, [worker.id]);

        const granted = (subject: { userId: string } | { applicationId: string }, indicator: string) =>
          findGrantedScopes(db.kysely, defaultTenantId, subject, indicator);
        assert.deepEqual(await granted({ userId: bob }, photos.indicator), ['read', 'write']);
        assert.deepEqual(await granted({ userId: bob }, videos.indicator), ['read']);
        assert.deepEqual(await granted({ userId: carol }, photos.indicator), []);
        assert.deepEqual(await granted({ applicationId: worker.id }, photos.indicator), ['admin']);
        assert.deepEqual(await granted({ applicationId: worker.id }, videos.indicator), []);
        assert.deepEqual(await granted({ userId: bob }, 'https://unknown.example'), []);
        assert.deepEqual(await granted({ applicationId: 'test-admin' }, photos.indicator), []);
        assert.deepEqual(
          await findGrantedScopes(db.kysely, 'other-tenant', { userId: bob }, photos.indicator),
          [],
        );

        await roles.unassignUser(editor.id, bob);
        assert.deepEqual(await granted({ userId: bob }, photos.indicator), ['read']);
        await resources.deleteScope(photos.id, read.id);
        assert.deepEqual(await granted({ userId: bob }, photos.indicator), []);
      });

      it('grants `all` on the Management API through the built-in role', async () => {
        const app = await services.applications.create({
          name: 'Admin tool',
          type: 'MachineToMachine',
          isThirdParty: false,
          oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
          customClientMetadata: {},
        });
        await services.roles.assignRolesToApplication(app.id, [managementApi.roleId]);
        assert.deepEqual(
          await findGrantedScopes(
            db.kysely,
            defaultTenantId,
            { applicationId: app.id },
            managementApi.indicator,
          ),
          ['all'],
        );
      });
    });
  });
}
