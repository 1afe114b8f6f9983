import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { sql } from 'kysely';
import { createPostgresChangeBus } from '../src/db/changes.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { managementApi } from '../src/db/schema.ts';
import { testBackends } from './support/db.ts';
import { captureLogs } from './support/logs.ts';
import { managementHeaders } from './support/management.ts';
import { createApplication, createBrowser, createUser, signInAs } from './support/oidc.ts';
import { startTestServer, type TestServer, testAdminClient, testKek } from './support/server.ts';

const clientCredentials = async (
  t: TestServer,
  clientId: string,
  secret: string,
  resource: string = managementApi.indicator,
  scope = 'all',
) => {
  const response = await fetch(`${t.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { access_token?: string; error?: string },
  };
};

const jwks = async (t: TestServer) => (await (await fetch(`${t.url}/oidc/jwks`)).json()) as JSONWebKeySet;

describe('signing keys (SPEC §2, SECURITY-TESTS A12, D2)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('publishes the signing key with a kid, stores its private part only sealed in the vault', async () => {
    const keys = await jwks(t);
    assert.equal(keys.keys.length, 1);
    const [key] = keys.keys;
    assert.equal(key?.kty, 'EC');
    assert.equal(key?.crv, 'P-256');
    assert.ok(key?.kid);
    assert.equal((key as { d?: string }).d, undefined, 'no private part in JWKS');
    const rows = await t.registry.db.kysely.selectFrom('oidc_keys').selectAll().execute();
    const dump =
      JSON.stringify(rows) +
      JSON.stringify(await t.registry.db.kysely.selectFrom('secrets').selectAll().execute());
    assert.doesNotMatch(dump, /"d":/, 'no private JWK member in any row');
  });

  it('rotation: new tokens are signed by the new key; the old key stays in JWKS and old tokens still verify', async () => {
    const before = await clientCredentials(t, testAdminClient.id, testAdminClient.secret);
    const oldToken = before.body.access_token ?? '';
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const rotated = await fetch(`${t.url}/api/configs/oidc/private-keys/rotate`, {
      method: 'POST',
      headers: { ...(await managementHeaders(t)), 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(rotated.status, 201);
    const listed = (await rotated.json()) as Array<{ id: string; retiredAt: number | null }>;
    assert.equal(listed.length, 2);
    assert.equal(listed[0]?.retiredAt, null);
    assert.equal(listed[1]?.id, oldKid);

    const published = await jwks(t);
    assert.deepEqual(published.keys.map((key) => key.kid).sort(), listed.map((key) => key.id).sort());

    const after = await clientCredentials(t, testAdminClient.id, testAdminClient.secret);
    const newKid = decodeProtectedHeader(after.body.access_token ?? '').kid;
    assert.notEqual(newKid, oldKid);
    assert.equal(newKid, listed[0]?.id);

    const keySet = createLocalJWKSet(published);
    await jwtVerify(oldToken, keySet, { issuer: `${t.url}/oidc`, audience: managementApi.indicator });
    // The Management API still accepts a token signed before the rotation.
    const stillValid = await fetch(`${t.url}/api/applications`, {
      headers: { authorization: `Bearer ${oldToken}` },
    });
    assert.equal(stillValid.status, 200);
  });

  it('rotates to RSA (RS256) when asked, and refuses an unknown algorithm with 400', async () => {
    const headers = { ...(await managementHeaders(t)), 'content-type': 'application/json' };
    const rsa = await fetch(`${t.url}/api/configs/oidc/private-keys/rotate`, {
      method: 'POST',
      headers,
      body: '{"signingKeyAlgorithm":"RSA"}',
    });
    assert.equal(rsa.status, 201);
    const token =
      (await clientCredentials(t, testAdminClient.id, testAdminClient.secret)).body.access_token ?? '';
    assert.equal(decodeProtectedHeader(token).alg, 'RS256');
    assert.ok((await jwks(t)).keys.some((key) => key.kty === 'RSA'));
    const bad = await fetch(`${t.url}/api/configs/oidc/private-keys/rotate`, {
      method: 'POST',
      headers,
      body: '{"signingKeyAlgorithm":"HS256"}',
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'request.invalid_body');
    const noToken = await fetch(`${t.url}/api/configs/oidc/private-keys/rotate`, { method: 'POST' });
    assert.equal(noToken.status, 401);
  });
});

describe('secrets at rest after the protocol flows (SECURITY-TESTS D2)', () => {
  it('a dump of every table holds no code, token, session id or client secret in plaintext', async () => {
    const signIn = signInAs();
    const t = await startTestServer({ extraRoutes: [signIn.routes] });
    try {
      signIn.state.accountId = await createUser(t);
      const callback = 'http://127.0.0.1:9/cb';
      const app = await createApplication(t, { type: 'Traditional', redirectUris: [callback] });
      const browser = createBrowser();
      const verifier = 'v'.repeat(64);
      const { createHash } = await import('node:crypto');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const authorize = `${t.url}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: 'code', scope: 'openid offline_access', state: 's', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent' })}`;
      const returned = await browser.follow(authorize, callback);
      const code = new URL(returned.url).searchParams.get('code') ?? '';
      const token = await fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: callback,
          code_verifier: verifier,
          client_id: app.id,
          client_secret: app.secret ?? '',
        }),
      });
      const tokens = (await token.json()) as { access_token: string; refresh_token: string };
      assert.equal(token.status, 200);

      const tables = await sql<{
        table_name: string;
      }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(
        t.registry.db.kysely,
      );
      let dump = '';
      for (const { table_name } of tables.rows) {
        const rows = await sql`select * from ${sql.table(table_name)}`.execute(t.registry.db.kysely);
        dump += JSON.stringify(rows.rows);
      }
      const secrets = {
        code,
        access: tokens.access_token,
        refresh: tokens.refresh_token,
        clientSecret: app.secret ?? '',
        adminSecret: testAdminClient.secret,
        ...Object.fromEntries(
          [...browser.jar].map(([name, value]) => [`cookie ${name}`, value.split('.')[0] ?? value]),
        ),
      };
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(value.length >= 16, `${what} looks like a real value`);
        assert.equal(dump.includes(value), false, `${what} must not be stored in plaintext`);
      }
    } finally {
      await t.stop();
    }
  });
});

const postgres = testBackends().find((backend) => backend.name === 'postgres');
if (postgres) {
  describe('two instances on one PostgreSQL (SPEC §1 scale-out, SECURITY-TESTS A6, E5)', () => {
    it('share configuration changes at once, converge on rotated keys, and redeem a code exactly once across both', async () => {
      const first = await postgres.create();
      await migrateToLatest(first.kysely);
      const url = first.url ?? '';
      const kek = testKek();
      const logger = captureLogs('silent').logger;
      const secondDb = await openDatabase({ kind: 'postgres', url, poolSize: 5 }, logger);
      const signIn = signInAs();
      const env = { SECRET_VAULT_KEK: kek };
      const a = await startTestServer({
        env,
        db: first,
        changes: await createPostgresChangeBus(url, logger),
        extraRoutes: [signIn.routes],
      });
      const b = await startTestServer({
        env,
        db: secondDb,
        changes: await createPostgresChangeBus(url, logger),
        extraRoutes: [signIn.routes],
      });
      try {
        // B caches an app; A deletes it; B refuses it at once (LISTEN/NOTIFY invalidation, no restart).
        const m2m = await createApplication(a, { type: 'MachineToMachine', name: 'worker' });
        assert.equal((await clientCredentials(b, m2m.id, m2m.secret ?? '')).status, 200);
        const deleted = await fetch(`${a.url}/api/applications/${m2m.id}`, {
          method: 'DELETE',
          headers: await managementHeaders(a),
        });
        assert.equal(deleted.status, 204);
        let refused = 0;
        for (let attempt = 0; attempt < 50 && refused !== 401; attempt++) {
          refused = (await clientCredentials(b, m2m.id, m2m.secret ?? '')).status;
          if (refused !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(refused, 401, 'instance B no longer accepts the deleted app');
        const rotated = await fetch(`${a.url}/api/configs/oidc/private-keys/rotate`, {
          method: 'POST',
          headers: { ...(await managementHeaders(a)), 'content-type': 'application/json' },
          body: '{}',
        });
        assert.equal(rotated.status, 201);
        const kids = ((await rotated.json()) as Array<{ id: string }>).map((key) => key.id).sort();
        const deadline = Date.now() + 5_000;
        let converged: string[] = [];
        while (Date.now() < deadline) {
          converged = (await jwks(b)).keys.map((key) => key.kid ?? '').sort();
          if (converged.join() === kids.join()) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(converged, kids, 'instance B publishes the keys rotated on A');

        signIn.state.accountId = await createUser(a);
        const callback = 'http://127.0.0.1:9/cb';
        const app = await createApplication(a, { type: 'Traditional', redirectUris: [callback] });
        const returned = await createBrowser().follow(
          `${a.url}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: 'code', scope: 'openid', state: 's' })}`,
          callback,
        );
        const code = new URL(returned.url).searchParams.get('code') ?? '';
        const redeem = (server: TestServer) =>
          fetch(`${server.url}/oidc/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code,
              redirect_uri: callback,
              client_id: app.id,
              client_secret: app.secret ?? '',
            }),
          }).then((response) => response.status);
        const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem(i % 2 ? a : b)));
        assert.equal(
          statuses.filter((status) => status === 200).length,
          1,
          `statuses: ${statuses.join(',')}`,
        );
        assert.ok(statuses.every((status) => status === 200 || status === 400));
      } finally {
        await b.stop();
        await a.stop();
      }
    });
  });
}
