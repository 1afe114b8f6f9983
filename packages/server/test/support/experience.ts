import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { signInExperienceTopic } from '../../src/domain/sign-in-experience/sign-in-experience.service.ts';
import { digest } from '../../src/oidc/adapter.ts';
import { type ApiClient, assertStatus, type Loose, managementClient } from './api-client.ts';
import { createApplication, createBrowser } from './oidc.ts';
import { authorizationUrl, type Client, pkcePair, redeem } from './protocol.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * Driving the hosted sign-in pages (SPEC §5) over plain HTTP, as a browser without JavaScript would: follow
 * /oidc/auth to a page, read the form's `_csrf` hidden input, POST `application/x-www-form-urlencoded`, follow
 * the 303s back to the client's redirect URI.
 *
 * Servers started here trust X-Forwarded-* from loopback (TRUST_PROXY=loopback) and every page browser presents
 * its own client address in X-Forwarded-For, so the per-IP throttle of the pages (30 POSTs a minute per path per
 * address, SECURITY-TESTS B3) limits each simulated visitor separately, exactly as it would real ones.
 */

export const redirectUri = 'https://app.example.com/callback';
export const postLogoutRedirectUri = 'https://app.example.com/signed-out';

/** A fresh documentation address (RFC 5737 / private ranges) for each simulated visitor. */
let addressCounter = 0;
export const nextAddress = () => {
  addressCounter += 1;
  const n = addressCounter + (process.pid % 1000) * 4096;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export type PageBrowser = ReturnType<typeof createPageBrowser>;

export type Page = {
  status: number;
  headers: Headers;
  html: string;
  /** The value of the form's `_csrf` hidden input, if the page has a form. */
  csrf: string | undefined;
  /** Where it was requested (after mapping ENDPOINT's origin to the test server's). */
  url: string;
  location: string | null;
};

export const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1];

/** The `value` of the input named `name`, or undefined when it has none. */
export const inputValue = (html: string, name: string) => {
  const input = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  return input ? /\bvalue="([^"]*)"/.exec(input)?.[1] : undefined;
};

export const htmlLang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];

/** The `<p class="banner error">` message, or the field errors, of a re-rendered form. */
export const errorsOf = (html: string) =>
  [...html.matchAll(/class="(?:banner error|error)"[^>]*>([^<]*)</g)].map((match) => match[1] ?? '');

/** The body with every CSRF token value replaced by a fixed mask (SECURITY-TESTS B5 comparisons). */
export const maskCsrf = (html: string) =>
  html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"');

/**
 * A cookie-keeping client (test/support/oidc.ts `createBrowser`) with its own client address and extra headers
 * on every request. ENDPOINT's origin in a Location is mapped to the test server's address, so a server whose
 * ENDPOINT names another host (https://localhost:…) can be followed too.
 */
export const createPageBrowser = (
  t: TestServer,
  options: { headers?: Record<string, string>; address?: string } = {},
) => {
  const inner = createBrowser();
  const endpoint = new URL(t.registry.config.endpoint);
  const local = new URL(t.url);
  const headers = { 'x-forwarded-for': options.address ?? nextAddress(), ...options.headers };
  const resolve = (location: string, base = t.url) => {
    const url = new URL(location, base);
    // Behind the (simulated) TLS proxy, oidc-provider builds some URLs from the request: https + our host.
    if (url.origin === endpoint.origin || url.host === local.host) {
      url.protocol = local.protocol;
      url.host = local.host;
    }
    return url.toString();
  };
  const fetchPage = async (url: string, init: RequestInit = {}) =>
    inner.fetch(resolve(url), {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
    });
  const toPage = async (response: Response, url: string): Promise<Page> => {
    const html = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      html,
      csrf: csrfOf(html),
      url,
      location: response.headers.get('location'),
    };
  };
  return {
    jar: inner.jar,
    headers,
    resolve,
    fetch: fetchPage,
    /** GET one URL (no redirect followed). */
    get: async (url: string, extra: Record<string, string> = {}) =>
      toPage(await fetchPage(url, { headers: extra }), resolve(url)),
    /** POST a form to `path`; `fields` as an object or a raw urlencoded string (repeated names, odd bodies). */
    post: async (
      path: string,
      fields: Record<string, string> | string,
      extra: Record<string, string> = {},
    ): Promise<Page> => {
      const response = await fetchPage(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
        body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
      });
      return toPage(response, resolve(path));
    },
    /**
     * Follows redirects (GET) from `location` until one leaves for the client (`stopAt`), answering that URL,
     * or until a page is answered.
     */
    follow: async (
      location: string,
      stopAt = redirectUri,
      maxHops = 10,
    ): Promise<{ url: string; page?: Page }> => {
      let current = location;
      for (let hop = 0; hop < maxHops; hop++) {
        if (current.startsWith(stopAt)) return { url: current };
        const response = await fetchPage(current);
        const next = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !next) {
          return { url: current, page: await toPage(response, resolve(current)) };
        }
        await response.body?.cancel();
        current = resolve(next, resolve(current));
      }
      throw new Error(`too many redirects from ${location}`);
    },
  };
};

export type Authorization = {
  browser: PageBrowser;
  state: string;
  verifier: string;
  /** The first hosted page the authorization request led to. */
  page: Page;
};

/**
 * Starts an authorization request (code + PKCE S256) in `browser` and follows it to the hosted page it leads
 * to (the sign-in page unless the parameters say otherwise).
 */
export const beginAuthorization = async (
  t: TestServer,
  client: Client,
  options: {
    browser?: PageBrowser;
    params?: Record<string, string | undefined>;
    headers?: Record<string, string>;
  } = {},
): Promise<Authorization> => {
  const browser = options.browser ?? createPageBrowser(t, { headers: options.headers });
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const url = authorizationUrl(t, {
    client_id: client.id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid offline_access profile email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...options.params,
  });
  const { page } = await browser.follow(url);
  assert.ok(page, 'the authorization request stops at a hosted page');
  return { browser, state, verifier, page };
};

/** Asserts a 303 (SECURITY-TESTS A5) and follows it back to the client; answers the callback's parameters. */
export const followToCallback = async (browser: PageBrowser, answer: Page) => {
  assert.equal(
    answer.status,
    303,
    `expected a 303, got ${answer.status}: ${errorsOf(answer.html).join(' | ')}`,
  );
  assert.ok(answer.location, 'a 303 has a Location');
  const returned = await browser.follow(answer.location);
  assert.ok(
    returned.url.startsWith(redirectUri),
    `ended at ${returned.url} (${returned.page?.status}) instead of the client`,
  );
  return new URL(returned.url).searchParams;
};

/** Follows a successful form POST to the client and redeems the code (the token exchange must work). */
export const finishAtClient = async (t: TestServer, client: Client, flow: Authorization, answer: Page) => {
  const params = await followToCallback(flow.browser, answer);
  assert.equal(params.get('state'), flow.state);
  assert.equal(params.get('iss'), `${t.registry.config.endpoint}/oidc`, 'RFC 9207 iss');
  const code = params.get('code');
  assert.ok(code, `a code in the callback: ${params}`);
  return redeem(t, client, code, redirectUri, flow.verifier);
};

/** The claims of a JWT (no verification: the protocol tests verify signatures). */
export const claimsOf = (jwt: string | undefined): Record<string, unknown> => {
  assert.ok(jwt, 'a JWT');
  const [, payload = ''] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
};

/** Signs in with a password on the sign-in page of `flow` (the page must be the sign-in form). */
export const submitSignIn = (flow: Authorization, identifier: string, password: string, page = flow.page) =>
  flow.browser.post('/sign-in', { _csrf: page.csrf ?? '', identifier, password });

const outbox = async (api: ApiClient, to: string) => {
  const response = await api.get(`/api/outbox?to=${encodeURIComponent(to)}`);
  assertStatus(response, 200);
  return response.body as Array<{ text: string }>;
};

/**
 * Waits until at least `count` messages to `to` are in the development outbox (sign-in and reset codes are sent
 * after the answer, SECURITY-TESTS B5) and answers them, newest first.
 */
export const waitForOutbox = async (api: ApiClient, to: string, count = 1, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await outbox(api, to);
    if (messages.length >= count) return messages;
    assert.ok(Date.now() < deadline, `${count} message(s) to ${to} in the outbox, found ${messages.length}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** The newest six-digit code mailed to `to` (the development outbox, docs/sign-in-experience.md). */
export const latestCode = async (api: ApiClient, to: string, { nth = 1 }: { nth?: number } = {}) => {
  const [message] = await waitForOutbox(api, to, nth);
  assert.ok(message, `a message to ${to} in the outbox`);
  const code = /\b(\d{6})\b/.exec(message.text)?.[1];
  assert.ok(code, `a code in ${JSON.stringify(message.text)}`);
  return code;
};

/** How many messages went to `to` so far. */
export const outboxCount = async (api: ApiClient, to: string) => (await outbox(api, to)).length;

export const uniqueName = (prefix = 'user') => `${prefix}_${randomBytes(5).toString('hex')}`;

/** A user with a password, through the Management API. */
export const createUserWithPassword = async (
  api: ApiClient,
  input: { username?: string; primaryEmail?: string; password: string },
): Promise<{ id: string; username: string | null; primaryEmail: string | null }> => {
  const response = await api.post('/api/users', input);
  assertStatus(response, 201);
  return response.body as Loose;
};

export const setSignInExperience = async (t: TestServer, api: ApiClient, body: unknown) => {
  const response = await api.patch('/api/sign-in-exp', body);
  assertStatus(response, 200);
  // Every instance drops its cached copy on change; make sure this one has before the next page renders.
  await t.registry.changes.publish({ topic: signInExperienceTopic });
};

export const resetSignInExperience = async (t: TestServer) => {
  await t.registry.db.kysely.deleteFrom('sign_in_experiences').execute();
  await t.registry.changes.publish({ topic: signInExperienceTopic });
};

/** Email sign-in with a password or a code, and email sign-up with a verification code (and a password). */
export const emailSettings = {
  signIn: {
    methods: [
      { identifier: 'username', password: true, verificationCode: false, isPasswordPrimary: true },
      { identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: true },
    ],
  },
  signUp: { identifiers: ['email'], password: true, verify: true },
};

export type ExperienceHarness = {
  t: TestServer;
  api: ApiClient;
  /** A first-party Traditional app. */
  app: Client;
  stop(): Promise<void>;
};

/** A test server for the pages (TRUST_PROXY=loopback, see above) with a management client and a web app. */
export const startExperience = async (
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<ExperienceHarness> => {
  const t = await startTestServer({ ...options, env: { TRUST_PROXY: 'loopback', ...options.env } });
  const api = await managementClient(t);
  const created = await createApplication(t, {
    type: 'Traditional',
    name: 'Web app',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [postLogoutRedirectUri],
  });
  return { t, api, app: { id: created.id, secret: created.secret }, stop: () => t.stop() };
};

/** The lockout row of a user (SECURITY-TESTS B3), or undefined. */
export const lockoutRow = (t: TestServer, userId: string) =>
  t.registry.db.kysely
    .selectFrom('account_lockouts')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();

/** Ends a lock now, as if its time had passed (no waiting a minute). */
export const expireLock = async (t: TestServer, userId: string) => {
  const result = await t.registry.db.kysely
    .updateTable('account_lockouts')
    .set({ locked_until: sql<Date>`now() - interval '1 second'` })
    .where('user_id', '=', userId)
    .executeTakeFirst();
  assert.equal(result.numUpdatedRows, 1n, 'a lockout row');
};

/** Moves the live codes sent to `email` past their expiry. */
export const expireCodes = async (t: TestServer, email: string) => {
  const result = await t.registry.db.kysely
    .updateTable('verification_codes')
    .set({ expires_at: sql<Date>`now() - interval '1 second'` })
    .where('identifier', '=', email)
    .executeTakeFirst();
  assert.ok(result.numUpdatedRows >= 1n, `a code row for ${email}`);
};

/** Forgets the per-address send limits of codes (one a minute), so a test can ask for another code now. */
export const allowAnotherCode = async (t: TestServer, email: string) => {
  await sql`update verification_codes set created_at = created_at - interval '2 minutes'
    where identifier = ${email}`.execute(t.registry.db.kysely);
};

/** Moves a session's login time back by `seconds` (the session named by the browser's session cookie). */
export const backdateSessionLogin = async (t: TestServer, sessionId: string, seconds: number) => {
  const result = await sql`
    update oidc_model_instances
    set payload = jsonb_set(payload::jsonb, '{loginTs}', to_jsonb((payload->>'loginTs')::int - ${seconds}::int))
    where model_name = 'Session' and id = ${digest(sessionId)}`.execute(t.registry.db.kysely);
  assert.equal(result.numAffectedRows, 1n, 'a session row for that cookie');
};

export const sessionCookieName = (t: TestServer) =>
  t.registry.config.endpoint.startsWith('https:') ? '__Host-gh_session' : 'gh_session';

/** Headers of a response without those that differ on every request (SECURITY-TESTS B5 comparisons). */
export const comparableHeaders = (headers: Headers) => {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name === 'date' || name === 'x-request-id') continue;
    if (name === 'set-cookie') {
      kept[name] = headers
        .getSetCookie()
        .map((cookie) => cookie.replace(/=[^;]*/, '=…'))
        .join('\n');
      continue;
    }
    kept[name] = value;
  }
  return kept;
};

export type TimedRequest = { url: string; headers: Record<string, string>; body: string };

/**
 * Sends form POSTs one after another from a worker thread and answers how long each took (to the end of the
 * body) and its status. The tests' server runs in this thread, and with PGlite its database does too: work the
 * server does after answering (sending a code) would hold up a client in the same thread and show up in its
 * measurements though a real, remote client never waits for it. `pauseMs` between requests lets such work end.
 */
export const timeFromAnotherThread = async (
  requests: TimedRequest[],
  pauseMs = 0,
): Promise<Array<{ ms: number; status: number }>> => {
  const { Worker } = await import('node:worker_threads');
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const results = [];
      for (const request of workerData.requests) {
        const started = performance.now();
        const response = await fetch(request.url, {
          method: 'POST', redirect: 'manual', headers: request.headers, body: request.body,
        });
        await response.text();
        results.push({ ms: performance.now() - started, status: response.status });
        if (workerData.pauseMs) await new Promise((resolve) => setTimeout(resolve, workerData.pauseMs));
      }
      parentPort.postMessage(results);
    })().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
  `;
  const worker = new Worker(source, { eval: true, workerData: { requests, pauseMs } });
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!Array.isArray(answer)) throw new Error(`timing worker failed: ${JSON.stringify(answer)}`);
    return answer as Array<{ ms: number; status: number }>;
  } finally {
    await worker.terminate();
  }
};

/** The Cookie header a page browser sends now. */
export const cookieHeader = (browser: PageBrowser) =>
  [...browser.jar].map(([name, value]) => `${name}=${value}`).join('; ');
