import { randomBytes } from 'node:crypto';
import { defaultTenantId } from '../../src/db/schema.ts';
import { defineRoutes, get } from '../../src/http/routes.ts';
import type { Registry } from '../../src/registry.ts';
import { managementHeaders } from './management.ts';
import type { TestServer } from './server.ts';

/**
 * Stand-in for the hosted sign-in pages (they arrive with the users issue): `/sign-in` and `/register` finish
 * the browser's interaction for `state.accountId` through the same internal function the pages will call
 * (`registry.oidc.finishInteraction`), and redirect where oidc-provider says (303).
 */
export const signInAs = () => {
  const state: { accountId: string | undefined } = { accountId: undefined };
  const finish =
    (registry: Registry) =>
    async ({ ctx }: { ctx: import('koa').Context }) => {
      if (!state.accountId) return { status: 200, body: { page: ctx.path } };
      const to = await registry.oidc.finishInteraction(ctx.req, ctx.res, { accountId: state.accountId });
      return { status: 303, headers: { Location: to } };
    };
  const routes = defineRoutes<Registry>('', (registry) => [
    get('/sign-in', { status: [303] }, finish(registry)),
    get('/register', { status: [303] }, finish(registry)),
  ]);
  return { state, routes };
};

/** Creates an application through the Management API (SPEC §3). */
export const createApplication = async (
  t: TestServer,
  input: {
    name?: string;
    type: 'Traditional' | 'SPA' | 'Native' | 'MachineToMachine';
    redirectUris?: string[];
    postLogoutRedirectUris?: string[];
    isThirdParty?: boolean;
  },
): Promise<{ id: string; secret?: string }> => {
  const response = await fetch(`${t.url}/api/applications`, {
    method: 'POST',
    headers: { ...(await managementHeaders(t)), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: input.name ?? `${input.type} app`,
      type: input.type,
      isThirdParty: input.isThirdParty ?? false,
      oidcClientMetadata:
        input.type === 'MachineToMachine'
          ? { redirectUris: [], postLogoutRedirectUris: [] }
          : {
              redirectUris: input.redirectUris ?? [],
              postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
            },
    }),
  });
  const body = (await response.json()) as { id: string; secret?: string };
  if (response.status !== 201)
    throw new Error(`could not create application: ${response.status} ${JSON.stringify(body)}`);
  return body;
};

/** A user row (the Users API arrives with the users issue; the provider only needs the row). */
export const createUser = async (
  t: TestServer,
  fields: { username?: string; email?: string; name?: string } = {},
) => {
  const id = randomBytes(12).toString('base64url').slice(0, 16);
  await t.registry.db.kysely
    .insertInto('users')
    .values({
      tenant_id: defaultTenantId,
      id,
      username: fields.username ?? `user_${id}`,
      primary_email: fields.email ?? null,
      primary_phone: null,
      name: fields.name ?? 'Test User',
      avatar: null,
      password_hash: null,
      last_sign_in_at: null,
    })
    .execute();
  return id;
};

/**
 * A minimal browser: keeps cookies, follows redirects (GET), and stops at the first URL that starts with
 * `stopAt` (the client's redirect URI), which it returns without requesting it.
 */
export const createBrowser = () => {
  const jar = new Map<string, string>();
  const store = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (!pair || index < 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  return {
    jar,
    async fetch(url: string, init: RequestInit = {}) {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
      });
      store(response);
      return response;
    },
    /** Follows redirects from `url` until one points at `stopAt`; answers that URL (or the last response). */
    async follow(url: string, stopAt: string, maxHops = 10): Promise<{ url: string; response?: Response }> {
      let current = url;
      for (let hop = 0; hop < maxHops; hop++) {
        if (current.startsWith(stopAt)) return { url: current };
        const response = await this.fetch(current);
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
        current = new URL(location, current).toString();
      }
      throw new Error(`too many redirects from ${url}`);
    },
  };
};
