import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { defineRoutes, get, ok } from '../src/http/routes.ts';
import type { Registry } from '../src/registry.ts';
import { devKekFile } from '../src/vault/kek.ts';
import { spawnGatehouse, stopGatehouse, waitForOutput, waitReady } from './support/process.ts';
import { startTestServer } from './support/server.ts';

describe('graceful shutdown (SPEC §1, SECURITY-TESTS E4)', () => {
  it('lets an in-flight request finish, answers it with Connection: close, and refuses new connections', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const handlerEntered = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = defineRoutes('/api/probe', () => [
      get('/slow', { status: [200] }, async () => {
        arrived();
        await gate;
        return ok({ done: true });
      }),
    ]);
    const t = await startTestServer({
      extraRoutes: [slow] as Array<ReturnType<typeof defineRoutes<Registry>>>,
    });
    after(() => t.stop());
    const inFlight = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(`${t.url}/api/probe/slow`, (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += String(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    await handlerEntered;
    const draining = t.running.drain(5_000);
    assert.equal(t.registry.lifecycle.draining, true);
    await assert.rejects(fetch(`${t.url}/api/status`));
    release();
    const answered = await inFlight;
    assert.equal(answered.status, 200);
    assert.equal(answered.body, '{"done":true}');
    assert.equal(answered.connection, 'close');
    await draining;
  });

  it('closes connections still busy when the shutdown timeout passes', async () => {
    let arrived: () => void = () => {};
    const handlerEntered = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const stuck = defineRoutes('/api/probe', () => [
      get('/stuck', { status: [200] }, () => {
        arrived();
        return new Promise(() => {});
      }),
    ]);
    const t = await startTestServer({
      extraRoutes: [stuck] as Array<ReturnType<typeof defineRoutes<Registry>>>,
    });
    after(() => t.stop());
    const inFlight = fetch(`${t.url}/api/probe/stuck`).then(
      () => 'answered',
      () => 'closed',
    );
    await handlerEntered;
    await t.running.drain(200);
    assert.equal(await inFlight, 'closed');
  });
});

describe('npm start on embedded storage (SPEC §1)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves 204 at /api/status, logs where it listens, and exits 0 on SIGTERM', async () => {
    const instance = await spawnGatehouse({ DATA_DIR: dataDir });
    try {
      await waitReady(instance);
      await waitForOutput(instance, /"msg":"Gatehouse listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.match(instance.output(), /SECRET_VAULT_KEK is not set: using a DEVELOPMENT key/);
    } finally {
      // Never left running when an assertion fails: it would hold DATA_DIR for the next test.
      await stopGatehouse(instance);
    }
    assert.equal(await instance.exited, 0);
    assert.match(instance.output(), /shut down cleanly/);
  });

  it('starts again on the same DATA_DIR with its data and its development key kept', async () => {
    const kek = readFileSync(path.join(dataDir, devKekFile), 'utf8');
    const instance = await spawnGatehouse({ DATA_DIR: dataDir });
    try {
      await waitReady(instance);
      await waitForOutput(instance, /database schema up to date/);
      assert.equal(readFileSync(path.join(dataDir, devKekFile), 'utf8'), kek);

      // A second process on the same folder would corrupt the embedded database: it must refuse, clearly.
      const intruder = await spawnGatehouse({ DATA_DIR: dataDir });
      assert.equal(await intruder.exited, 1);
      assert.match(intruder.output(), /DATA_DIR .* is in use by process \d+/);
      assert.equal((await fetch(`${instance.url}/api/status`)).status, 204);
    } finally {
      await stopGatehouse(instance);
    }
    assert.equal(await instance.exited, 0);
  });

  it('refuses to start in production without SECRET_VAULT_KEK, and starts with one without writing a key file', async () => {
    const refused = await spawnGatehouse({ DATA_DIR: dataDir, NODE_ENV: 'production' });
    assert.equal(await refused.exited, 78);
    const prodDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-prod-'));
    try {
      const instance = await spawnGatehouse({
        DATA_DIR: prodDir,
        NODE_ENV: 'production',
        SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      });
      await waitReady(instance);
      assert.doesNotMatch(instance.output(), /DEVELOPMENT key/);
      assert.throws(() => readFileSync(path.join(prodDir, devKekFile)));
      assert.equal(await stopGatehouse(instance), 0);
    } finally {
      rmSync(prodDir, { recursive: true, force: true });
    }
  });
});

const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl) {
  describe('npm start on PostgreSQL (SPEC §1 storage and scale-out)', () => {
    it('brings up two instances started at the same moment on one new database, both answering 204', async () => {
      const name = `gatehouse_start_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const env = {
        DATABASE_URL: url.toString(),
        SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gatehouse-pg-')),
      };
      const instances = await Promise.all([spawnGatehouse(env), spawnGatehouse(env)]);
      try {
        await Promise.all(instances.map((instance) => waitReady(instance)));
        for (const instance of instances)
          assert.equal((await fetch(`${instance.url}/api/status`)).status, 204);
        const applied = instances.map((instance) => instance.output().includes('"msg":"migrations applied"'));
        assert.equal(applied.filter(Boolean).length, 1, 'exactly one instance applies the migrations');
      } finally {
        for (const instance of instances) assert.equal(await stopGatehouse(instance), 0);
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
        rmSync(env.DATA_DIR, { recursive: true, force: true });
      }
    });
  });
}
