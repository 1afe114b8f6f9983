import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Change } from '../src/db/changes.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import { createIdentityService, type IdentityService } from '../src/domain/users/identities.service.ts';
import { ApiError } from '../src/http/errors.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Users' social identities (SPEC §6, issue 5): keyed on (connector target, upstream subject), never on an email;
 * one user per identity even when sign-ups race; shown by the Users API in Logto's shape.
 */

const tag = () => randomBytes(5).toString('hex');
const newTarget = () => `idp-${tag()}`;
const newSub = () => `sub-${tag()}`;

/** Asserts that `promise` rejects with ApiError `code`. */
const rejectsWith = (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, code);
    return true;
  });

for (const backend of testBackends()) {
  describe(`social identities (SPEC §6) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    let identities: IdentityService;
    const published: Change[] = [];
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
      identities = createIdentityService({
        db: t.registry.db.kysely,
        changes: t.registry.changes,
        tenantId: defaultTenantId,
        passwords: t.registry.passwords,
      });
      t.registry.changes.subscribe((change) => published.push(change));
    });
    after(() => t.stop());

    const createUser = async (body: Record<string, unknown> = { username: `u_${tag()}` }) => {
      const response = await api.post('/api/users', body);
      assertStatus(response, 201);
      return response.body as Loose;
    };
    const identityRows = (userId: string) =>
      t.registry.db.kysely
        .selectFrom('user_identities')
        .selectAll()
        .where('tenant_id', '=', defaultTenantId)
        .where('user_id', '=', userId)
        .execute();
    const countUsers = async () =>
      Number(
        (
          await t.registry.db.kysely
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<string>().as('count'))
            .executeTakeFirstOrThrow()
        ).count,
      );

    describe('link, find, update, unlink', () => {
      it('links an upstream identity to a user and finds the user by (target, sub)', async () => {
        const user = await createUser();
        const target = newTarget();
        const linked = await identities.link(user.id, target, 'sub-1', {
          email: 'ann@example.com',
          name: 'Ann',
        });
        assert.equal(linked.userId, user.id);
        assert.equal(linked.target, target);
        assert.equal(linked.identityId, 'sub-1');
        assert.deepEqual(linked.details, { email: 'ann@example.com', name: 'Ann' });
        assert.ok(published.some((change) => change.topic === 'users' && change.key === user.id));

        const found = await identities.findUserByIdentity(target, 'sub-1');
        assert.equal(found?.user.id, user.id);
        assert.equal(found?.identity.identityId, 'sub-1');
        assert.equal(await identities.findUserByIdentity(target, 'sub-2'), undefined);
        assert.equal(
          await identities.findUserByIdentity(newTarget(), 'sub-1'),
          undefined,
          'the target is part of the key',
        );
        assert.deepEqual(
          (await identities.listForUser(user.id)).map((identity) => identity.target),
          [target],
        );
      });

      it('linking the same identity again replaces its details; another sub at the same target replaces it', async () => {
        const user = await createUser();
        const target = newTarget();
        await identities.link(user.id, target, 'first', { name: 'Old' });
        await identities.link(user.id, target, 'first', { name: 'New' });
        let rows = await identityRows(user.id);
        assert.equal(rows.length, 1);
        assert.deepEqual(rows[0]?.details, { name: 'New' });
        await identities.link(user.id, target, 'second');
        rows = await identityRows(user.id);
        assert.deepEqual(
          rows.map((row) => row.identity_id),
          ['second'],
          'one identity per user and target',
        );
      });

      it('refuses an identity that belongs to another user: 409 identity.taken, nothing changed', async () => {
        const owner = await createUser();
        const other = await createUser();
        const target = newTarget();
        await identities.link(owner.id, target, 'shared-sub', { who: 'owner' });
        await rejectsWith(identities.link(other.id, target, 'shared-sub'), 'identity.taken');
        assert.equal((await identities.findUserByIdentity(target, 'shared-sub'))?.user.id, owner.id);
        assert.deepEqual(await identityRows(other.id), []);
      });

      it('keys identities on (target, sub), never on the email: the same email from two subs is two identities', async () => {
        const target = newTarget();
        const details = { email: 'same@example.com', email_verified: true };
        const a = await identities.createUserWithIdentity({}, { target, identityId: newSub(), details });
        const b = await identities.createUserWithIdentity({}, { target, identityId: newSub(), details });
        assert.notEqual(a.user.id, b.user.id);
      });

      it('allows the same sub at two different targets (two providers)', async () => {
        const user = await createUser();
        await identities.link(user.id, newTarget(), 'same-sub');
        await identities.link(user.id, newTarget(), 'same-sub');
        assert.equal((await identityRows(user.id)).length, 2);
      });

      it('updateDetails replaces the details; unlink removes the identity', async () => {
        const user = await createUser();
        const target = newTarget();
        await identities.link(user.id, target, newSub(), { a: 1 });
        const updated = await identities.updateDetails(user.id, target, { b: 2 });
        assert.deepEqual(updated.details, { b: 2 });
        await identities.unlink(user.id, target);
        assert.deepEqual(await identityRows(user.id), []);
        await rejectsWith(identities.unlink(user.id, target), 'identity.not_found');
        await rejectsWith(identities.updateDetails(user.id, target, {}), 'identity.not_found');
      });

      it('refuses to link to an unknown user (404 user.not_found) or a malformed identity (400 identity.invalid)', async () => {
        await rejectsWith(identities.link('no-such-user', newTarget(), newSub()), 'user.not_found');
        const user = await createUser();
        await rejectsWith(identities.link(user.id, newTarget(), ''), 'identity.invalid');
        await rejectsWith(identities.link(user.id, newTarget(), 'x'.repeat(256)), 'identity.invalid');
        await rejectsWith(identities.link(user.id, 'not a target', newSub()), 'identity.invalid');
        await rejectsWith(identities.link(user.id, newTarget(), 'sub\u0000'), 'identity.invalid');
      });

      it('stores any upstream claims: NUL characters and lone surrogates cleaned, deep nesting cut', async () => {
        const user = await createUser();
        let deep: Record<string, unknown> = { leaf: true };
        for (let i = 0; i < 40; i++) deep = { deeper: deep };
        const linked = await identities.link(user.id, newTarget(), newSub(), {
          name: 'Ann\u0000 Lee',
          broken: 'x\uD800y',
          deep,
          count: Number.NaN,
        });
        assert.equal(linked.details.name, 'Ann Lee');
        assert.equal(linked.details.broken, 'x\uFFFDy');
        assert.equal(linked.details.count, null);
        const [row] = await identityRows(user.id);
        assert.deepEqual(row?.details, linked.details);
      });
    });

    describe('createUserWithIdentity (social sign-up)', () => {
      it('creates a user without any identifier or password, with the identity, in one transaction', async () => {
        const target = newTarget();
        const sub = newSub();
        const { user, identity } = await identities.createUserWithIdentity(
          { name: 'Somchai', avatar: 'https://cdn.example.com/s.png' },
          { target, identityId: sub, details: { sub, name: 'Somchai' } },
        );
        assert.equal(user.username, null);
        assert.equal(user.primaryEmail, null);
        assert.equal(user.name, 'Somchai');
        assert.equal(user.avatar, 'https://cdn.example.com/s.png');
        assert.equal(user.hasPassword, false);
        assert.deepEqual(user.identities, { [target]: { userId: sub, details: { sub, name: 'Somchai' } } });
        assert.equal(identity.identityId, sub);
        assert.equal((await identities.findUserByIdentity(target, sub))?.user.id, user.id);

        // A social-only user can be edited without an identifier: the identity is one.
        const patched = await api.patch(`/api/users/${user.id}`, { name: 'Somchai J.' });
        assertStatus(patched, 200);
        // …but its last way to sign in cannot be unlinked.
        await rejectsWith(identities.unlink(user.id, target), 'user.identifier_required');
      });

      it('keeps a verified email as the primary email; an email in use is 409 user.email_taken and nothing is created', async () => {
        const email = `social_${tag()}@example.com`;
        const { user } = await identities.createUserWithIdentity(
          { primaryEmail: email.toUpperCase() },
          { target: newTarget(), identityId: newSub() },
        );
        assert.equal(user.primaryEmail, email, 'normalised like every email');
        const users = await countUsers();
        const target = newTarget();
        const sub = newSub();
        await rejectsWith(
          identities.createUserWithIdentity({ primaryEmail: email }, { target, identityId: sub }),
          'user.email_taken',
        );
        assert.equal(await countUsers(), users);
        assert.equal(await identities.findUserByIdentity(target, sub), undefined);
      });

      it('leaves out a name or avatar it would refuse; refuses a malformed username (400)', async () => {
        const { user } = await identities.createUserWithIdentity(
          { name: 'n'.repeat(500), avatar: 'javascript:alert(1)' },
          { target: newTarget(), identityId: newSub() },
        );
        assert.equal(user.name, null);
        assert.equal(user.avatar, null);
        await rejectsWith(
          identities.createUserWithIdentity(
            { username: 'has space' },
            { target: newTarget(), identityId: newSub() },
          ),
          'request.invalid_body',
        );
      });

      it('refuses an identity that exists already: 409 identity.taken, no second user', async () => {
        const target = newTarget();
        const sub = newSub();
        await identities.createUserWithIdentity({}, { target, identityId: sub });
        const users = await countUsers();
        await rejectsWith(
          identities.createUserWithIdentity({}, { target, identityId: sub }),
          'identity.taken',
        );
        assert.equal(await countUsers(), users);
      });

      it('creates exactly one user when sign-ups with the same (target, sub) race', async () => {
        const target = newTarget();
        const sub = newSub();
        const users = await countUsers();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, () =>
            identities.createUserWithIdentity({ name: 'Racer' }, { target, identityId: sub }),
          ),
        );
        const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        assert.equal(fulfilled.length, 1, JSON.stringify(outcomes.map((outcome) => outcome.status)));
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            assert.ok(outcome.reason instanceof ApiError, String(outcome.reason));
            assert.equal(outcome.reason.code, 'identity.taken');
          }
        }
        assert.equal(await countUsers(), users + 1);
      });
    });

    describe('the Users API (Logto’s shape)', () => {
      it('GET /api/users/:id and the list show identities as {[target]: {userId, details}}', async () => {
        const user = await createUser({ username: `shown_${tag()}` });
        assert.deepEqual(user.identities, {});
        const target = newTarget();
        await identities.link(user.id, target, 'upstream-42', { email: 'x@example.com' });
        const read = await api.get(`/api/users/${user.id}`);
        assertStatus(read, 200);
        assert.deepEqual(read.body.identities, {
          [target]: { userId: 'upstream-42', details: { email: 'x@example.com' } },
        });
        const list = await api.get(`/api/users?search=${user.username}`);
        assertStatus(list, 200);
        assert.deepEqual(list.body[0].identities, read.body.identities);
        const patched = await api.patch(`/api/users/${user.id}`, { name: 'Shown' });
        assert.deepEqual(patched.body.identities, read.body.identities);
      });

      it('deleting a user removes its identities (foreign key cascade); the identity can then be used again', async () => {
        const user = await createUser();
        const target = newTarget();
        await identities.link(user.id, target, 'reusable');
        assertStatus(await api.del(`/api/users/${user.id}`), 204);
        assertApiError(await api.get(`/api/users/${user.id}`), 404, 'user.not_found');
        assert.deepEqual(await identityRows(user.id), []);
        assert.equal(await identities.findUserByIdentity(target, 'reusable'), undefined);
        const next = await identities.createUserWithIdentity({}, { target, identityId: 'reusable' });
        assert.ok(next.user.id);
      });
    });
  });
}
