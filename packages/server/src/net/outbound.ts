import { lookup as dnsLookup } from 'node:dns/promises';
import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './addresses.ts';

/**
 * The one way Gatehouse fetches a URL an administrator typed in (connector endpoints, JWKS URIs, later
 * webhooks), guarded against SSRF (SECURITY-TESTS C8, docs/decisions/0008-outbound-requests.md).
 * Fetch-compatible, so it can be handed to jose's `createRemoteJWKSet` as `[customFetch]`.
 */
export type OutboundFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export type ResolvedAddress = { address: string; family: number };
/** Resolves a host name to every address it has (`dns.promises.lookup(host, { all: true })` by default). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export type OutboundPolicy = {
  /** False in production: only globally routable unicast addresses may be reached (net/addresses.ts). */
  allowPrivateAddresses: boolean;
  /** Host names exempt from the address check (exact names, case-insensitive), e.g. an IdP on the internal network. */
  allowedHosts: string[];
  /** Bound on the whole exchange: DNS, connect, TLS, headers, every redirect and the body. Default 5 s. */
  timeoutMs?: number;
  /** Bound on a response body; a longer one is refused without being read to its end. Default 1 MiB. */
  maxBytes?: number;
  /** Same-origin redirects followed at most. Default 3. */
  maxRedirects?: number;
  /** Seam for tests (DNS rebinding); the answer is checked and then handed to the socket as is. */
  resolve?: Resolve;
};

export const outboundRefusals = {
  'outbound.invalid_url': 'the URL cannot be parsed',
  'outbound.scheme_not_allowed': 'only http: and https: URLs may be fetched',
  'outbound.credentials_not_allowed': 'the URL must not carry a user name or password',
  'outbound.address_not_allowed':
    'the host is, or resolves to, a private, loopback, link-local or reserved address',
  'outbound.redirect_not_allowed': 'it redirects to another origin (only same-origin redirects are followed)',
  'outbound.too_many_redirects': 'it redirects too many times',
  'outbound.response_too_large': 'the response body is larger than allowed',
  'outbound.timeout': 'it did not complete in time',
  'outbound.unreachable': 'the host cannot be reached',
  'outbound.invalid_response': 'the response is not valid HTTP',
} as const;

export type OutboundRefusalCode = keyof typeof outboundRefusals;

/**
 * Why an outbound request was not made or not completed. The message names the host, never the full URL, so a
 * query string or a credential in it cannot reach a log line or an API answer.
 */
export class OutboundRequestRefused extends Error {
  override readonly name = 'OutboundRequestRefused';

  constructor(
    readonly code: OutboundRefusalCode,
    readonly host: string,
    options?: ErrorOptions,
  ) {
    const subject = host ? `to ${host} ` : '';
    super(`Outbound request ${subject}refused: ${outboundRefusals[code]}.`, options);
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Fetch: these statuses have no body, and `new Response(body, …)` refuses one.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);
// Headers this client owns: the caller may not set them (`host` is derived from the URL, like fetch does).
const ownedHeaders = [
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'user-agent',
  'accept-encoding',
];

const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/** Host names as `new URL` writes them (lower case, punycode, IPv4 normalised), so `allowedHosts` matches exactly. */
const canonicalHost = (host: string) => {
  const trimmed = host.trim();
  try {
    return new URL(`http://${isIP(trimmed) === 6 ? `[${trimmed}]` : trimmed}/`).hostname;
  } catch {
    return trimmed.toLowerCase();
  }
};

const defaultResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true });

type Hop = { url: URL; method: string; headers: Record<string, string>; body: Buffer | undefined };
type Answer = { status: number; headers: Headers; body: Buffer };

export const createOutboundFetch = (policy: OutboundPolicy): OutboundFetch => {
  const timeoutMs = policy.timeoutMs ?? 5_000;
  const maxBytes = policy.maxBytes ?? 1024 * 1024;
  const maxRedirects = policy.maxRedirects ?? 3;
  const resolve = policy.resolve ?? defaultResolve;
  const allowedHosts = new Set(policy.allowedHosts.map(canonicalHost));

  const addressCheckApplies = (url: URL) => !policy.allowPrivateAddresses && !allowedHosts.has(url.hostname);

  /** Refuses a URL before any connection: scheme, credentials, and a destination written as an IP literal. */
  const checkUrl = (url: URL) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRequestRefused('outbound.scheme_not_allowed', url.hostname);
    }
    if (url.username || url.password) {
      throw new OutboundRequestRefused('outbound.credentials_not_allowed', url.hostname);
    }
    // An IP literal never reaches `lookup` (net connects to it directly), so it is checked here. WHATWG URL
    // parsing has already turned decimal, octal and hex forms (http://2130706433/) into dotted quads.
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0 && addressCheckApplies(url) && !isPublicAddress(host)) {
      throw new OutboundRequestRefused('outbound.address_not_allowed', url.hostname);
    }
  };

  /**
   * DNS rebinding: the addresses are checked in the socket's own lookup, and exactly the checked ones are handed
   * to it, so no second resolution can swap in a private address between the check and the connect. A name with
   * any refused address is refused as a whole.
   */
  const guardedLookup =
    (url: URL, onRefusal: (refusal: OutboundRequestRefused) => void): LookupFunction =>
    (hostname, options, callback) => {
      resolve(hostname).then(
        (addresses) => {
          const usable = addresses.filter((entry) => !options.family || entry.family === options.family);
          const first = usable[0];
          if (!first) {
            callback(
              Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
              '',
            );
            return;
          }
          if (addressCheckApplies(url) && !usable.every((entry) => isPublicAddress(entry.address))) {
            const refusal = new OutboundRequestRefused('outbound.address_not_allowed', url.hostname);
            onRefusal(refusal);
            callback(refusal, '');
            return;
          }
          if (options.all) callback(null, usable);
          else callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    };

  /** One request and its whole (bounded) body. Settles when `signal` aborts, whatever the peer does. */
  const exchange = async (hop: Hop, signal: AbortSignal): Promise<Answer> => {
    let refusal: OutboundRequestRefused | undefined;
    let response: IncomingMessage | undefined;
    const transport = hop.url.protocol === 'https:' ? https : http;
    const request = transport.request({
      hostname: bareHost(hop.url.hostname),
      port: hop.url.port || undefined,
      path: `${hop.url.pathname}${hop.url.search}`,
      method: hop.method,
      // Host carries the port when it is not the default; SNI (servername) is the host name, set by node:https.
      headers: { ...hop.headers, host: hop.url.host },
      // A fresh connection per request: no pooled socket from another destination, no proxy (node:http never
      // reads HTTP_PROXY / HTTPS_PROXY).
      agent: false,
      lookup: guardedLookup(hop.url, (value) => {
        refusal = value;
      }),
    });
    const abort = () => {
      request.destroy();
      response?.destroy();
    };
    signal.addEventListener('abort', abort, { once: true });
    request.on('error', (error) => response?.destroy(error));
    try {
      request.end(hop.body);
      [response] = (await once(request, 'response', { signal })) as [IncomingMessage];
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        throw new OutboundRequestRefused('outbound.response_too_large', hop.url.hostname);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        // Stop reading at the bound, also when the peer sent no Content-Length (chunked or close-delimited).
        if (size > maxBytes)
          throw new OutboundRequestRefused('outbound.response_too_large', hop.url.hostname);
        chunks.push(chunk);
      }
      const headers = new Headers();
      const raw = response.rawHeaders;
      for (let index = 0; index + 1 < raw.length; index += 2) {
        headers.append(raw[index] ?? '', raw[index + 1] ?? '');
      }
      return { status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) };
    } catch (error) {
      if (refusal) throw refusal;
      if (signal.aborted) throw signal.reason;
      if (error instanceof OutboundRequestRefused) throw error;
      throw new OutboundRequestRefused('outbound.unreachable', hop.url.hostname, { cause: error });
    } finally {
      signal.removeEventListener('abort', abort);
      abort();
    }
  };

  const toResponse = (answer: Answer, url: URL, redirected: boolean) => {
    if (answer.status < 200 || answer.status > 599) {
      throw new OutboundRequestRefused('outbound.invalid_response', url.hostname);
    }
    const response = new Response(nullBodyStatuses.has(answer.status) ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
    // As fetch reports them; a constructed Response would otherwise say "" and false.
    Object.defineProperties(response, { url: { value: url.href }, redirected: { value: redirected } });
    return response;
  };

  const requestBody = async (init: RequestInit | undefined, headers: Headers) => {
    if (init?.body === undefined || init.body === null) return undefined;
    // Response extracts any BodyInit (string, URLSearchParams, FormData, Blob, bytes, stream) the way fetch does,
    // with its default Content-Type.
    const extracted = new Response(init.body);
    const type = extracted.headers.get('content-type');
    if (type && !headers.has('content-type')) headers.set('content-type', type);
    return Buffer.from(await extracted.arrayBuffer());
  };

  return async (input, init) => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new OutboundRequestRefused('outbound.invalid_url', '');
    }
    checkUrl(url);
    const origin = url.origin;

    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new OutboundRequestRefused('outbound.timeout', url.hostname)),
      timeoutMs,
    );
    const callerSignal = init?.signal ?? undefined;
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    try {
      const headers = new Headers(init?.headers);
      for (const name of ownedHeaders) headers.delete(name);
      if (!headers.has('accept')) headers.set('accept', '*/*');
      let body = await requestBody(init, headers);
      let method = (init?.method ?? 'GET').toUpperCase();
      const fixedHeaders = {
        'user-agent': 'Gatehouse',
        // No compression: the byte bound then applies to what the caller reads (no decompression bomb).
        'accept-encoding': 'identity',
      };

      for (let redirects = 0; ; redirects += 1) {
        if (controller.signal.aborted) throw controller.signal.reason;
        const answer = await exchange(
          {
            url,
            method,
            headers: {
              ...Object.fromEntries(headers),
              ...fixedHeaders,
              ...(body ? { 'content-length': String(body.length) } : {}),
            },
            body,
          },
          controller.signal,
        );
        const location = answer.headers.get('location');
        if (!redirectStatuses.has(answer.status) || location === null || init?.redirect === 'manual') {
          return toResponse(answer, url, redirects > 0);
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new OutboundRequestRefused('outbound.redirect_not_allowed', url.hostname);
        }
        if (init?.redirect === 'error' || next.origin !== origin) {
          throw new OutboundRequestRefused('outbound.redirect_not_allowed', url.hostname);
        }
        if (redirects >= maxRedirects) {
          throw new OutboundRequestRefused('outbound.too_many_redirects', url.hostname);
        }
        checkUrl(next);
        // Fetch §4.4 HTTP-redirect fetch: 303 (and 301/302 after a POST) continue as a GET without the body.
        if (
          (answer.status === 303 && method !== 'HEAD') ||
          ([301, 302].includes(answer.status) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
          for (const name of ['content-type', 'content-encoding', 'content-language', 'content-location']) {
            headers.delete(name);
          }
        }
        url = next;
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  };
};
