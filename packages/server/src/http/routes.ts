import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/**
 * A route is a declaration: schemas in and out, the statuses it answers, a handler of a few lines.
 * The same declarations later generate the OpenAPI document.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });

type Schemas = {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
  /** Statuses the route answers with, for the API description. */
  status: number[];
  summary?: string;
};

type Infer<S, K extends keyof Schemas> =
  S extends Record<K, infer T extends z.ZodType> ? z.infer<T> : undefined;

export type Input<S extends Schemas> = {
  body: Infer<S, 'body'>;
  query: Infer<S, 'query'>;
  params: Infer<S, 'params'>;
  ctx: Context;
};

export type RouteDefinition = {
  method: Method;
  path: string;
  schemas: Schemas;
  handler: (input: Input<Schemas>) => Promise<Reply> | Reply;
};

const route =
  (method: Method) =>
  <S extends Schemas>(
    path: string,
    schemas: S,
    handler: (input: Input<S>) => Promise<Reply> | Reply,
  ): RouteDefinition => ({
    method,
    path,
    schemas,
    handler: handler as RouteDefinition['handler'],
  });

export const get = route('get');
export const post = route('post');
export const put = route('put');
export const patch = route('patch');
export const del = route('delete');

export type Guard = (ctx: Context) => Promise<void>;

export type RouteGroup<Deps> = {
  prefix: string;
  build: (deps: Deps) => RouteDefinition[];
  /** Runs before every route of the group (authentication and authorisation); throws to refuse. */
  guard?: (deps: Deps) => Guard;
};

export const defineRoutes = <Deps>(
  prefix: string,
  build: (deps: Deps) => RouteDefinition[],
  guard?: (deps: Deps) => Guard,
): RouteGroup<Deps> => ({ prefix, build, guard });

const issuesOf = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

const validate = (
  schema: z.ZodType | undefined,
  value: unknown,
  code: 'request.invalid_body' | 'request.invalid_query' | 'request.invalid_params',
) => {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(code, { issues: issuesOf(result.error) });
  return result.data;
};

// JSON only, 1 MiB at most: enough for any Management API body, small enough to bound parsing cost.
const jsonBody = bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' });

const requireJson = async (ctx: Context, next: () => Promise<unknown>) => {
  const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
  if (hasBody && !ctx.is('application/json', '+json')) {
    throw new ApiError('request.unsupported_media_type', { expected: 'application/json' });
  }
  await next();
};

/** Builds a Koa router from route groups. */
export const createRouter = <Deps>(deps: Deps, groups: Array<RouteGroup<Deps>>): Router => {
  const router = new Router();
  for (const group of groups) {
    const guard = group.guard?.(deps);
    const guardMiddleware = guard
      ? [
          async (ctx: Context, next: () => Promise<unknown>) => {
            await guard(ctx);
            await next();
          },
        ]
      : [];
    for (const definition of group.build(deps)) {
      const { schemas, handler } = definition;
      const middlewares = [...guardMiddleware, ...(schemas.body ? [requireJson, jsonBody] : [])];
      router[definition.method](`${group.prefix}${definition.path}`, ...middlewares, async (ctx: Context) => {
        const input = {
          body: validate(
            schemas.body,
            (ctx.request as { body?: unknown }).body ?? {},
            'request.invalid_body',
          ),
          query: validate(schemas.query, ctx.query, 'request.invalid_query'),
          params: validate(schemas.params, ctx.params, 'request.invalid_params'),
          ctx,
        };
        const reply = await handler(input as Input<Schemas>);
        for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
        ctx.status = reply.status;
        if (reply.body !== undefined) {
          // The response schema strips what the client must not see (unknown keys are dropped).
          ctx.body = schemas.response ? schemas.response.parse(reply.body) : reply.body;
        }
      });
    }
  }
  return router;
};
