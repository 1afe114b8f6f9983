import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { Config } from '../config/load.ts';
import type { ChangeBus } from '../db/changes.ts';
import type { Db } from '../db/client.ts';
import { defaultTenantId } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { Vault } from '../vault/vault.ts';
import { purgeExpired } from './adapter.ts';
import { createDirectory, type Directory, placeholderClientSecret } from './directory.ts';
import { createKeyStore, type OidcKeys, type SigningAlgorithm } from './keys.ts';
import { createProvider, type LogoutPages } from './provider.ts';

const day = 24 * 60 * 60;

/** Lifetimes (seconds); see docs/oidc.md. */
export const oidcLifetimes = {
  refreshToken: 14 * day,
  grant: 180 * day,
  /** A session not used for this long ends (Auth0's default idle timeout). */
  sessionIdle: 3 * day,
  /** However often used, a session ends this long after its sign-in (re-authentication then). */
  sessionAbsolute: 14 * day,
  /** RFC 9700 §4.14 grace for a replayed rotated refresh token (see adapter.ts). */
  refreshGrace: 10,
  /** A retired signing key stays in JWKS this long: longer than any token it signed (ID and access ≤ 24 h). */
  keyRetention: 2 * day,
};

export type Oidc = {
  issuer: string;
  /** Koa middleware serving `/oidc/*`. */
  middleware: (ctx: Context, next: Next) => Promise<unknown>;
  publicJwks: () => OidcKeys['publicJwks'];
  /**
   * Keys for signed cookies. oidc-provider is mounted into our app and uses its `ctx.cookies`, so the app's
   * `keys` must be these; the array is updated in place when keys reload.
   */
  cookieKeys: string[];
  listSigningKeys: () => Promise<
    Array<{ id: string; algorithm: string; createdAt: Date; retiredAt: Date | null }>
  >;
  /** Retires the current signing key (still published) and signs with a new one, on every instance. */
  rotateSigningKey: (algorithm?: SigningAlgorithm) => Promise<string>;
  /**
   * The hand-off from the hosted sign-in pages: finishes the pending interaction of this browser for a user
   * who has authenticated, and answers where to send the browser next (SPEC §5).
   */
  finishInteraction: (
    req: IncomingMessage,
    res: ServerResponse,
    result: { accountId: string },
  ) => Promise<string>;
  /**
   * Finishes a consent interaction: approval grants what the client asked for (OIDC scopes, and for each API
   * resource the requested scopes the user's roles grant); denial answers `access_denied` to the client.
   */
  finishConsent: (req: IncomingMessage, res: ServerResponse, input: { approve: boolean }) => Promise<string>;
  /** An application as the protocol layer sees it (name, type, third-party flag). */
  findClient: (clientId: string) => ReturnType<Directory['findClient']>;
  /** The interaction of this browser: its client, the requested parameters, the prompt. */
  interactionDetails: (
    req: IncomingMessage,
    res: ServerResponse,
  ) => ReturnType<Provider['interactionDetails']>;
  /** The hosted pages replace the built-in logout pages (the experience router calls this when mounted). */
  useLogoutPages: (pages: LogoutPages) => void;
  close: () => void;
};

/** Until the hosted pages take over: a minimal page that still needs the user's click to sign out. */
const plainLogoutPages: LogoutPages = {
  confirm: async (_ctx, form) =>
    `<!doctype html><meta charset="utf-8"><title>Sign out</title>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
  done: async () =>
    '<!doctype html><meta charset="utf-8"><title>Signed out</title><p>You are signed out.</p>',
};

export const createOidc = async (deps: {
  config: Config;
  db: Db;
  vault: Vault;
  changes: ChangeBus;
  logger: Logger;
  signingAlgorithm?: SigningAlgorithm;
}): Promise<Oidc> => {
  const { config, db, vault, changes, logger } = deps;
  const tenantId = defaultTenantId;
  const issuer = `${config.endpoint}/oidc`;
  const algorithm = deps.signingAlgorithm ?? 'ES256';
  const keyStore = createKeyStore({ vault, tenantId, retentionSeconds: oidcLifetimes.keyRetention });
  const directory = createDirectory({ db: db.kysely, tenantId, changes });
  const placeholderSecret = placeholderClientSecret();

  await keyStore.ensure(db.kysely, algorithm);

  let pages = plainLogoutPages;
  const build = async () => {
    const keys = await keyStore.load(db.kysely);
    const provider = createProvider({
      issuer,
      endpoint: config.endpoint,
      db: db.kysely,
      tenantId,
      directory,
      keys,
      placeholderSecret,
      trustProxy: config.trustProxy.length > 0,
      refreshGraceSeconds: oidcLifetimes.refreshGrace,
      refreshTokenTtl: oidcLifetimes.refreshToken,
      grantTtl: oidcLifetimes.grant,
      sessionIdleTtl: oidcLifetimes.sessionIdle,
      sessionAbsoluteTtl: oidcLifetimes.sessionAbsolute,
      logoutPages: {
        confirm: (ctx, form) => pages.confirm(ctx, form),
        done: (ctx) => pages.done(ctx),
      },
    });
    provider.on('server_error', (_ctx: unknown, error: Error) =>
      logger.error({ err: error }, 'oidc server error'),
    );
    return { keys, provider, mounted: mount('/oidc', provider as never) };
  };

  const cookieKeys: string[] = [];
  // Discovery and JWKS change only when keys or configuration reload, yet oidc-provider rebuilds them on every
  // request. Their bodies are kept per public origin (the endpoints in discovery follow the request's host) and
  // served as they are; requests with an Origin header (CORS) or a query string always go to the provider.
  const cacheablePaths = new Set(['/oidc/.well-known/openid-configuration', '/oidc/jwks']);
  const keptHeaders = ['cache-control', 'content-type'];
  let responses = new Map<string, { body: string; headers: Array<[string, string]> }>();

  let current = await build();
  cookieKeys.push(...current.keys.cookieKeys);
  const reload = async () => {
    current = await build();
    responses = new Map();
    cookieKeys.splice(0, cookieKeys.length, ...current.keys.cookieKeys);
    logger.info({ kids: current.keys.publicJwks.keys.map((key) => key.kid) }, 'oidc keys loaded');
  };
  const unsubscribe = changes.subscribe((change) => {
    if (change.topic === 'oidc_keys' || change.topic === '*') {
      reload().catch((error: unknown) => logger.error({ err: error }, 'could not reload oidc keys'));
    }
  });

  // Expired codes, tokens, sessions and interactions are deleted in the background, in small batches.
  const purgeTimer = setInterval(() => {
    purgeExpired(db.kysely).catch((error: unknown) => logger.warn({ err: error }, 'oidc purge failed'));
  }, 60_000);
  purgeTimer.unref();

  return {
    issuer,
    middleware: async (ctx, next) => {
      if (ctx.method !== 'GET' || !cacheablePaths.has(ctx.path) || ctx.querystring || ctx.get('origin')) {
        return current.mounted(ctx as never, next);
      }
      const key = `${ctx.protocol}://${ctx.host}${ctx.path}`;
      const hit = responses.get(key);
      if (hit) {
        ctx.status = 200;
        for (const [name, value] of hit.headers) ctx.set(name, value);
        ctx.body = hit.body;
        return;
      }
      const built = current;
      await built.mounted(ctx as never, next);
      if (
        ctx.status === 200 &&
        built === current &&
        responses.size < 16 &&
        ctx.body &&
        typeof ctx.body === 'object'
      ) {
        const body = JSON.stringify(ctx.body);
        ctx.body = body;
        const headers = keptHeaders.flatMap((name): Array<[string, string]> => {
          const value = ctx.response.get(name);
          return value ? [[name, value]] : [];
        });
        responses.set(key, { body, headers });
      }
    },
    publicJwks: () => current.keys.publicJwks,
    cookieKeys,
    listSigningKeys: async () =>
      (await keyStore.listSigning(db.kysely)).map((row) => ({
        id: row.id,
        algorithm: row.algorithm,
        createdAt: new Date(row.created_at),
        retiredAt: row.retired_at ? new Date(row.retired_at) : null,
      })),
    rotateSigningKey: async (nextAlgorithm = algorithm) => {
      const kid = await keyStore.rotateSigning(db.kysely, nextAlgorithm);
      await reload();
      await changes.publish({ topic: 'oidc_keys' });
      return kid;
    },
    finishInteraction: async (req, res, { accountId }) =>
      current.provider.interactionResult(
        req,
        res,
        { login: { accountId } },
        { mergeWithLastSubmission: false },
      ),
    finishConsent: async (req, res, { approve }) => {
      const { provider } = current;
      if (!approve) {
        return provider.interactionResult(
          req,
          res,
          { error: 'access_denied', error_description: 'the user denied the request' },
          { mergeWithLastSubmission: false },
        );
      }
      const details = await provider.interactionDetails(req, res);
      const accountId = details.session?.accountId;
      const clientId = String(details.params.client_id ?? '');
      if (!accountId) throw new Error('consent without a signed-in user');
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) throw new Error('grant not found');
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        const granted = await directory.grantedScopes({ userId: accountId }, indicator);
        grant.addResourceScope(indicator, scopes.filter((scope) => granted.includes(scope)).join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionResult(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    },
    findClient: (clientId) => directory.findClient(clientId),
    interactionDetails: (req, res) => current.provider.interactionDetails(req, res),
    useLogoutPages: (next) => {
      pages = next;
    },
    close: () => {
      clearInterval(purgeTimer);
      unsubscribe();
    },
  };
};
