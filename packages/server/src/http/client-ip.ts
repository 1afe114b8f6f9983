import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import proxyAddr from 'proxy-addr';

const forwardedHeaders = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
];

/**
 * `X-Forwarded-*` is believed only from the proxies in TRUST_PROXY (SECURITY-TESTS B4). From any other peer
 * those headers are removed before anything reads them, so Koa's `ctx.secure`/`ctx.protocol` and the client
 * IP cannot be spoofed by a client talking to us directly.
 */
export const clientIp = (trustProxy: string[]) => {
  const trust = proxyAddr.compile(trustProxy);
  return (ctx: Context, next: Next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (trustProxy.length === 0 || !trust(peer, 0)) {
      for (const header of forwardedHeaders) delete ctx.req.headers[header];
      ctx.state.clientIp = peer;
    } else {
      ctx.state.clientIp = proxyAddr(ctx.req as IncomingMessage, trust);
    }
    return next();
  };
};
