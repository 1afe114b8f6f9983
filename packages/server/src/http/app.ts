import Koa from 'koa';
import { accountRoutes } from '../account/index.ts';
import { createConsole } from '../console/routes.ts';
import { defaultTenantId } from '../db/schema.ts';
import { createExperienceRouter } from '../experience/routes.ts';
import { createExperienceServices } from '../experience/wiring.ts';
import { managementRoutes } from '../management/index.ts';
import type { Registry } from '../registry.ts';
import { metricsRoutes, statusRoutes } from '../status/status.routes.ts';
import { clientIp } from './client-ip.ts';
import { accountApiCors, createAllowedOrigins } from './cors.ts';
import { errorHandler } from './error-handler.ts';
import { ApiError } from './errors.ts';
import { requestContext } from './request-context.ts';
import { createRouter, type RouteGroup } from './routes.ts';
import { oidcPageCsp, securityHeaders } from './security-headers.ts';

export type AppOptions = {
  /** Extra route groups (tests mount probes here). */
  extraRoutes?: Array<RouteGroup<Registry>>;
};

/** The HTTP application: hygiene middleware, then the routes of every surface, then a 404 in the surface's format. */
export const createApp = (registry: Registry, options: AppOptions = {}): Koa => {
  const app = new Koa();
  // Forwarded headers are already stripped from untrusted peers by clientIp(), so believing them is safe here.
  app.proxy = registry.config.trustProxy.length > 0;
  // Errors are logged once by errorHandler; Koa's own default handler would print stack traces to stderr.
  app.silent = true;
  app.keys = registry.oidc.cookieKeys;

  const router = createRouter(registry, [
    statusRoutes,
    metricsRoutes,
    ...managementRoutes,
    ...accountRoutes,
    ...(options.extraRoutes ?? []),
  ]);

  app.use(requestContext(registry));
  app.use(clientIp(registry.config.trustProxy));
  app.use(securityHeaders());
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // While draining, every answer (also to requests that began before) closes its connection, so clients
      // reconnect to another instance instead of reusing this one.
      if (registry.lifecycle.draining) ctx.set('Connection', 'close');
    }
  });
  // Outside the error handler, so an error answer carries the CORS headers too (a browser app can read its 401).
  app.use(
    accountApiCors(
      createAllowedOrigins({ db: registry.db.kysely, tenantId: defaultTenantId, changes: registry.changes }),
    ),
  );
  app.use(errorHandler());
  app.use(async (ctx, next) => {
    if (ctx.path !== '/oidc' && !ctx.path.startsWith('/oidc/')) return next();
    await registry.oidc.middleware(ctx, next);
    // Pages oidc-provider renders itself (form_post auto-submit, logout confirmation, errors) carry an inline
    // script and post to the client: allow exactly that, never framing.
    // Our own pages rendered inside it (the logout ones) keep the page CSP they set.
    if (ctx.response.is('html') && !ctx.state.ownPage) ctx.set('Content-Security-Policy', oidcPageCsp);
  });
  app.use(createConsole(registry));
  app.use(router.routes());
  const experience = createExperienceRouter(registry, createExperienceServices(registry));
  app.use(experience.routes());
  app.use((ctx) => {
    // A path that exists under other methods: 405 with the methods it does allow (RFC 9110 §15.5.6).
    const allowed = new Set(
      [router, experience].flatMap((candidate) =>
        candidate.match(ctx.path, ctx.method).path.flatMap((layer) => layer.methods),
      ),
    );
    if (allowed.size > 0) {
      throw new ApiError(
        'request.method_not_allowed',
        { method: ctx.method, path: ctx.path },
        { Allow: [...allowed].join(', ') },
      );
    }
    if (ctx.path === '/api' || ctx.path.startsWith('/api/')) {
      throw new ApiError('request.not_found', { method: ctx.method, path: ctx.path });
    }
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'Not Found';
  });
  return app;
};
