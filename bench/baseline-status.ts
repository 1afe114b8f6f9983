// The floor the benchmark compares Gatehouse against: a bare node:http server that answers every
// request with 204 and no body. It runs as its own process, with the same Node flags as Gatehouse,
// so both sides pay the same runtime costs and the ratio isolates what Gatehouse adds per request.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((_request, response) => {
  response.statusCode = 204;
  response.end();
});

server.listen(port, host);

// Close the listener and exit so the runner sees a clean stop, like Gatehouse's drain on SIGTERM.
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
