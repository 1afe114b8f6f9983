import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';

const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' });

/**
 * Parses an urlencoded form (16 kB at most) into `ctx.request.body`. A client's mistake (too large, malformed)
 * is kept in `ctx.state.formError` (its status) for the page to answer in HTML, instead of the API's JSON.
 */
export const form: Middleware = async (ctx, next) => {
  try {
    await parseForm(ctx, async () => {});
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) throw error;
    ctx.state.formError = status;
  }
  await next();
};

/** The parsed form (or an empty one). */
export const formBody = (ctx: Context): Record<string, unknown> =>
  (ctx.request as { body?: Record<string, unknown> }).body ?? {};

/** A form or query value as a string of at most `max` characters; anything else is ''. */
export const text = (value: unknown, max = 256): string =>
  typeof value === 'string' ? value.slice(0, max) : '';

export const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;
