import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../observability/logger.ts';
import type { Lifecycle } from '../registry.ts';

export type RunningServer = {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then closes what is left. */
  drain(timeoutMs: number): Promise<void>;
};

export const listen = async (
  app: Koa,
  {
    port,
    host,
    lifecycle,
    logger,
  }: { port: number; host?: string | undefined; lifecycle: Lifecycle; logger: Logger },
): Promise<RunningServer> => {
  const server = createServer(app.callback());
  // Slow-client limits: a client must send its headers within 10 s and its request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // Longer than common load balancers' idle timeouts (60 s), so they close first and never reuse a dead socket.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  const drain = async (timeoutMs: number) => {
    lifecycle.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive sockets would hold close() open; busy ones finish their request (answered with
    // `Connection: close` while draining) and are closed then.
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn({ timeoutMs }, 'shutdown timeout reached: closing the connections still open');
      server.closeAllConnections();
    }, timeoutMs);
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
      clearInterval(idleSweep);
    }
  };
  return { server, url, drain };
};
