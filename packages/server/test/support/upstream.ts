import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, {
  type Adapter,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';

/**
 * Upstream identity providers for the social connector tests (issue 5), both real HTTP servers on 127.0.0.1:
 *
 * - `startUpstream()`: a standalone oidc-provider, configured like a provider an admin would meet in the wild
 *   (PKCE required, RFC 9207 `iss` in responses, client_secret_basic / _post / _jwt, form_post), with its own
 *   login and consent pages (plain HTML forms, usable by a browser), clients registered per test, an account
 *   store, and signing-key rotation. `signInUpstream()` drives its pages over HTTP with a cookie jar.
 * - `startFakeProvider()`: a JWKS, token and userinfo endpoint whose answers each test sets, for what a correct
 *   provider never sends (forged, expired, `alg: none` ID tokens, errors, garbage, a hanging endpoint).
 */

// ---------------------------------------------------------------------------------------------------------
// Signing keys

export type SigningKey = {
  kid: string;
  alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA';
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  /** The private JWK (for oidc-provider's `jwks`). */
  privateJwk: JWK;
  /** The public JWK as published in a JWKS. */
  publicJwk: JWK;
};

export const createSigningKey = async (alg: SigningKey['alg'] = 'RS256'): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, privateJwk, publicJwk };
};

// ---------------------------------------------------------------------------------------------------------
// The real upstream: oidc-provider

export type UpstreamAccount = {
  password: string;
  /** OIDC claims other than `sub` (the account id): email, email_verified, name, picture, phone_number, … */
  claims: Record<string, unknown>;
};

export type UpstreamOptions = {
  accounts?: Record<string, UpstreamAccount>;
  clients?: ClientMetadata[];
  /** `prompt` (default): a consent page follows the login; `auto`: consent is implied (one page fewer). */
  consent?: 'prompt' | 'auto';
};

/** What the upstream received, for assertions ("the upstream saw client_secret_jwt", "PKCE was sent"). */
export type UpstreamSeen = {
  /** The query of every GET /auth. */
  authorizations: URLSearchParams[];
  tokenRequests: Array<{
    clientId: string | undefined;
    /** How the client authenticated, as the request shows it. */
    authMethod:
      | 'client_secret_basic'
      | 'client_secret_post'
      | 'client_secret_jwt'
      | 'private_key_jwt'
      | 'none';
    /** The body parameter names (sorted), never their values. */
    params: string[];
    status: number;
    /** The client_assertion's header and claims, when there was one. */
    assertion?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  }>;
  jwksHits: number;
};

export type Upstream = {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string;
  accounts: Map<string, UpstreamAccount>;
  seen: UpstreamSeen;
  /** Registers (or replaces) a client; oidc-provider validates the metadata now, so mistakes fail here. */
  registerClient(metadata: ClientMetadata): Promise<void>;
  /**
   * Adds a new signing key, which signs every ID token from now on, and answers its `kid`. The old key stays in
   * the JWKS unless `keepPrevious: false`. Sessions, codes and clients survive (the provider is rebuilt on the
   * same storage).
   */
  rotateKey(options?: { keepPrevious?: boolean; alg?: SigningKey['alg'] }): Promise<string>;
  /** The published kids, the signing one first. */
  kids(): string[];
  /** Revokes every grant of the account (and the tokens issued under them), as a provider's "remove access" does; answers how many. */
  revokeGrants(accountId: string): number;
  stop(): Promise<void>;
};

/** oidc-provider storage in a Map, one per upstream (the built-in memory adapter is shared process-wide). */
const createMemoryAdapter = () => {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry;
  };
  const findBy = (model: string, match: (payload: AdapterPayload) => boolean) => {
    for (const key of store.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const entry = live(key);
      if (entry && match(entry.payload)) return entry.payload;
    }
    return undefined;
  };
  class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      store.set(`${this.model}:${id}`, {
        payload: { ...payload },
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
      });
    }
    async find(id: string) {
      return live(`${this.model}:${id}`)?.payload;
    }
    async findByUid(uid: string) {
      return findBy(this.model, (payload) => payload.uid === uid);
    }
    async findByUserCode(userCode: string) {
      return findBy(this.model, (payload) => payload.userCode === userCode);
    }
    async consume(id: string) {
      const entry = live(`${this.model}:${id}`);
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(`${this.model}:${id}`);
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  }
  const setClient = (metadata: ClientMetadata) =>
    store.set(`Client:${metadata.client_id}`, {
      payload: { ...metadata } as AdapterPayload,
      expiresAt: undefined,
    });
  /** What a provider's "revoke access" does: the account's grants and everything issued under them are gone. */
  const revokeGrantsOf = (accountId: string) => {
    const grants = [...store]
      .filter(([key, entry]) => key.startsWith('Grant:') && entry.payload.accountId === accountId)
      .map(([key]) => key.slice('Grant:'.length));
    for (const [key, entry] of store) {
      if (entry.payload.grantId !== undefined && grants.includes(String(entry.payload.grantId)))
        store.delete(key);
    }
    for (const grantId of grants) store.delete(`Grant:${grantId}`);
    return grants.length;
  };
  return { MemoryAdapter, setClient, revokeGrantsOf };
};

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`;

const loginPage = (uid: string, error?: string) =>
  page(
    'Upstream sign-in',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Username <input name="login" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Cancel</button></form>`,
  );

const consentPage = (uid: string, clientId: string, scope: string) =>
  page(
    'Authorize',
    `<p>${escapeHtml(clientId)} asks for: ${escapeHtml(scope)}</p>
<form id="confirm" method="post" action="/interaction/${escapeHtml(uid)}/confirm"><button type="submit">Allow</button></form>
<form id="abort" method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Deny</button></form>`,
  );

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8') => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

const redirect = (res: ServerResponse, location: string) => {
  res.writeHead(303, { location, 'content-length': '0' });
  res.end();
};

const tokenAuthMethod = (
  ctx: KoaContextWithOIDC,
  body: Record<string, unknown>,
): UpstreamSeen['tokenRequests'][number]['authMethod'] => {
  if (/^basic /i.test(ctx.get('authorization'))) return 'client_secret_basic';
  if (typeof body.client_assertion === 'string') {
    try {
      return String(decodeProtectedHeader(body.client_assertion).alg).startsWith('HS')
        ? 'client_secret_jwt'
        : 'private_key_jwt';
    } catch {
      return 'none';
    }
  }
  return typeof body.client_secret === 'string' ? 'client_secret_post' : 'none';
};

/** Starts the upstream OpenID provider on a free port of 127.0.0.1. */
export const startUpstream = async (options: UpstreamOptions = {}): Promise<Upstream> => {
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const seen: UpstreamSeen = { authorizations: [], tokenRequests: [], jwksHits: 0 };
  const { MemoryAdapter, setClient, revokeGrantsOf } = createMemoryAdapter();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  let keys: SigningKey[] = [await createSigningKey()];

  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const recordTokenRequests = async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    if (ctx.path !== '/token') return;
    const body = (ctx.oidc?.body ?? {}) as Record<string, unknown>;
    const record: UpstreamSeen['tokenRequests'][number] = {
      clientId: ctx.oidc?.client?.clientId,
      authMethod: tokenAuthMethod(ctx, body),
      params: Object.keys(body).sort(),
      status: ctx.status,
    };
    if (typeof body.client_assertion === 'string') {
      record.assertion = {
        header: decodeProtectedHeader(body.client_assertion) as Record<string, unknown>,
        claims: decodeJwt(body.client_assertion) as Record<string, unknown>,
      };
    }
    seen.tokenRequests.push(record);
  };

  const build = () => {
    const configuration: Configuration = {
      adapter: MemoryAdapter,
      findAccount: (_ctx, id) => {
        const account = accounts.get(id);
        return account ? { accountId: id, claims: async () => ({ ...account.claims, sub: id }) } : undefined;
      },
      jwks: { keys: keys.map((key) => key.privateJwk) as never },
      cookies: { keys: cookieKeys },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        phone: ['phone_number', 'phone_number_verified'],
        profile: ['name', 'picture', 'given_name', 'family_name', 'locale'],
      },
      // Scope claims in the ID token too (many providers do this; the OIDC connector reads only the ID token).
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      pkce: { required: () => true },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none'],
      enabledJWA: { clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512'] },
      responseTypes: ['code'],
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 60,
        Grant: 3600,
        IdToken: 3600,
        Interaction: 600,
        Session: 3600,
      },
      loadExistingGrant: async (ctx) => {
        const grantId =
          ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        if (options.consent !== 'auto' || !ctx.oidc.session?.accountId || !ctx.oidc.client) return undefined;
        const grant = new ctx.oidc.provider.Grant({
          accountId: ctx.oidc.session.accountId,
          clientId: ctx.oidc.client.clientId,
        });
        grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
        await grant.save();
        return grant;
      },
    };
    const provider = new Provider(issuer, configuration);
    provider.use(recordTokenRequests);
    return { provider, handle: provider.callback() };
  };
  let current = build();

  const interaction = async (req: IncomingMessage, res: ServerResponse, action: string | undefined) => {
    const { provider } = current;
    const details = await provider.interactionDetails(req, res);
    const finish = async (result: Record<string, unknown>, merge: boolean) =>
      redirect(res, await provider.interactionResult(req, res, result, { mergeWithLastSubmission: merge }));
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') return send(res, 200, loginPage(details.uid));
      if (details.prompt.name === 'consent') {
        return send(
          res,
          200,
          consentPage(details.uid, String(details.params.client_id), String(details.params.scope ?? '')),
        );
      }
      return send(res, 501, page('Not implemented', `prompt ${escapeHtml(details.prompt.name)}`));
    }
    if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
    const form = new URLSearchParams(await readBody(req));
    if (action === 'abort') {
      return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
    }
    if (action === 'login' && details.prompt.name === 'login') {
      const login = form.get('login') ?? '';
      const account = accounts.get(login);
      if (!account || account.password !== form.get('password')) {
        return send(res, 200, loginPage(details.uid, 'Wrong username or password.'));
      }
      return finish({ login: { accountId: login } }, false);
    }
    if (action === 'confirm' && details.prompt.name === 'consent') {
      const { session, params, grantId } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error('grant not found');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      return finish({ consent: { grantId: await grant.save() } }, true);
    }
    return send(res, 400, page('Unexpected step', escapeHtml(`${action} during ${details.prompt.name}`)));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/jwks') seen.jwksHits += 1;
    if (url.pathname === '/auth' && req.method === 'GET')
      seen.authorizations.push(new URLSearchParams(url.search));
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (match) {
      interaction(req, res, match[2]).catch((error: unknown) => {
        if (!res.headersSent) send(res, 400, page('Sign-in failed', escapeHtml(String(error))));
      });
      return;
    }
    void current.handle(req, res);
  });

  return {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    userinfoEndpoint: `${issuer}/me`,
    accounts,
    seen,
    async registerClient(metadata) {
      await current.provider.Client.validate(metadata);
      setClient(metadata);
    },
    async rotateKey({ keepPrevious = true, alg = 'RS256' } = {}) {
      const key = await createSigningKey(alg);
      keys = keepPrevious ? [key, ...keys] : [key];
      current = build();
      return key.kid;
    },
    kids: () => keys.map((key) => key.kid),
    revokeGrants: (accountId) => revokeGrantsOf(accountId),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

// ---------------------------------------------------------------------------------------------------------
// Driving the upstream's pages over HTTP

export type CookieJar = {
  cookies: Map<string, string>;
  fetch(url: string, init?: RequestInit): Promise<Response>;
};

/** A minimal browser cookie store (names only, no paths: enough for one provider's cookies). */
export const createCookieJar = (): CookieJar => {
  const cookies = new Map<string, string>();
  return {
    cookies,
    async fetch(url, init = {}) {
      const headers = new Headers(init.headers);
      if (cookies.size > 0)
        headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const index = pair.indexOf('=');
        if (index < 0) continue;
        const name = pair.slice(0, index).trim();
        const value = pair.slice(index + 1).trim();
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
  };
};

export type UpstreamCallback = {
  /** `GET` for a query response, `POST` for `response_mode=form_post`. */
  method: 'GET' | 'POST';
  /** Where the browser would go: the redirect URI (with the query, for GET). */
  url: string;
  /** The authorization response parameters (`code`, `state`, `iss`, or `error`, …). */
  params: Record<string, string>;
};

const unescapeHtml = (value: string) =>
  value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

type HtmlForm = { id: string | undefined; action: string; inputs: Record<string, string>; fields: string[] };

const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? undefined : unescapeHtml(match[1]);
};

/** The forms of a page: id, action, hidden values and the names of the other fields. */
const readForms = (html: string, base: string): HtmlForm[] =>
  [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, tag = '', body = '']) => {
    const inputs: Record<string, string> = {};
    const fields: string[] = [];
    for (const [input] of body.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input, 'name');
      if (!name) continue;
      if (attribute(input, 'type') === 'hidden') inputs[name] = attribute(input, 'value') ?? '';
      else fields.push(name);
    }
    return {
      id: attribute(tag, 'id'),
      action: new URL(attribute(tag, 'action') ?? '', base).href,
      inputs,
      fields,
    };
  });

/**
 * Signs in at the upstream as a user would, from the authorization URL to the authorization response:
 * GET authorize → login form → POST → consent form → POST → the redirect (or form_post page) to the redirect
 * URI, which is not followed. `deny: true` presses "Cancel"/"Deny" instead (→ `error=access_denied`). Fails if
 * the login is refused.
 */
export const signInUpstream = async (
  authorizationUrl: string,
  options: { login: string; password: string; deny?: 'at-login' | 'at-consent'; jar?: CookieJar },
): Promise<UpstreamCallback> => {
  const jar = options.jar ?? createCookieJar();
  const origin = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let response = await jar.fetch(url);
  let loginAttempts = 0;
  const submit = async (form: HtmlForm, fields: Record<string, string> = {}) => {
    url = form.action;
    return jar.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.inputs, ...fields }).toString(),
    });
  };
  for (let step = 0; step < 20; step++) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== origin) {
        return { method: 'GET', url: next.href, params: Object.fromEntries(next.searchParams) };
      }
      url = next.href;
      response = await jar.fetch(url);
      continue;
    }
    const html = await response.text();
    const forms = readForms(html, url);
    const external = forms.find((form) => new URL(form.action).origin !== origin);
    if (external) return { method: 'POST', url: external.action, params: external.inputs };
    const login = forms.find((form) => form.id === 'login');
    const confirm = forms.find((form) => form.id === 'confirm');
    const abort = forms.find((form) => form.id === 'abort');
    if (login) {
      if (options.deny === 'at-login' && abort) response = await submit(abort);
      else if (++loginAttempts > 1) throw new Error('the upstream refused the login');
      else response = await submit(login, { login: options.login, password: options.password });
    } else if (confirm) {
      response = await submit(options.deny === 'at-consent' && abort ? abort : confirm);
    } else {
      throw new Error(`unexpected upstream page (${response.status} ${url}):\n${html.slice(0, 2000)}`);
    }
  }
  throw new Error('too many steps at the upstream');
};

// ---------------------------------------------------------------------------------------------------------
// The fake provider: answers set by each test

export type FakeReply =
  | { status?: number; headers?: Record<string, string>; body?: string | Record<string, unknown> }
  | 'hang';

export type FakeRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: URLSearchParams;
};

export type FakeProvider = {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string;
  /** The key that signs by default, published in the JWKS. */
  key: SigningKey;
  /** The keys served at `jwksUri` (replace to rotate). */
  published: SigningKey[];
  jwksHits: number;
  tokenRequests: FakeRequest[];
  userinfoRequests: FakeRequest[];
  /** The token endpoint's answer (default: 400 invalid_request). */
  onToken: (request: FakeRequest) => FakeReply | Promise<FakeReply>;
  /** The userinfo endpoint's answer (default: 401). */
  onUserinfo: (request: FakeRequest) => FakeReply | Promise<FakeReply>;
  /** Signs claims as an ID token: `key` (default the published one), extra `header` members. */
  sign(
    claims: Record<string, unknown>,
    options?: { key?: SigningKey; header?: Record<string, unknown> },
  ): Promise<string>;
  stop(): Promise<void>;
};

/** A provider that answers whatever the test says, on a free port of 127.0.0.1. */
export const startFakeProvider = async (): Promise<FakeProvider> => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = await createSigningKey();
  const fake: FakeProvider = {
    issuer,
    authorizationEndpoint: `${issuer}/authorize`,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    userinfoEndpoint: `${issuer}/userinfo`,
    key,
    published: [key],
    jwksHits: 0,
    tokenRequests: [],
    userinfoRequests: [],
    onToken: () => ({ status: 400, body: { error: 'invalid_request' } }),
    onUserinfo: () => ({ status: 401, body: { error: 'invalid_token' } }),
    sign: (claims, { key: signer = fake.key, header = {} } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid, ...header })
        .sign(signer.privateKey),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const reply = (res: ServerResponse, answer: FakeReply) => {
    if (answer === 'hang') return; // never answers; `stop()` closes the connection
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, {
      'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
      ...answer.headers,
    });
    res.end(body);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers,
        body: new URLSearchParams(await readBody(req)),
      };
      if (url.pathname === '/jwks') {
        fake.jwksHits += 1;
        return reply(res, { body: { keys: fake.published.map((published) => published.publicJwk) } });
      }
      if (url.pathname === '/token') {
        fake.tokenRequests.push(request);
        return reply(res, await fake.onToken(request));
      }
      if (url.pathname === '/userinfo') {
        fake.userinfoRequests.push(request);
        return reply(res, await fake.onUserinfo(request));
      }
      reply(res, { status: 404, body: { error: 'not_found' } });
    })().catch((error: unknown) => {
      if (!res.headersSent) reply(res, { status: 500, body: String(error) });
    });
  });
  return fake;
};
