import assert from 'node:assert/strict';
import type { TestBackend } from './db.ts';
import { managementHeaders } from './management.ts';
import { startTestServer, type TestServer } from './server.ts';

// Response bodies are checked by assertions, not by types.
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted field by field
export type Loose = any;

export type ApiResponse = { status: number; headers: Headers; body: Loose };

export type ApiClient = {
  get(path: string): Promise<ApiResponse>;
  post(path: string, body?: unknown): Promise<ApiResponse>;
  patch(path: string, body?: unknown): Promise<ApiResponse>;
  del(path: string): Promise<ApiResponse>;
  /** Any request; a string body is sent as is. */
  send(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
};

/** A Management API client holding a real management token (test/support/management.ts). */
export const managementClient = async (t: TestServer, token?: Record<string, string>): Promise<ApiClient> => {
  const auth = token ?? (await managementHeaders(t));
  const send: ApiClient['send'] = async (method, path, init = {}) => {
    const { body } = init;
    const response = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...auth,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text, the assertion will show it.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    send,
    get: (path) => send('GET', path),
    post: (path, body = {}) => send('POST', path, { body }),
    patch: (path, body = {}) => send('PATCH', path, { body }),
    del: (path) => send('DELETE', path),
  };
};

/** Asserts an API error answer (SPEC §4): the status, `{code, message}`, and no stack trace. */
export const assertApiError = (response: ApiResponse, status: number, code: string) => {
  assert.equal(
    response.status,
    status,
    `expected ${status} ${code}, got ${response.status} ${JSON.stringify(response.body)}`,
  );
  assert.equal(response.body?.code, code, JSON.stringify(response.body));
  assert.equal(typeof response.body?.message, 'string');
  assert.ok(!JSON.stringify(response.body).includes('    at '), 'no stack trace');
};

/** Asserts a success status, showing the body when it is not. */
export const assertStatus = (response: ApiResponse, status: number) =>
  assert.equal(
    response.status,
    status,
    `expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`,
  );

/** A test server over a fresh database of `backend`, with a Management API client. */
export const startManagedServer = async (backend: TestBackend) => {
  const t = await startTestServer({ db: await backend.create() });
  return { t, api: await managementClient(t) };
};
