import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { openDatabase } from '../src/db/client.ts';
import { ApiError, InvalidGrant } from '../src/http/errors.ts';
import { created, defineRoutes, get, ok, post } from '../src/http/routes.ts';
import type { Registry } from '../src/registry.ts';
import { createHealth } from '../src/status/health.ts';
import { readJson } from './support/http.ts';
import { captureLogs } from './support/logs.ts';
import { startTestServer, type TestServer } from './support/server.ts';

// Probe routes exercise the shared HTTP machinery (validation, error families, logging) the way real routes will.
const probeRoutes = defineRoutes('/api/probe', () => [
  post(
    '/echo',
    {
      body: z.object({ name: z.string().min(1).max(20), password: z.string().optional() }),
      response: z.object({ name: z.string() }),
      status: [201, 400],
    },
    ({ body, ctx }) => {
      ctx.state.log.info({ body }, 'probe received a body');
      return created({
        name: body.name,
        password: body.password,
        internal: 'stripped by the response schema',
      });
    },
  ),
  get(
    '/items/:id',
    {
      params: z.object({ id: z.string().regex(/^\d+$/) }),
      query: z.object({ page: z.coerce.number().int().min(1).optional() }),
      status: [200, 400],
    },
    ({ params, query }) => ok({ id: params.id, page: query.page ?? 1 }),
  ),
  get('/missing', { status: [404] }, () => {
    throw new ApiError('request.not_found', { method: 'GET', path: '/thing' });
  }),
  get('/bug', { status: [500] }, () => {
    throw new Error('database password is hunter2 and the stack must not leak');
  }),
]);

const oauthProbe = defineRoutes('/oidc/probe', () => [
  post('/token', { status: [400] }, () => {
    throw new InvalidGrant('authorization code is invalid');
  }),
  get('/bug', { status: [500] }, () => {
    throw new TypeError('boom');
  }),
]);

describe('HTTP surface hygiene', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      extraRoutes: [probeRoutes, oauthProbe] as Array<ReturnType<typeof defineRoutes<Registry>>>,
    });
  });
  after(() => t.stop());

  const call = (path: string, init?: RequestInit) => fetch(`${t.url}${path}`, init);
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  describe('GET /api/status (SPEC §1 health)', () => {
    it('answers 204 with no body when the database answers', async () => {
      const response = await call('/api/status');
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
    });

    it('answers 405 with an Allow header to another method', async () => {
      const response = await call('/api/status', { method: 'POST' });
      assert.equal(response.status, 405);
      assert.match(response.headers.get('allow') ?? '', /GET/);
      assert.equal((await readJson(response)).code, 'request.method_not_allowed');
    });
  });

  describe('security headers on every response', () => {
    for (const path of ['/api/status', '/api/nowhere', '/not-an-api-path', '/metrics']) {
      it(`sets nosniff, no-referrer, DENY framing and a frame-ancestors 'none' CSP on ${path}`, async () => {
        const response = await call(path);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
        assert.equal(response.headers.get('x-frame-options'), 'DENY');
        assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
        assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      });
    }

    it('sends no HSTS over plain http, and ignores X-Forwarded-Proto from a peer not in TRUST_PROXY', async () => {
      const response = await call('/api/status', { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(response.headers.get('strict-transport-security'), null);
    });
  });

  describe('API errors are {code, message, data} with the right 4xx (SPEC §4, §8)', () => {
    it('404 request.not_found for an unknown /api path', async () => {
      const response = await call('/api/unknown/thing');
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), {
        code: 'request.not_found',
        message: 'No route matches GET /api/unknown/thing.',
        data: { method: 'GET', path: '/api/unknown/thing' },
      });
    });

    it('400 request.invalid_json for a malformed JSON body', async () => {
      const response = await postJson('/api/probe/echo', '{"name": ');
      assert.equal(response.status, 400);
      assert.equal((await readJson(response)).code, 'request.invalid_json');
    });

    it('415 request.unsupported_media_type for a form body where JSON is expected', async () => {
      const response = await call('/api/probe/echo', {
        method: 'POST',
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 415);
      assert.equal((await readJson(response)).code, 'request.unsupported_media_type');
    });

    it('413 request.body_too_large for a body over 1 MiB', async () => {
      const response = await postJson('/api/probe/echo', JSON.stringify({ name: 'x'.repeat(1_100_000) }));
      assert.equal(response.status, 413);
      assert.equal((await readJson(response)).code, 'request.body_too_large');
    });

    it('400 request.invalid_body naming each invalid field, for wrong types and missing fields', async () => {
      for (const body of ['{}', '{"name": 5}', '{"name": ""}', '[]', '{"name": "x", "password": 7}']) {
        const response = await postJson('/api/probe/echo', body);
        assert.equal(response.status, 400, body);
        assert.equal((await readJson(response)).code, 'request.invalid_body', body);
      }
      // Strict JSON: a top-level scalar is not a request body.
      for (const body of ['"text"', 'null', '42']) {
        const response = await postJson('/api/probe/echo', body);
        assert.equal(response.status, 400, body);
        assert.equal((await readJson(response)).code, 'request.invalid_json', body);
      }
      const json = await readJson(await postJson('/api/probe/echo', '{"name": 5}'));
      assert.deepEqual(
        json.data?.issues?.map((issue) => issue.path),
        ['name'],
      );
    });

    it('400 request.invalid_params and request.invalid_query for bad path and query values', async () => {
      const params = await call('/api/probe/items/abc');
      assert.equal(params.status, 400);
      assert.equal((await readJson(params)).code, 'request.invalid_params');
      const query = await call('/api/probe/items/12?page=zero');
      assert.equal(query.status, 400);
      assert.equal((await readJson(query)).code, 'request.invalid_query');
      const good = await call('/api/probe/items/12?page=3');
      assert.deepEqual(await good.json(), { id: '12', page: 3 });
    });

    it('strips from a response whatever its schema does not declare', async () => {
      const response = await postJson(
        '/api/probe/echo',
        JSON.stringify({ name: 'alice', password: 'pw-should-not-echo' }),
      );
      assert.equal(response.status, 201);
      assert.deepEqual(await response.json(), { name: 'alice' });
    });

    it('answers a bug with a generic 500 that carries the request id and no detail, and logs it once', async () => {
      const response = await call('/api/probe/bug');
      assert.equal(response.status, 500);
      const requestId = response.headers.get('x-request-id');
      const body = await readJson(response);
      assert.equal(body.code, 'internal.server_error');
      assert.deepEqual(body.data, { requestId });
      assert.doesNotMatch(JSON.stringify(body), /hunter2|stack|at /);
      const errors = t.logs.lines().filter((line) => line.level === 'error' && line.requestId === requestId);
      assert.equal(errors.length, 1);
    });
  });

  describe('OAuth errors are {error, error_description} with Cache-Control: no-store (RFC 6749 §5.2)', () => {
    it('answers an OAuth error in its own format', async () => {
      const response = await call('/oidc/probe/token', { method: 'POST' });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await response.json(), {
        error: 'invalid_grant',
        error_description: 'authorization code is invalid',
      });
    });

    it('answers a bug on the OAuth surface with server_error, not an API body', async () => {
      const response = await call('/oidc/probe/bug');
      assert.equal(response.status, 500);
      const body = await readJson(response);
      assert.equal(body.error, 'server_error');
      assert.doesNotMatch(body.error_description ?? '', /boom/);
    });
  });

  describe('logs (SPEC §1: JSON lines, a request id on every line, never a secret)', () => {
    it('writes one access line per request, with the request id, path only (no query string)', async () => {
      const response = await call('/api/probe/items/7?code=authorization-code-value&state=s');
      const requestId = response.headers.get('x-request-id');
      const lines = t.logs.lines().filter((line) => line.requestId === requestId);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.path, '/api/probe/items/7');
      assert.doesNotMatch(t.logs.text(), /authorization-code-value/);
    });

    it('redacts passwords, tokens, secrets, Authorization and cookies wherever they are logged', async () => {
      await postJson(
        '/api/probe/echo',
        JSON.stringify({ name: 'bob', password: 'correct-horse-battery-staple' }),
        {
          authorization: 'Bearer bearer-token-value',
          cookie: 'session=cookie-value',
        },
      );
      t.registry.logger.info(
        {
          req: { headers: { authorization: 'Basic basic-value', cookie: 'c=cookie-value-2' } },
          client_secret: 'client-secret-value',
          refresh_token: 'rt-value',
          nested: { access_token: 'at-value', password: 'pw-value' },
        },
        'a careless log line',
      );
      const text = t.logs.text();
      for (const secret of [
        'correct-horse-battery-staple',
        'bearer-token-value',
        'cookie-value',
        'basic-value',
        'client-secret-value',
        'rt-value',
        'at-value',
        'pw-value',
      ]) {
        assert.doesNotMatch(text, new RegExp(secret));
      }
      assert.match(text, /\[redacted\]/);
    });
  });

  describe('GET /metrics (Prometheus)', () => {
    it('exposes process metrics and request durations by route pattern', async () => {
      await call('/api/status');
      const response = await call('/metrics');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
      const text = await response.text();
      assert.match(text, /gatehouse_process_resident_memory_bytes/);
      assert.match(
        text,
        /gatehouse_http_request_duration_seconds_count\{method="GET",route="\/api\/status",status="204"\}/,
      );
    });
  });
});

describe('HTTP behind proxies and with a metrics token', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: { TRUST_PROXY: 'loopback', METRICS_TOKEN: 'metrics-token-0123456789' },
    });
  });
  after(() => t.stop());

  it('believes X-Forwarded-Proto from a trusted proxy and then sends HSTS', async () => {
    const response = await fetch(`${t.url}/api/status`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=31536000/);
  });

  it('takes the client IP from X-Forwarded-For only through a trusted proxy', async () => {
    const response = await fetch(`${t.url}/api/status`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const requestId = response.headers.get('x-request-id');
    const line = t.logs.lines().find((entry) => entry.requestId === requestId);
    assert.equal(line?.ip, '203.0.113.9');
  });

  it('refuses /metrics without the token or with a wrong one, with 401 in the API format', async () => {
    for (const authorization of [undefined, 'Bearer wrong', 'Basic bWV0cmljcw==']) {
      const response = await fetch(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(response.status, 401);
      assert.equal((await readJson(response)).code, 'auth.unauthorized');
    }
    const good = await fetch(`${t.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    assert.equal(good.status, 200);
  });
});

describe('GET /api/status when the database is down', () => {
  it('answers 503 service.unavailable, and the process keeps serving', async () => {
    // A real PostgreSQL client pointed at a port where nothing listens: every query fails to connect.
    const deadDb = await openDatabase(
      { kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 },
      captureLogs('silent').logger,
    );
    const healthy = await startTestServer();
    const registry = { ...healthy.registry, db: deadDb, health: createHealth(deadDb) };
    const { createApp } = await import('../src/http/app.ts');
    const { listen } = await import('../src/http/server.ts');
    const running = await listen(createApp(registry), {
      port: 0,
      host: '127.0.0.1',
      lifecycle: registry.lifecycle,
      logger: registry.logger,
    });
    try {
      const response = await fetch(`${running.url}/api/status`);
      assert.equal(response.status, 503);
      assert.equal((await readJson(response)).code, 'service.unavailable');
      assert.equal((await fetch(`${running.url}/api/status`)).status, 503);
    } finally {
      await running.drain(1_000);
      await deadDb.close();
      await healthy.stop();
    }
  });
});
