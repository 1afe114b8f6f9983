// The reference for the OIDC scenarios: a bare oidc-provider, configured like Gatehouse's (same issuer path
// shape, ES256 signing, client credentials with a JWT access token for one resource, introspection and
// revocation on) but with the library's in-memory adapter, one static client and nothing around it: no
// database, no hygiene middleware, no logging. It runs as its own process, with the same Node flags as
// Gatehouse, so the ratio isolates what Gatehouse adds to oidc-provider per request.
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Koa from 'koa';
import mount from 'koa-mount';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const clientId = process.env.BENCH_CLIENT_ID;
const clientSecret = process.env.BENCH_CLIENT_SECRET;
if (!clientId || !clientSecret) throw new Error('BENCH_CLIENT_ID and BENCH_CLIENT_SECRET are required');

// Same shape as Gatehouse's issuer, `${ENDPOINT}/oidc`; the runner sets ENDPOINT to http://127.0.0.1:<port>.
const issuer = `${process.env.ENDPOINT ?? `http://${host}:${port}`}/oidc`;

// A fresh ES256 key per start, as Gatehouse signs with ES256 by default; its kid is the RFC 7638 thumbprint,
// like Gatehouse's, so both JWKS answers have the same shape and size.
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const privateJwk = await exportJWK(privateKey);
const signingKey = { ...privateJwk, kid: await calculateJwkThumbprint(privateJwk), alg: 'ES256', use: 'sig' };

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  // As Gatehouse's defaults: only an ES256 key exists, so ID tokens (never issued here) must name ES256 too,
  // or oidc-provider rejects the client's metadata.
  clientDefaults: {
    id_token_signed_response_alg: 'ES256',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined as never,
      getResourceServerInfo: () => ({
        scope: 'all',
        audience: 'urn:gatehouse:management',
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});

const app = new Koa();
// The runner polls GET /api/status for readiness, as it does with every target.
app.use(async (ctx, next) => {
  if (ctx.path !== '/api/status') return next();
  ctx.status = 204;
});
app.use(mount('/oidc', provider as never));

const server = app.listen(port, host);

// Close the listener and exit so the runner sees a clean stop (and `--cpu-prof` gets written).
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
