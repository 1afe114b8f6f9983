import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { type Logger, requestScope } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/**
 * Gives every request an id (in `X-Request-Id` and on every log line written while serving it), logs one
 * access line when it ends, and records its duration. Only the path is logged, never the query string:
 * authorization responses and callbacks carry codes and tokens there.
 */
export const requestContext =
  ({ logger, metrics }: { logger: Logger; metrics: Metrics }) =>
  (ctx: Context, next: Next) => {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    ctx.state.log = logger;
    ctx.set('X-Request-Id', requestId);
    return requestScope.run({ requestId }, async () => {
      try {
        await next();
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        metrics.httpDuration.observe(
          { method: ctx.method, route: String(route), status: String(ctx.status) },
          seconds,
        );
        logger.info(
          {
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            durationMs: Math.round(seconds * 1e4) / 10,
            ip: ctx.state.clientIp,
          },
          'request',
        );
      }
    });
  };
