import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../http/errors.ts';
import { defineRoutes, get, noContent, ok } from '../http/routes.ts';
import type { Registry } from '../registry.ts';

export const statusRoutes = defineRoutes('/api', ({ health, lifecycle, logger }: Registry) => [
  get(
    '/status',
    { status: [204, 503], summary: 'Readiness: 204 when the database answers, 503 otherwise.' },
    async () => {
      if (lifecycle.draining) throw new ApiError('service.shutting_down');
      try {
        await health.check();
      } catch (error) {
        logger.warn({ err: error }, 'status: database unreachable');
        throw new ApiError('service.unavailable');
      }
      return noContent();
    },
  ),
]);

const digest = (value: string) => createHash('sha256').update(value).digest();

export const metricsRoutes = defineRoutes('', ({ metrics, config }: Registry) => [
  get('/metrics', { status: [200, 401], summary: 'Prometheus metrics.' }, async ({ ctx }) => {
    if (config.metricsToken) {
      const presented = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
      // Compare digests so the comparison takes the same time whatever the lengths (timing-safe).
      if (!timingSafeEqual(digest(presented), digest(config.metricsToken))) {
        throw new ApiError('auth.unauthorized', undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
      }
    }
    const body = await metrics.registry.metrics();
    return {
      ...ok(body),
      headers: { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' },
    };
  }),
]);
