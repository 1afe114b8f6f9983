import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { createRouter } from '../http/routes.ts';
import type { Registry } from '../registry.ts';
import { consoleApiRoutes } from './first-admin.ts';

/** Where `npm run build -w @gatehouse/console` writes the app (scripts/build-console.mjs keeps it fresh). */
export const defaultConsoleDist = path.resolve(import.meta.dirname, '../../../console/dist');

/**
 * The console page's CSP: its own scripts, styles and API calls only (Vite emits no inline script or style),
 * never framed.
 */
export const consoleCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const immutable = 'public, max-age=31536000, immutable';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const missingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse console not built</title></head>
<body><h1>The admin console is not built</h1>
<p>Build it with <code>npm run build:console</code> (or run <code>npm start</code>, which builds it when needed), then reload.</p>
</body></html>`;

/** A file of the dist folder for a request path, or undefined if it would leave the folder. */
const fileIn = (dist: string, relative: string) => {
  const file = path.resolve(dist, `.${path.posix.normalize(`/${relative}`)}`);
  return file.startsWith(dist + path.sep) ? file : undefined;
};

const isFile = async (file: string | undefined) =>
  Boolean(file && (await stat(file).catch(() => undefined))?.isFile());

/**
 * The admin console at /console (docs/console.md): hashed assets cached for a year, `index.html` never stored
 * and answered for every client route (SPA fallback), a 503 page saying how to build it when the dist folder is
 * missing; plus the console's public API (`/api/console/*`).
 */
export const createConsole = (registry: Registry, options: { dist?: string } = {}): Middleware => {
  const dist = options.dist ?? defaultConsoleDist;
  const api = createRouter(registry, [consoleApiRoutes]).routes();

  const page = async (ctx: Context) => {
    ctx.set('Content-Security-Policy', consoleCsp);
    ctx.set('Cache-Control', 'no-store');
    const index = path.join(dist, 'index.html');
    if (!existsSync(index)) {
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = missingPage;
      return;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await readFile(index);
  };

  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api/console/')) return api(ctx as Parameters<typeof api>[0], next);
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const relative = ctx.path.slice('/console/'.length);
    if (relative.startsWith('assets/')) {
      const file = fileIn(dist, relative);
      if (!file || !(await isFile(file))) return next();
      ctx.set('Cache-Control', immutable);
      ctx.type = contentTypes[path.extname(file)] ?? 'application/octet-stream';
      ctx.body = await readFile(file);
      return;
    }
    // Other files at the top of dist (favicon): revalidated, they have no hash in their name.
    const file = relative && relative !== 'index.html' ? fileIn(dist, relative) : undefined;
    if (file && path.extname(file) && (await isFile(file))) {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = contentTypes[path.extname(file)] ?? 'application/octet-stream';
      ctx.body = await readFile(file);
      return;
    }
    await page(ctx);
  };
};
