import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { defaultTenantId } from '../src/db/schema.ts';
import { identityTokenAad } from '../src/domain/identity-tokens/identity-tokens.service.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  beginAuthorization,
  claimsOf,
  createUserWithPassword,
  type ExperienceHarness,
  followToCallback,
  redirectUri,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';
import { redeem } from './support/protocol.ts';
import { testAdminClient } from './support/server.ts';
import { addOidcConnector, signInWithConnector } from './support/social.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

/**
 * SECURITY-TESTS D2 and D4 in one place: after the flows that handle every kind of secret (a password sign-in, a
 * social sign-in with the provider's tokens stored, a refresh of those tokens, our own codes and tokens, a signing
 * key rotation), neither a dump of every table nor the debug-level logs contain any of them in plaintext.
 */
for (const backend of testBackends()) {
  describe(`secrets at rest and in logs (SECURITY-TESTS D2, D4) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    let upstream: Upstream;
    before(async () => {
      [h, upstream] = await Promise.all([
        startExperience({ db: await backend.create() }),
        startUpstream({ consent: 'auto' }),
      ]);
    });
    after(async () => {
      await upstream.stop();
      await h.stop();
    });

    /** Every row of every table of the public schema, as JSON text. */
    const dump = async () => {
      const db = h.t.registry.db.kysely;
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
      let text = '';
      for (const { table_name } of tables.rows) {
        text += JSON.stringify((await sql`select * from ${sql.table(table_name)}`.execute(db)).rows);
      }
      return text;
    };

    it('a dump of the database and the debug logs hold no password, provider token, client secret, code, token, session id or private key', async () => {
      const canaries: Record<string, string> = { 'the admin client secret': testAdminClient.secret };

      // A password user signs in to the app: our code, access and refresh tokens, the session cookie.
      const password = `canary passphrase ${uniqueName('pw')}`;
      const username = uniqueName('canary');
      await createUserWithPassword(h.api, { username, password });
      canaries['a user password'] = password;
      // OIDC Core §11: a refresh token (offline_access) comes with prompt=consent.
      const flow = await beginAuthorization(h.t, h.app, { params: { prompt: 'consent' } });
      const params = await followToCallback(flow.browser, await submitSignIn(flow, username, password));
      const code = params.get('code') ?? assert.fail('a code');
      const ours = await redeem(h.t, h.app, code, redirectUri, flow.verifier);
      canaries['our authorization code'] = code;
      canaries['our access token'] = ours.access_token;
      canaries['our refresh token'] = ours.refresh_token ?? assert.fail('a refresh token');
      canaries['our session id'] = flow.browser.jar.get('gh_session') ?? assert.fail('a session cookie');
      canaries['the app secret'] = h.app.secret ?? assert.fail('a confidential app');

      // A social sign-in with token storage and offline_access: the provider's tokens go to the vault.
      const connector = await addOidcConnector(h, upstream, {
        client: { grant_types: ['authorization_code', 'refresh_token'] },
      });
      canaries['the connector client secret'] = connector.clientSecret;
      assertStatus(
        await h.api.patch(`/api/connectors/${connector.id}`, {
          config: {
            scope: 'openid offline_access profile email',
            authRequestOptionalConfig: { prompt: 'consent' },
          },
          enableTokenStorage: true,
        }),
        200,
      );
      const login = uniqueName('up');
      upstream.accounts.set(login, {
        password: 'upstream canary passphrase',
        claims: { email: `${login}@upstream.example`, email_verified: true },
      });
      const social = await signInWithConnector(h, connector, {
        login,
        password: 'upstream canary passphrase',
      });
      const socialParams = await followToCallback(social.flow.browser, social.answer);
      const socialTokens = await redeem(
        h.t,
        h.app,
        socialParams.get('code') ?? '',
        redirectUri,
        social.flow.verifier,
      );
      const userId = String(claimsOf(socialTokens.id_token).sub);
      const opened = async () => {
        const row = await h.t.registry.db.kysely
          .selectFrom('identity_tokens')
          .selectAll()
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        return JSON.parse(
          h.t.registry.vault
            .open(row.envelope, identityTokenAad(defaultTenantId, userId, connector.target))
            .toString(),
        ) as { accessToken: string; refreshToken?: string; idToken?: string };
      };
      const first = await opened();
      canaries['the provider access token'] = first.accessToken;
      canaries['the provider refresh token'] = first.refreshToken ?? assert.fail('a provider refresh token');
      canaries['the provider ID token signature'] = (first.idToken ?? '').split('.')[2] ?? '';

      // The stored token expires and is refreshed at the provider: the new ones are secrets too.
      await h.t.registry.db.kysely
        .updateTable('identity_tokens')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('user_id', '=', userId)
        .execute();
      const refreshed = await h.t.registry.identityTokens.accessToken(userId, connector.target);
      assert.notEqual(refreshed.access_token, first.accessToken, 'refreshed upstream');
      canaries['the refreshed provider access token'] = refreshed.access_token;
      const second = await opened();
      if (second.refreshToken && second.refreshToken !== first.refreshToken) {
        canaries['the rotated provider refresh token'] = second.refreshToken;
      }

      // A key rotation: the new private key exists only sealed.
      assertStatus(
        await h.api.post('/api/configs/oidc/private-keys/rotate', { signingKeyAlgorithm: 'RSA' }),
        201,
      );
      const key = await h.t.registry.db.kysely
        .selectFrom('oidc_keys')
        .select('secret_id')
        .where('usage', '=', 'signing')
        .where('retired_at', 'is', null)
        .executeTakeFirstOrThrow();
      const privateJwk = JSON.parse(
        (await h.t.registry.vault.read(h.t.registry.db.kysely, defaultTenantId, key.secret_id))?.toString() ??
          '{}',
      ) as { d?: string };
      canaries['the signing private key (d)'] = privateJwk.d ?? assert.fail('a private JWK');

      const database = await dump();
      const logs = h.t.logs.text();
      assert.ok(
        database.includes(username) && database.includes(connector.clientId),
        'the dump holds the data',
      );
      assert.ok(logs.includes('/sign-in') && logs.includes('/oidc/token'), 'the logs cover the flows');
      for (const [what, value] of Object.entries(canaries)) {
        assert.ok(value.length >= 16, `${what} looks like a real value`);
        assert.equal(database.includes(value), false, `${what} is in the database in plaintext`);
        assert.equal(logs.includes(value), false, `${what} is in the logs`);
      }
    });
  });
}
