import type { Context, Next } from 'koa';

/** CSP for API and other non-page responses: nothing may load, nothing may frame it. */
const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * CSP for server-rendered pages (sign-in, consent, errors): own styles, scripts and images only; never framed
 * (clickjacking, SECURITY-TESTS A5); forms post only to us.
 */
export const pageCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** CSP for the few HTML pages oidc-provider renders (form_post, logout confirmation, error). */
export const oidcPageCsp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; form-action *; base-uri 'none'; frame-ancestors 'none'";

/** Marks the current response as a page: it gets the page CSP instead of the API one. */
export const usePageCsp = (ctx: Context) => ctx.set('Content-Security-Policy', pageCsp);

/** Headers every response carries. HSTS only over https (directly, or through a trusted proxy). */
export const securityHeaders = () => async (ctx: Context, next: Next) => {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Content-Security-Policy', apiCsp);
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  // API answers are about accounts and secrets: never stored by a browser or a shared cache.
  if (ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
  await next();
};
