import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAuditLog } from '../src/audit/audit-log.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import {
  createIdentityTokenService,
  type IdentityTokenService,
  identityTokenAad,
} from '../src/domain/identity-tokens/identity-tokens.service.ts';
import { createIdentityService } from '../src/domain/users/identities.service.ts';
import { ApiError } from '../src/http/errors.ts';
import { createKeyring, VaultError } from '../src/vault/envelope.ts';
import { createVault } from '../src/vault/vault.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  claimsOf,
  createUserWithPassword,
  type ExperienceHarness,
  finishAtClient,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import {
  addOidcConnector,
  showConnectors,
  signInWithConnector,
  type TestConnector,
} from './support/social.ts';
import { type FakeProvider, startFakeProvider, startUpstream, type Upstream } from './support/upstream.ts';

/**
 * Stored provider tokens (SPEC §7, issue 6 item 1, SECURITY-TESTS D1): kept sealed at each social sign-in or
 * link when the connector has token storage on, read back as a usable access token, refreshed upstream when
 * expired, deleted when they can never be refreshed, and gone with the identity, the user or the connector.
 *
 * The real upstream (oidc-provider) issues refresh tokens: its client may use the refresh_token grant, and the
 * connector asks `offline_access` with `prompt=consent` (OIDC Core §11). What only a failing provider does (hang,
 * be down, answer without a refresh token) comes from a fake provider on loopback. Time is faked by moving
 * `expires_at` (the service decides expiry with its own clock against that column).
 */

const upstreamPassword = 'upstream passphrase';

type SealedTokens = {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  scope: string | null;
  tokenType: string | null;
  expiresAt: number | null;
};

/** Resolves with the ApiError / VaultError the promise rejects with. */
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
};

const assertApiRejection = async (promise: Promise<unknown>, status: number, code: string) => {
  const error = await rejection(promise);
  assert.ok(error instanceof ApiError, `expected ApiError ${code}, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  return error;
};

for (const backend of testBackends()) {
  describe(`stored provider tokens (SPEC §7, issue 6) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let upstream: Upstream;
    let fake: FakeProvider;
    let service: IdentityTokenService;
    let stored: TestConnector;

    before(async () => {
      h = await startExperience({ db: await backend.create() });
      upstream = await startUpstream();
      fake = await startFakeProvider();
      service = serviceWith(h.t.registry.vault);
      stored = await storingConnector();
    });
    after(async () => {
      await fake.stop();
      await upstream.stop();
      await h.stop();
    });

    const db = () => h.t.registry.db.kysely;
    const serviceWith = (vault: ExperienceHarness['t']['registry']['vault']) =>
      createIdentityTokenService({
        db: db(),
        tenantId: defaultTenantId,
        vault,
        social: h.t.registry.social,
        audit: createAuditLog({ db: db(), tenantId: defaultTenantId }),
      });

    /** An OIDC connector at the real upstream with token storage on, `offline_access` and `prompt=consent`. */
    const storingConnector = async (options: { tokenStorage?: boolean } = {}) => {
      const connector = await addOidcConnector(h, upstream, {
        client: { grant_types: ['authorization_code', 'refresh_token'] },
      });
      const patched = await h.api.patch(`/api/connectors/${connector.id}`, {
        config: {
          scope: 'openid offline_access profile email',
          authRequestOptionalConfig: { prompt: 'consent' },
        },
        enableTokenStorage: options.tokenStorage ?? true,
      });
      assertStatus(patched, 200);
      return connector;
    };

    const upstreamAccount = () => {
      const login = uniqueName('up');
      upstream.accounts.set(login, {
        password: upstreamPassword,
        claims: { email: `${login}@upstream.example`, email_verified: true, name: `Name of ${login}` },
      });
      return { login, password: upstreamPassword };
    };

    /** "Continue with …" through the hosted pages to the app; answers the Gatehouse user id. */
    const signIn = async (connector: TestConnector, account = upstreamAccount()) => {
      const { flow, answer } = await signInWithConnector(h, connector, account);
      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      return { userId: String(claimsOf(tokens.id_token).sub), account };
    };

    const rowOf = (userId: string, target: string) =>
      db()
        .selectFrom('identity_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .executeTakeFirst();

    const openRow = async (userId: string, target: string): Promise<SealedTokens> => {
      const row = await rowOf(userId, target);
      assert.ok(row, 'a stored row');
      return JSON.parse(
        h.t.registry.vault
          .open(row.envelope, identityTokenAad(defaultTenantId, userId, target))
          .toString('utf8'),
      ) as SealedTokens;
    };

    /** Moves the stored expiry by `seconds` from now (negative: in the past). */
    const expireIn = async (userId: string, target: string, seconds: number) => {
      const result = await db()
        .updateTable('identity_tokens')
        .set({ expires_at: new Date(Date.now() + seconds * 1000) })
        .where('user_id', '=', userId)
        .where('target', '=', target)
        .executeTakeFirst();
      assert.equal(result.numUpdatedRows, 1n);
    };

    const auditEntries = (userId: string | null, action: string) =>
      db()
        .selectFrom('audit_logs')
        .selectAll()
        .where('action', '=', action)
        .where((eb) => (userId === null ? eb('user_id', 'is', null) : eb('user_id', '=', userId)))
        .execute();

    /**
     * A connector whose token endpoint is the fake provider (or `tokenEndpoint`), with token storage on, and a
     * user linked to it holding `tokens`, stored through the service.
     */
    const fakeBacked = async (
      tokens: { accessToken: string; refreshToken?: string; expiresIn?: number },
      tokenEndpoint = fake.tokenEndpoint,
    ) => {
      const target = uniqueName('fake');
      const created = await h.api.post('/api/connectors', {
        connectorId: 'oidc',
        config: {
          clientId: 'gatehouse-at-fake',
          clientSecret: 'fake-secret-0123456789',
          authorizationEndpoint: fake.authorizationEndpoint,
          tokenEndpoint,
          idTokenVerificationConfig: { jwksUri: fake.jwksUri, issuer: fake.issuer },
        },
        metadata: { target },
        enableTokenStorage: true,
      });
      assertStatus(created, 201);
      const user = await createUserWithPassword(h.api, {
        username: uniqueName('u'),
        password: 'a passphrase for the fake',
      });
      await identities().link(user.id, target, uniqueName('sub'));
      await service.store(user.id, target, { tokenType: 'Bearer', scope: 'read', ...tokens });
      return { target, userId: user.id, connectorId: (created.body as { id: string }).id };
    };

    const identities = () =>
      createIdentityService({
        db: db(),
        changes: h.t.registry.changes,
        tenantId: defaultTenantId,
        passwords: h.t.registry.passwords,
      });

    describe('storing at sign-in (issue 6 item 1)', () => {
      it('a social sign-up with token storage on keeps the provider tokens sealed: one row, the envelope opens to them, none of them readable in the row', async () => {
        const { userId } = await signIn(stored);
        const row = await rowOf(userId, stored.target);
        assert.ok(row, 'a row for (user, target)');
        assert.equal(row.kek_id, h.t.registry.vault.keyring.currentId);
        assert.equal(row.has_refresh_token, true);
        assert.equal(row.token_type, 'Bearer');
        assert.match(row.scope ?? '', /offline_access/);
        const expiresIn = ((row.expires_at as Date).getTime() - Date.now()) / 1000;
        assert.ok(expiresIn > 3500 && expiresIn <= 3600, `${expiresIn} s`);

        const tokens = await openRow(userId, stored.target);
        assert.ok(tokens.accessToken && tokens.refreshToken && tokens.idToken);
        assert.equal(tokens.expiresAt, (row.expires_at as Date).getTime());
        // SECURITY-TESTS D2: no token in plaintext in the row, the audit log or the flows.
        const everything = JSON.stringify([
          row,
          await db().selectFrom('audit_logs').selectAll().execute(),
          await db().selectFrom('experience_flows').selectAll().execute(),
          await db().selectFrom('user_identities').selectAll().execute(),
        ]);
        for (const token of [tokens.accessToken, tokens.refreshToken, tokens.idToken]) {
          assert.ok(!everything.includes(token), 'a token in plaintext');
        }
        const [entry] = await auditEntries(userId, 'identity_token.stored');
        assert.equal(entry?.actor_type, 'user');
        assert.equal(entry?.target, stored.target);
      });

      it('the next sign-in replaces the stored tokens (still one row)', async () => {
        const { userId, account } = await signIn(stored);
        const first = await openRow(userId, stored.target);
        const again = await signIn(stored, account);
        assert.equal(again.userId, userId);
        const second = await openRow(userId, stored.target);
        assert.notEqual(second.accessToken, first.accessToken);
        const rows = await db()
          .selectFrom('identity_tokens')
          .select('target')
          .where('user_id', '=', userId)
          .execute();
        assert.equal(rows.length, 1);
      });

      it('linking on the link page (an account with the upstream email) stores the tokens after the password, sealed in the flow meanwhile', async () => {
        const account = upstreamAccount();
        const existing = await createUserWithPassword(h.api, {
          primaryEmail: `${account.login}@upstream.example`,
          password: 'existing passphrase 1',
        });
        const { flow, answer } = await signInWithConnector(h, stored, account);
        assert.match(answer.location ?? '', /^\/sign-in\/social\/link/);
        assert.equal(
          await rowOf(existing.id, stored.target),
          undefined,
          'nothing stored before the password',
        );
        const flowsWhileWaiting = JSON.stringify(
          await db().selectFrom('experience_flows').selectAll().execute(),
        );

        const link = await flow.browser.get(answer.location ?? '');
        const right = await flow.browser.post('/sign-in/social/link', {
          _csrf: link.csrf ?? '',
          password: 'existing passphrase 1',
        });
        await finishAtClient(h.t, h.app, flow, right);
        const tokens = await openRow(existing.id, stored.target);
        assert.ok(tokens.accessToken && tokens.refreshToken);
        for (const token of [tokens.accessToken, tokens.refreshToken, tokens.idToken ?? '']) {
          assert.ok(!flowsWhileWaiting.includes(token), 'the flow held a token in plaintext');
        }
      });

      it('with token storage off, a sign-in stores nothing', async () => {
        const plain = await storingConnector({ tokenStorage: false });
        await showConnectors(h, [stored.target, plain.target]);
        const { userId } = await signIn(plain);
        assert.equal(await rowOf(userId, plain.target), undefined);
        assert.equal(await service.status(userId, plain.target), undefined);
      });

      it('tokens without an access token are not stored', async () => {
        const { target, userId } = await fakeBacked({ accessToken: 'at-keep', refreshToken: 'rt-keep' });
        await service.store(userId, target, { refreshToken: 'rt-other' });
        assert.equal((await openRow(userId, target)).accessToken, 'at-keep');
      });
    });

    describe('status and access token', () => {
      it('status says what is stored without opening the envelope (a vault without the key still answers it)', async () => {
        const { userId } = await signIn(stored);
        const stranger = serviceWith(createVault(createKeyring(Buffer.alloc(32, 7))));
        const status = await stranger.status(userId, stored.target);
        assert.ok(status);
        assert.equal(status.hasRefreshToken, true);
        assert.equal(status.tokenType, 'Bearer');
        assert.match(status.scope ?? '', /offline_access/);
        assert.ok(status.expiresAt && status.expiresAt > Date.now() + 3_500_000);
        assert.ok(status.updatedAt <= Date.now() + 1000);
        const error = await rejection(stranger.accessToken(userId, stored.target));
        assert.ok(error instanceof VaultError && error.code === 'vault.unknown_key', String(error));
        assert.equal(await service.status(userId, 'no-such-target'), undefined);
      });

      it('answers the stored access token while it is fresh, without asking the provider', async () => {
        const { userId } = await signIn(stored);
        const tokens = await openRow(userId, stored.target);
        const before = upstream.seen.tokenRequests.length;
        const answer = await service.accessToken(userId, stored.target);
        assert.equal(answer.access_token, tokens.accessToken);
        assert.equal(answer.token_type, 'Bearer');
        assert.match(answer.scope, /offline_access/);
        assert.ok(answer.expires_in > 3500 && answer.expires_in <= 3600, String(answer.expires_in));
        assert.equal(upstream.seen.tokenRequests.length, before);
      });

      it('answers 404 identity_token.not_found when nothing is stored', async () => {
        const user = await createUserWithPassword(h.api, {
          username: uniqueName('u'),
          password: 'passphrase 404',
        });
        await assertApiRejection(
          service.accessToken(user.id, stored.target),
          404,
          'identity_token.not_found',
        );
      });
    });

    describe('refresh (RFC 6749 §6)', () => {
      it('an expired token is refreshed at the provider with the stored refresh token, and the new tokens are stored', async () => {
        const { userId } = await signIn(stored);
        const old = await openRow(userId, stored.target);
        const oldRow = await rowOf(userId, stored.target);
        await expireIn(userId, stored.target, -60);
        const before = upstream.seen.tokenRequests.length;

        const answer = await service.accessToken(userId, stored.target);
        assert.notEqual(answer.access_token, old.accessToken);
        assert.ok(answer.expires_in > 3500, String(answer.expires_in));
        const [request] = upstream.seen.tokenRequests.slice(before);
        assert.ok(request?.params.includes('refresh_token'), 'a refresh_token grant');
        assert.equal(request?.authMethod, 'client_secret_basic');
        assert.equal(request?.status, 200);

        const now = await openRow(userId, stored.target);
        assert.equal(now.accessToken, answer.access_token);
        assert.ok(now.refreshToken, 'a refresh token is still stored');
        const row = await rowOf(userId, stored.target);
        assert.ok(row);
        assert.notEqual(row.envelope, oldRow?.envelope);
        assert.ok((row.expires_at as Date).getTime() > Date.now() + 3_500_000);
        assert.equal((await auditEntries(userId, 'identity_token.refreshed')).length, 1);

        // Fresh again: no second refresh.
        await service.accessToken(userId, stored.target);
        assert.equal(upstream.seen.tokenRequests.length, before + 1);
      });

      it('a token within 30 s of its expiry is refreshed too', async () => {
        const { userId } = await signIn(stored);
        const old = await openRow(userId, stored.target);
        await expireIn(userId, stored.target, 20);
        assert.notEqual((await service.accessToken(userId, stored.target)).access_token, old.accessToken);
      });

      it('a refresh answer without a refresh token keeps the stored one (and the ID token)', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        await expireIn(userId, target, -1);
        fake.onToken = () => ({ body: { access_token: 'at-2', token_type: 'Bearer', expires_in: 120 } });
        const answer = await service.accessToken(userId, target);
        assert.equal(answer.access_token, 'at-2');
        assert.ok(answer.expires_in > 100 && answer.expires_in <= 120);
        assert.equal(answer.scope, 'read', 'the scope of the original grant (RFC 6749 §5.1)');
        const now = await openRow(userId, target);
        assert.equal(now.refreshToken, 'rt-1');
        assert.equal(fake.tokenRequests.at(-1)?.body.get('refresh_token'), 'rt-1');

        await expireIn(userId, target, -1);
        fake.onToken = () => ({ body: { access_token: 'at-3', refresh_token: 'rt-2', expires_in: 120 } });
        await service.accessToken(userId, target);
        assert.equal(
          (await openRow(userId, target)).refreshToken,
          'rt-2',
          'a rotated refresh token replaces it',
        );
      });

      it('concurrent reads of one expired token make one refresh (a rotating provider never sees a refresh token twice)', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        await expireIn(userId, target, -1);
        const before = fake.tokenRequests.length;
        fake.onToken = async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return { body: { access_token: 'at-once', refresh_token: 'rt-2', expires_in: 600 } };
        };
        const answers = await Promise.all([1, 2, 3].map(() => service.accessToken(userId, target)));
        assert.deepEqual(
          answers.map((answer) => answer.access_token),
          ['at-once', 'at-once', 'at-once'],
        );
        assert.equal(fake.tokenRequests.length, before + 1);
      });

      it('revoked upstream (the user removed our access at the provider: invalid_grant): 401 identity_token.expired, the secret deleted, an audit entry by the system; the identity stays', async () => {
        const { userId, account } = await signIn(stored);
        await expireIn(userId, stored.target, -60);
        assert.ok(upstream.revokeGrants(account.login) >= 1, 'the provider revoked our grant');
        await assertApiRejection(service.accessToken(userId, stored.target), 401, 'identity_token.expired');
        assert.equal(await rowOf(userId, stored.target), undefined, 'deleted');
        const [entry] = await auditEntries(userId, 'identity_token.deleted');
        assert.equal(entry?.actor_type, 'system');
        assert.equal(entry?.target, stored.target);
        assert.deepEqual(entry?.data, { reason: 'refresh_refused' });
        const identity = await db()
          .selectFrom('user_identities')
          .select('target')
          .where('user_id', '=', userId)
          .executeTakeFirst();
        assert.equal(identity?.target, stored.target);
        await assertApiRejection(service.accessToken(userId, stored.target), 404, 'identity_token.not_found');
      });

      it('no refresh token stored: 401 identity_token.expired and deleted, without asking the provider', async () => {
        const { target, userId } = await fakeBacked({ accessToken: 'at-1', expiresIn: 3600 });
        assert.equal((await service.status(userId, target))?.hasRefreshToken, false);
        await expireIn(userId, target, -1);
        const before = fake.tokenRequests.length;
        await assertApiRejection(service.accessToken(userId, target), 401, 'identity_token.expired');
        assert.equal(await rowOf(userId, target), undefined);
        assert.equal(fake.tokenRequests.length, before);
        assert.deepEqual((await auditEntries(userId, 'identity_token.deleted'))[0]?.data, {
          reason: 'no_refresh_token',
        });
      });

      it('a token the provider gave no lifetime is used as it is (expires_in 0: unknown)', async () => {
        const { target, userId } = await fakeBacked({ accessToken: 'at-forever' });
        const answer = await service.accessToken(userId, target);
        assert.equal(answer.access_token, 'at-forever');
        assert.equal(answer.expires_in, 0);
        assert.equal((await service.status(userId, target))?.expiresAt, null);
      });

      it('a provider that is down: 502 identity_token.refresh_failed, the tokens kept', async () => {
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const { target, userId } = await fakeBacked(
          { accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 3600 },
          `http://127.0.0.1:${port}/token`,
        );
        await expireIn(userId, target, -1);
        const before = await rowOf(userId, target);
        const error = await assertApiRejection(
          service.accessToken(userId, target),
          502,
          'identity_token.refresh_failed',
        );
        assert.equal(error.data?.reason, 'social.token_request_failed');
        assert.equal((await rowOf(userId, target))?.envelope, before?.envelope);
      });

      it('a provider that refuses otherwise (invalid_client, 5xx): 502, the tokens kept', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        await expireIn(userId, target, -1);
        fake.onToken = () => ({ status: 401, body: { error: 'invalid_client' } });
        await assertApiRejection(service.accessToken(userId, target), 502, 'identity_token.refresh_failed');
        fake.onToken = () => ({ status: 503, body: 'down for maintenance' });
        await assertApiRejection(service.accessToken(userId, target), 502, 'identity_token.refresh_failed');
        assert.equal((await openRow(userId, target)).refreshToken, 'rt-1');
      });

      it('a provider that hangs: 502 after the 5 s deadline, the tokens kept', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        await expireIn(userId, target, -1);
        fake.onToken = () => 'hang';
        const started = Date.now();
        const error = await assertApiRejection(
          service.accessToken(userId, target),
          502,
          'identity_token.refresh_failed',
        );
        assert.equal(error.data?.reason, 'social.timeout');
        assert.ok(Date.now() - started < 7_000);
        assert.ok(await rowOf(userId, target), 'kept');
      });
    });

    describe('secrets at rest (SECURITY-TESTS D1)', () => {
      it("an envelope copied to another user's row, or to another target, does not open (VaultError)", async () => {
        const a = await fakeBacked({ accessToken: 'at-of-a', refreshToken: 'rt-a', expiresIn: 3600 });
        const b = await fakeBacked({ accessToken: 'at-of-b', refreshToken: 'rt-b', expiresIn: 3600 });
        const rowA = await rowOf(a.userId, a.target);
        assert.ok(rowA);
        // Another user (and another target): A's envelope copied over B's row.
        await db()
          .updateTable('identity_tokens')
          .set({ envelope: rowA.envelope })
          .where('user_id', '=', b.userId)
          .execute();
        const moved = await rejection(service.accessToken(b.userId, b.target));
        assert.ok(moved instanceof VaultError && moved.code === 'vault.decrypt_failed', String(moved));

        // The same target, another user: B linked at A's target, given a row with A's envelope.
        await identities().link(b.userId, a.target, uniqueName('sub'));
        await db()
          .insertInto('identity_tokens')
          .values({
            tenant_id: defaultTenantId,
            user_id: b.userId,
            target: a.target,
            kek_id: rowA.kek_id,
            envelope: rowA.envelope,
          })
          .execute();
        const swapped = await rejection(service.accessToken(b.userId, a.target));
        assert.ok(swapped instanceof VaultError && swapped.code === 'vault.decrypt_failed', String(swapped));
        assert.equal(
          (await service.accessToken(a.userId, a.target)).access_token,
          'at-of-a',
          'the original opens',
        );
      });
    });

    describe('deleted with what owns them (issue 6: "in the same transaction")', () => {
      it('deleting the connector deletes the tokens of its target in the same transaction, and keeps the identities', async () => {
        const one = await fakeBacked({ accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 3600 });
        const two = await signIn(stored);
        // A failure later in the transaction (here: the audit entry) rolls the token deletion back with it.
        await sql`create or replace function gatehouse_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`.execute(
          db(),
        );
        await sql`create trigger gatehouse_test_refuse before insert on audit_logs for each row execute function gatehouse_test_refuse()`.execute(
          db(),
        );
        try {
          const failed = await h.api.del(`/api/connectors/${one.connectorId}`);
          assert.equal(failed.status, 500);
        } finally {
          await sql`drop trigger gatehouse_test_refuse on audit_logs`.execute(db());
        }
        assert.ok(await rowOf(one.userId, one.target), 'rolled back with the connector deletion');
        assertStatus(await h.api.get(`/api/connectors/${one.connectorId}`), 200);

        assertStatus(await h.api.del(`/api/connectors/${one.connectorId}`), 204);
        assert.equal(await rowOf(one.userId, one.target), undefined);
        const identity = await db()
          .selectFrom('user_identities')
          .select('target')
          .where('user_id', '=', one.userId)
          .where('target', '=', one.target)
          .executeTakeFirst();
        assert.ok(identity, 'the identity is kept');
        const [entry] = await auditEntries(null, 'identity_token.deleted');
        assert.ok(entry);
        assert.ok(await rowOf(two.userId, stored.target), "another connector's tokens stay");
      });

      it('deleting the user deletes the tokens (foreign key cascade)', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        assertStatus(await h.api.del(`/api/users/${userId}`), 204);
        assert.equal(await rowOf(userId, target), undefined);
      });

      it('unlinking the identity deletes the tokens (foreign key cascade)', async () => {
        const { target, userId } = await fakeBacked({
          accessToken: 'at-1',
          refreshToken: 'rt-1',
          expiresIn: 3600,
        });
        await identities().unlink(userId, target);
        assert.equal(await rowOf(userId, target), undefined);
      });

      it('remove deletes them and says whether there were any', async () => {
        const { target, userId } = await fakeBacked({ accessToken: 'at-1', expiresIn: 3600 });
        assert.equal(await service.remove(userId, target), true);
        assert.equal(await service.remove(userId, target), false);
        assert.equal(await service.status(userId, target), undefined);
      });

      it('storing for an identity that does not exist is refused (404 identity.not_found)', async () => {
        const user = await createUserWithPassword(h.api, {
          username: uniqueName('u'),
          password: 'passphrase nf',
        });
        await assertApiRejection(
          service.store(user.id, stored.target, { accessToken: 'at-x' }),
          404,
          'identity.not_found',
        );
      });
    });
  });
}
