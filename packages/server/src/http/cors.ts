import type { Context, Next } from 'koa';
import type { Kysely } from 'kysely';
import type { ChangeBus } from '../db/changes.ts';
import type { Database } from '../db/schema.ts';

/** The API surfaces a browser app calls directly with a user's bearer token (Logto: "front-end endpoints"). */
const browserApiPrefixes = ['/api/my-account', '/api/verifications'];

/** The origin of an http(s) URI, or undefined (custom schemes of native apps have none). */
const originOf = (uri: string) => {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
};

/**
 * The origins a browser may call the Account API from: those of the redirect URIs of first-party apps, plus each
 * app's `customClientMetadata.corsAllowedOrigins` (Logto's name). Loaded once and dropped on any application
 * change, on every instance (the change bus).
 */
export const createAllowedOrigins = ({
  db,
  tenantId,
  changes,
}: {
  db: Kysely<Database>;
  tenantId: string;
  changes: ChangeBus;
}) => {
  let cached: Promise<Set<string>> | undefined;
  changes.subscribe((change) => {
    if (change.topic === '*' || change.topic === 'applications') cached = undefined;
  });
  const load = async () => {
    const rows = await db
      .selectFrom('applications')
      .select(['oidc_client_metadata', 'custom_client_metadata'])
      .where('tenant_id', '=', tenantId)
      .where('is_third_party', '=', false)
      .execute();
    const origins = new Set<string>();
    for (const row of rows) {
      const metadata = (row.oidc_client_metadata ?? {}) as { redirectUris?: unknown };
      const custom = (row.custom_client_metadata ?? {}) as { corsAllowedOrigins?: unknown };
      for (const uri of [
        ...(Array.isArray(metadata.redirectUris) ? metadata.redirectUris : []),
        ...(Array.isArray(custom.corsAllowedOrigins) ? custom.corsAllowedOrigins : []),
      ]) {
        const origin = typeof uri === 'string' ? originOf(uri) : undefined;
        if (origin) origins.add(origin);
      }
    }
    return origins;
  };
  return {
    has: async (origin: string) => {
      cached ??= load().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return (await cached).has(origin);
    },
  };
};

export type AllowedOrigins = ReturnType<typeof createAllowedOrigins>;

/**
 * CORS for the Account API (issue 6): a single-page app on a registered origin calls `/api/my-account` with the
 * user's bearer token. Only allowed origins get `Access-Control-Allow-Origin` (the exact origin, `Vary: Origin`);
 * credentials (cookies) are never allowed, so nothing ambient goes along — the token in `Authorization` is the
 * whole authority. A preflight from another origin gets no CORS headers, so the browser never sends the request.
 */
export const accountApiCors = (origins: AllowedOrigins) => async (ctx: Context, next: Next) => {
  if (!browserApiPrefixes.some((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`))) {
    return next();
  }
  const origin = ctx.get('origin');
  ctx.vary('Origin');
  const allowed = origin !== '' && origin !== 'null' && (await origins.has(origin));
  if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
    ctx.status = 204;
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Logto-Verification-Id');
      ctx.set('Access-Control-Max-Age', '600');
    }
    return;
  }
  try {
    await next();
  } finally {
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After');
    }
  }
};
