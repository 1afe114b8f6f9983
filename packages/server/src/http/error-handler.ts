import type { ApiErrorBody } from '@gatehouse/schemas';
import { formatApiErrorMessage } from '@gatehouse/schemas';
import type { Context, Next } from 'koa';
import { ApiError, InvalidRequest, OAuthError, ServerError } from './errors.ts';

/** Paths whose clients speak OAuth: their errors use RFC 6749 §5.2 bodies. */
const isOAuthSurface = (path: string) => path === '/oidc' || path.startsWith('/oidc/');

const sendApiError = (ctx: Context, error: ApiError) => {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers ?? {})) ctx.set(name, value);
  ctx.set('Cache-Control', 'no-store');
  const body: ApiErrorBody = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  ctx.body = body;
};

const sendOAuthError = (ctx: Context, error: OAuthError) => {
  ctx.status = error.status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  // RFC 6750 §3 / RFC 6749 §5.2: a 401 names the scheme the client should use.
  if (error.status === 401) ctx.set('WWW-Authenticate', `Bearer error="${error.error}"`);
  ctx.body = { error: error.error, error_description: error.description };
};

/**
 * Errors thrown by the framework itself (body parser, router) carry an HTTP status; they are the client's
 * mistakes and are translated into the surface's own format with a stable code.
 */
const fromHttpError = (
  error: { status: number; type?: string; message?: string },
  ctx: Context,
): ApiError => {
  const details = { method: ctx.method, path: ctx.path };
  switch (error.status) {
    case 400:
      return new ApiError(
        error.type === 'entity.parse.failed' || /json/i.test(error.message ?? '')
          ? 'request.invalid_json'
          : 'request.invalid_body',
      );
    case 404:
      return new ApiError('request.not_found', details);
    case 405:
      return new ApiError('request.method_not_allowed', details);
    case 413:
      return new ApiError('request.body_too_large');
    case 415:
      return new ApiError('request.unsupported_media_type', { expected: 'application/json' });
    default:
      return new ApiError('request.invalid_body');
  }
};

const clientHttpStatus = (
  error: unknown,
): error is { status: number; expose?: boolean; type?: string; message?: string } =>
  typeof error === 'object' &&
  error !== null &&
  'status' in error &&
  typeof error.status === 'number' &&
  error.status >= 400 &&
  error.status < 500;

/**
 * The one error handler: API errors and OAuth errors in their own formats; a client's HTTP mistake translated;
 * anything else is a bug, logged once with the request id and answered with a generic 500 that reveals nothing.
 */
export const errorHandler = () => async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof ApiError) return sendApiError(ctx, error);
    if (error instanceof OAuthError) return sendOAuthError(ctx, error);
    if (clientHttpStatus(error)) {
      if (isOAuthSurface(ctx.path))
        return sendOAuthError(
          ctx,
          new InvalidRequest(error.expose ? String(error.message) : 'invalid request'),
        );
      return sendApiError(ctx, fromHttpError(error, ctx));
    }
    const requestId = ctx.state.requestId as string;
    ctx.state.log.error({ err: error }, 'unhandled error');
    if (isOAuthSurface(ctx.path))
      return sendOAuthError(ctx, new ServerError(`an unexpected error occurred (request id ${requestId})`));
    ctx.status = 500;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      code: 'internal.server_error',
      message: formatApiErrorMessage('internal.server_error', { requestId }),
      data: { requestId },
    } satisfies ApiErrorBody;
  }
};
