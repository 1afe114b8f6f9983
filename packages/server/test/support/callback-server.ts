import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The app's side of a sign-in on 127.0.0.1: answers 200 "callback" to anything and remembers the URLs it received. */
export const startCallbackServer = async () => {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('callback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

export type CallbackServer = Awaited<ReturnType<typeof startCallbackServer>>;
