import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createRemoteJWKSet, customFetch, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { ConfigError, loadConfig } from '../src/config/load.ts';
import { isPublicAddress } from '../src/net/addresses.ts';
import {
  createOutboundFetch,
  type OutboundPolicy,
  OutboundRequestRefused,
  type ResolvedAddress,
} from '../src/net/outbound.ts';

/** A real HTTP server on 127.0.0.1 that counts the connections and requests it receives. */
type Upstream = {
  url: string;
  port: number;
  connections: number;
  requests: IncomingMessage[];
  close: () => Promise<void>;
};

const upstreams: Upstream[] = [];
after(async () => {
  await Promise.all(upstreams.map((upstream) => upstream.close()));
});

const startUpstream = async (
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Upstream> => {
  const server = createServer((request, response) => {
    upstream.requests.push(request);
    handler(request, response);
  });
  const upstream: Upstream = {
    url: '',
    port: 0,
    connections: 0,
    requests: [],
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => {
    upstream.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as AddressInfo).port;
  upstream.url = `http://127.0.0.1:${upstream.port}`;
  upstreams.push(upstream);
  return upstream;
};

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const development = (overrides: Partial<OutboundPolicy> = {}) =>
  createOutboundFetch({ allowPrivateAddresses: true, allowedHosts: [], ...overrides });
const production = (overrides: Partial<OutboundPolicy> = {}) =>
  createOutboundFetch({ allowPrivateAddresses: false, allowedHosts: [], ...overrides });

/** The refusal a promise rejects with; fails the test when it resolves or rejects with anything else. */
const refusal = async (promise: Promise<unknown>): Promise<OutboundRequestRefused> => {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      error instanceof OutboundRequestRefused,
      `expected OutboundRequestRefused, got ${String(error)}`,
    );
    return error;
  }
  assert.fail('expected the request to be refused');
};

describe('outbound requests to admin-configured URLs (SECURITY-TESTS C8)', () => {
  describe('fetch compatibility', () => {
    it('answers a JSON document as a WHATWG Response, sending User-Agent: Gatehouse and the right Host', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { issuer: 'x' }));
      const response = await development()(`${upstream.url}/.well-known/openid-configuration`);
      assert.ok(response instanceof Response);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.deepEqual(await response.json(), { issuer: 'x' });
      assert.equal(response.url, `${upstream.url}/.well-known/openid-configuration`);
      const [request] = upstream.requests;
      assert.equal(request?.headers['user-agent'], 'Gatehouse');
      assert.equal(request?.headers.host, `127.0.0.1:${upstream.port}`);
      assert.equal(request?.url, '/.well-known/openid-configuration');
    });

    it('sends a form body with its Content-Type, as fetch does (token endpoint requests)', async () => {
      const upstream = await startUpstream(async (request, response) => {
        let body = '';
        for await (const chunk of request) body += chunk;
        json(response, 200, { type: request.headers['content-type'], method: request.method, body });
      });
      const response = await development()(`${upstream.url}/token`, {
        method: 'post',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'abc' }),
        headers: { authorization: 'Basic Y2xpZW50OnNlY3JldA==' },
      });
      assert.deepEqual(await response.json(), {
        type: 'application/x-www-form-urlencoded;charset=UTF-8',
        method: 'POST',
        body: 'grant_type=authorization_code&code=abc',
      });
      assert.equal(upstream.requests[0]?.headers.authorization, 'Basic Y2xpZW50OnNlY3JldA==');
    });

    it("serves as jose's customFetch: a remote JWKS verifies an ID token", async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
      const upstream = await startUpstream((_request, response) => json(response, 200, { keys: [jwk] }));
      const jwks = createRemoteJWKSet(new URL(`${upstream.url}/jwks`), { [customFetch]: development() });
      const token = await new SignJWT({ sub: 'u1' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const { payload } = await jwtVerify(token, jwks);
      assert.equal(payload.sub, 'u1');
      assert.equal(upstream.requests.length, 1);
    });
  });

  describe('redirects', () => {
    it('follows a same-origin redirect and reports the final URL', async () => {
      const upstream = await startUpstream((request, response) => {
        if (request.url === '/old') response.writeHead(302, { location: '/new' }).end();
        else json(response, 200, { at: request.url });
      });
      const response = await development()(`${upstream.url}/old`);
      assert.deepEqual(await response.json(), { at: '/new' });
      assert.equal(response.redirected, true);
      assert.equal(response.url, `${upstream.url}/new`);
      assert.equal(upstream.requests.length, 2);
    });

    it('refuses a redirect to another host (127.0.0.1 → localhost) without requesting it', async () => {
      const upstream = await startUpstream((request, response) => {
        if (request.headers.host?.startsWith('localhost')) json(response, 200, { reached: true });
        else response.writeHead(302, { location: `http://localhost:${upstream.port}/jwks` }).end();
      });
      const refused = await refusal(development()(`${upstream.url}/jwks`));
      assert.equal(refused.code, 'outbound.redirect_not_allowed');
      assert.equal(upstream.requests.length, 1);
    });

    it('refuses a redirect to another port or scheme of the same host', async () => {
      const upstream = await startUpstream((_request, response) =>
        response.writeHead(301, { location: `https://127.0.0.1:${upstream.port}/` }).end(),
      );
      assert.equal((await refusal(development()(upstream.url))).code, 'outbound.redirect_not_allowed');
    });

    it('refuses a redirect to an internal address in production mode, even from an allowed host', async () => {
      const upstream = await startUpstream((_request, response) =>
        response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      );
      const outbound = production({ allowedHosts: ['localhost'] });
      const refused = await refusal(outbound(`http://localhost:${upstream.port}/`));
      assert.equal(refused.code, 'outbound.redirect_not_allowed');
      assert.equal(upstream.requests.length, 1);
    });

    it('stops after maxRedirects redirects', async () => {
      let hops = 0;
      const upstream = await startUpstream((_request, response) => {
        hops += 1;
        response.writeHead(302, { location: `/hop-${hops}` }).end();
      });
      const refused = await refusal(development({ maxRedirects: 2 })(upstream.url));
      assert.equal(refused.code, 'outbound.too_many_redirects');
      assert.equal(upstream.requests.length, 3);
    });

    it('returns the redirect itself when the caller asks for redirect: "manual" (as jose does)', async () => {
      const upstream = await startUpstream((_request, response) =>
        response.writeHead(302, { location: 'http://elsewhere.example/' }).end(),
      );
      const response = await development()(upstream.url, { redirect: 'manual' });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), 'http://elsewhere.example/');
      assert.equal(upstream.requests.length, 1);
    });
  });

  describe('size and time bounds', () => {
    it('refuses a body over maxBytes sent without Content-Length, without reading it to the end', async () => {
      const upstream = await startUpstream((_request, response) => {
        // Chunked, endless: only a reader that stops at the bound can finish before the timeout.
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        const pump = () => {
          while (!response.destroyed && response.write(chunk)) {}
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
      });
      const started = Date.now();
      const refused = await refusal(development({ maxBytes: 64 * 1024, timeoutMs: 5_000 })(upstream.url));
      assert.equal(refused.code, 'outbound.response_too_large');
      assert.ok(Date.now() - started < 4_000);
      assert.equal(upstream.requests[0]?.headers['content-length'], undefined);
    });

    it('refuses a declared Content-Length over maxBytes, and accepts a body of exactly maxBytes', async () => {
      const upstream = await startUpstream((request, response) => {
        response.writeHead(200, { 'content-length': request.url === '/big' ? '1025' : '1024' });
        response.end(Buffer.alloc(request.url === '/big' ? 1025 : 1024, 0x61));
      });
      const outbound = development({ maxBytes: 1024 });
      assert.equal((await refusal(outbound(`${upstream.url}/big`))).code, 'outbound.response_too_large');
      assert.equal((await (await outbound(`${upstream.url}/exact`)).arrayBuffer()).byteLength, 1024);
    });

    it('gives up on a server that accepts the connection but never answers, within timeoutMs', async () => {
      const upstream = await startUpstream(() => {});
      const started = Date.now();
      const refused = await refusal(development({ timeoutMs: 300 })(upstream.url));
      const elapsed = Date.now() - started;
      assert.equal(refused.code, 'outbound.timeout');
      assert.ok(elapsed >= 250 && elapsed < 1_500, `took ${elapsed} ms`);
    });

    it('bounds the body by the same deadline: a server that sends headers and then trickles', async () => {
      const upstream = await startUpstream((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"keys":[');
      });
      const started = Date.now();
      const refused = await refusal(development({ timeoutMs: 300 })(upstream.url));
      assert.equal(refused.code, 'outbound.timeout');
      assert.ok(Date.now() - started < 1_500);
    });

    it("stops when the caller's AbortSignal fires, with the signal's reason, as fetch does", async () => {
      const upstream = await startUpstream(() => {});
      const outbound = development({ timeoutMs: 5_000 });
      await assert.rejects(
        outbound(upstream.url, { signal: AbortSignal.timeout(100) }),
        (error: unknown) => error instanceof DOMException && error.name === 'TimeoutError',
      );
      const controller = new AbortController();
      const reason = new Error('sign-in abandoned');
      const pending = assert.rejects(
        outbound(upstream.url, { signal: controller.signal }),
        (error) => error === reason,
      );
      controller.abort(reason);
      await pending;
    });

    it('reports a closed port as unreachable, naming the host', async () => {
      const upstream = await startUpstream(() => {});
      await upstream.close();
      const refused = await refusal(development()(`${upstream.url}/`));
      assert.equal(refused.code, 'outbound.unreachable');
      assert.match(refused.message, /127\.0\.0\.1/);
    });
  });

  describe('URL rules', () => {
    for (const url of [
      'file:///etc/passwd',
      'data:application/json,{}',
      'ftp://example.com/jwks',
      'gopher://127.0.0.1:6379/_INFO',
      'javascript:alert(1)',
    ]) {
      it(`refuses ${url.split(':')[0]}: URLs`, async () => {
        assert.equal((await refusal(development()(url))).code, 'outbound.scheme_not_allowed');
      });
    }

    it('refuses credentials in the URL and never echoes the password or the query string', async () => {
      const refused = await refusal(development()('https://admin:hunter2@idp.example.com/x?token=s3cret'));
      assert.equal(refused.code, 'outbound.credentials_not_allowed');
      assert.match(refused.message, /idp\.example\.com/);
      assert.doesNotMatch(refused.message, /hunter2|s3cret|token/);
    });

    it('refuses an unparsable URL', async () => {
      assert.equal((await refusal(development()('not a url'))).code, 'outbound.invalid_url');
    });
  });

  describe('private, loopback, link-local and reserved destinations (production mode)', () => {
    it('refuses 169.254.169.254 (cloud metadata) when private addresses are not allowed', async () => {
      const refused = await refusal(production()('http://169.254.169.254/latest/meta-data/iam/?x=1'));
      assert.equal(refused.code, 'outbound.address_not_allowed');
      assert.match(refused.message, /169\.254\.169\.254/);
      assert.doesNotMatch(refused.message, /meta-data|x=1/);
    });

    const literals: Array<[string, string]> = [
      ['127.0.0.1 (loopback)', 'http://127.0.0.1/'],
      ['127.255.0.9 (all of 127/8)', 'http://127.255.0.9/'],
      ['0.0.0.0', 'http://0.0.0.0/'],
      ['0.1.2.3 (0/8)', 'http://0.1.2.3/'],
      ['10.0.0.1 (10/8)', 'http://10.0.0.1/'],
      ['172.16.0.1 (172.16/12)', 'http://172.16.0.1/'],
      ['172.31.255.254 (172.16/12)', 'http://172.31.255.254/'],
      ['192.168.1.1 (192.168/16)', 'https://192.168.1.1/'],
      ['169.254.0.1 (169.254/16)', 'http://169.254.0.1/'],
      ['100.64.0.1 (100.64/10, CGNAT)', 'http://100.64.0.1/'],
      ['100.127.255.254 (100.64/10, CGNAT)', 'http://100.127.255.254/'],
      ['224.0.0.1 (multicast)', 'http://224.0.0.1/'],
      ['255.255.255.255 (broadcast)', 'http://255.255.255.255/'],
      ['240.0.0.1 (reserved)', 'http://240.0.0.1/'],
      ['192.0.2.1 (documentation)', 'http://192.0.2.1/'],
      ['198.18.0.1 (benchmarking)', 'http://198.18.0.1/'],
      ['[::1] (IPv6 loopback)', 'http://[::1]:8080/'],
      ['[::] (unspecified)', 'http://[::]/'],
      ['[::ffff:127.0.0.1] (IPv4-mapped loopback)', 'http://[::ffff:127.0.0.1]/'],
      ['[::ffff:169.254.169.254] (IPv4-mapped metadata)', 'http://[::ffff:169.254.169.254]/'],
      ['[::ffff:10.0.0.1] (IPv4-mapped 10/8)', 'http://[::ffff:10.0.0.1]/'],
      ['[64:ff9b::a9fe:a9fe] (NAT64 of 169.254.169.254)', 'http://[64:ff9b::a9fe:a9fe]/'],
      ['[fc00::1] (fc00::/7)', 'http://[fc00::1]/'],
      ['[fd12:3456::1] (fc00::/7)', 'http://[fd12:3456::1]/'],
      ['[fe80::1] (fe80::/10)', 'http://[fe80::1]/'],
      ['[ff02::1] (multicast)', 'http://[ff02::1]/'],
      ['[2001:db8::1] (documentation)', 'http://[2001:db8::1]/'],
    ];
    for (const [what, url] of literals) {
      it(`refuses ${what}`, async () => {
        assert.equal((await refusal(production()(url))).code, 'outbound.address_not_allowed');
      });
    }

    const spellings: Array<[string, string]> = [
      ['decimal', 'http://2130706433/'],
      ['octal', 'http://0177.0.0.1/'],
      ['hex', 'http://0x7f.0.0.1/'],
      ['single hex number', 'http://0x7f000001/'],
      ['shortened', 'http://127.1/'],
    ];
    for (const [form, url] of spellings) {
      it(`refuses the ${form} form of 127.0.0.1 (${url}), which WHATWG URL parsing normalises`, async () => {
        assert.equal(new URL(url).hostname, '127.0.0.1');
        assert.equal((await refusal(production()(url))).code, 'outbound.address_not_allowed');
      });
    }

    it('normalises the IPv4-mapped IPv6 form too (::ffff:127.0.0.1 → ::ffff:7f00:1) and refuses both', () => {
      assert.equal(new URL('http://[::ffff:127.0.0.1]/').hostname, '[::ffff:7f00:1]');
      assert.equal(isPublicAddress('::ffff:7f00:1'), false);
      assert.equal(isPublicAddress('::ffff:127.0.0.1'), false);
    });

    it('classifies public unicast addresses as reachable and their neighbours as not', () => {
      for (const address of [
        '8.8.8.8',
        '1.1.1.1',
        '100.63.255.255',
        '100.128.0.0',
        '172.15.255.255',
        '172.32.0.0',
        '169.253.255.255',
        '11.0.0.1',
        '2606:4700:4700::1111',
        '::ffff:8.8.8.8',
        '64:ff9b::808:808',
      ]) {
        assert.equal(isPublicAddress(address), true, address);
      }
      for (const address of ['fe80::1%eth0', 'fec0::1', '2002:7f00:1::1', 'not-an-ip']) {
        assert.equal(isPublicAddress(address), false, address);
      }
    });

    it('refuses a host name that resolves to 127.0.0.1 (localhost) and never connects', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { secret: true }));
      const refused = await refusal(production()(`http://localhost:${upstream.port}/`));
      assert.equal(refused.code, 'outbound.address_not_allowed');
      assert.equal(upstream.connections, 0);
    });

    it('lets a host named in allowedHosts (case-insensitive) reach a private address', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { reached: true }));
      const outbound = production({ allowedHosts: ['LocalHost'] });
      const response = await outbound(`http://localhost:${upstream.port}/`);
      assert.deepEqual(await response.json(), { reached: true });
      assert.equal(upstream.requests.length, 1);
    });

    it('exempts only the listed name: 127.0.0.1 stays refused when localhost is allowed', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, {}));
      const refused = await refusal(production({ allowedHosts: ['localhost'] })(upstream.url));
      assert.equal(refused.code, 'outbound.address_not_allowed');
      assert.equal(upstream.connections, 0);
    });

    it('allows private addresses in development and test (local upstream providers on 127.0.0.1)', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { ok: 1 }));
      assert.equal((await development()(`http://localhost:${upstream.port}/`)).status, 200);
    });
  });

  describe('DNS rebinding: the address connected to is the address checked', () => {
    it('refuses a name whose answer holds a public and a private address, and never connects to the private one', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { secret: true }));
      const answers: ResolvedAddress[] = [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
      const outbound = production({ resolve: async () => answers });
      const refused = await refusal(outbound(`http://rebind.example:${upstream.port}/`));
      assert.equal(refused.code, 'outbound.address_not_allowed');
      assert.match(refused.message, /rebind\.example/);
      assert.equal(upstream.connections, 0);
    });

    it('resolves once per connection: a later answer of 127.0.0.1 is never connected to', async () => {
      const upstream = await startUpstream((_request, response) => json(response, 200, { secret: true }));
      const calls: string[] = [];
      // The classic rebinding server: a public address for the first lookup (the check), 127.0.0.1 afterwards.
      const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
        calls.push(hostname);
        return calls.length === 1
          ? [{ address: '2606:4700:4700::1111', family: 6 }]
          : [{ address: '127.0.0.1', family: 4 }];
      };
      const outbound = production({ resolve, timeoutMs: 500 });
      // Whatever the public address answers (if anything, in this sandbox), it is not the internal server.
      const outcome = await outbound(`http://rebind.example:${upstream.port}/`).then(
        (response) => response.text(),
        (error: unknown) => error,
      );
      assert.deepEqual(calls, ['rebind.example']);
      assert.equal(upstream.connections, 0);
      assert.notEqual(outcome, JSON.stringify({ secret: true }));
    });

    it('refuses a name that resolves to an IPv4-mapped or link-local IPv6 address', async () => {
      for (const address of ['::ffff:127.0.0.1', '::ffff:a9fe:a9fe', 'fe80::1', '::1']) {
        const outbound = production({ resolve: async () => [{ address, family: 6 }] });
        const refused = await refusal(outbound('https://idp.example.com/.well-known/jwks.json'));
        assert.equal(refused.code, 'outbound.address_not_allowed', address);
      }
    });

    it('resolves again on every hop: a same-origin redirect opens a new connection through the guarded lookup', async () => {
      const upstream = await startUpstream((request, response) => {
        if (request.url === '/start') response.writeHead(302, { location: '/next' }).end();
        else json(response, 200, { secret: true });
      });
      let lookups = 0;
      const resolve = async (): Promise<ResolvedAddress[]> => {
        lookups += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      };
      const outbound = createOutboundFetch({ allowPrivateAddresses: true, allowedHosts: [], resolve });
      await outbound(`http://rebind.example:${upstream.port}/start`);
      assert.equal(lookups, 2);
      assert.equal(upstream.connections, 2);
    });
  });

  describe('configuration', () => {
    it('parses OUTBOUND_ALLOWED_HOSTS to a list; production refuses private addresses, development and test allow them', () => {
      const config = loadConfig({ OUTBOUND_ALLOWED_HOSTS: 'idp.internal, 10.0.0.5,[fd00::1]' });
      assert.deepEqual(config.outbound, {
        allowPrivateAddresses: true,
        allowedHosts: ['idp.internal', '10.0.0.5', '[fd00::1]'],
      });
      assert.deepEqual(loadConfig({}).outbound.allowedHosts, []);
      assert.equal(loadConfig({ NODE_ENV: 'test' }).outbound.allowPrivateAddresses, true);
      const kek = Buffer.alloc(32, 1).toString('base64');
      const productionConfig = loadConfig({ NODE_ENV: 'production', SECRET_VAULT_KEK: kek });
      assert.equal(productionConfig.outbound.allowPrivateAddresses, false);
    });

    for (const value of [
      'https://idp.internal',
      'idp.internal:8443',
      'idp.internal/path',
      'user@idp.internal',
    ]) {
      it(`refuses OUTBOUND_ALLOWED_HOSTS=${value} with one line naming the variable`, () => {
        assert.throws(
          () => loadConfig({ OUTBOUND_ALLOWED_HOSTS: value }),
          (error: unknown) =>
            error instanceof ConfigError &&
            error.lines.length === 1 &&
            /^Invalid configuration: OUTBOUND_ALLOWED_HOSTS /.test(error.lines[0] ?? ''),
        );
      });
    }
  });
});
