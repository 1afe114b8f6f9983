import type { Context, Next } from 'koa';

/** CSP for API and other non-page responses: nothing may load, nothing may frame it. */
const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * CSP for server-rendered pages (sign-in, consent, errors): own styles, scripts and images only; never framed
 * (clickjacking, SECURITY-TESTS A5). `form-action` covers where a form's submission may end up, redirects
 * included (browsers enforce it along the redirect chain): our own origin plus the sources the page names,
 * i.e. the client's redirect URI after a sign-in.
 */
export const pageCsp = (formActionSources: string[] = [], imageSources: string[] = []) =>
  `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${["'self'", 'data:', 'https:', ...imageSources].join(' ')}; object-src 'none'; base-uri 'none'; form-action ${["'self'", ...formActionSources].join(' ')}; frame-ancestors 'none'`;

/** CSP for the few HTML pages oidc-provider renders (form_post, logout confirmation, error). */
export const oidcPageCsp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; form-action *; base-uri 'none'; frame-ancestors 'none'";

/** Marks the current response as a page: it gets the page CSP instead of the API one. */
export const usePageCsp = (ctx: Context, formActionSources: string[] = [], imageSources: string[] = []) =>
  ctx.set('Content-Security-Policy', pageCsp(formActionSources, imageSources));

/**
 * The CSP source for a redirect URI: its origin for http(s), its scheme for a native app's custom scheme.
 * Anything that could break out of the header (spaces, quotes, semicolons) yields nothing.
 */
export const cspSourceFor = (uri: string): string | undefined => {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  return /^[A-Za-z0-9.+\-:/[\]]+$/.test(source) ? source : undefined;
};

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
