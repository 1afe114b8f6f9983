import LogtoClient from '@logto/browser';
import type { ConsoleStatus } from './api.ts';

/**
 * The console signs in like any app: the official Logto browser SDK against Gatehouse's own OIDC endpoints,
 * as the built-in SPA client (PKCE, no secret), asking for the Management API's `all` scope. The server grants
 * it only to users holding the console administrator role.
 */
export const createAuth = (status: ConsoleStatus) => {
  const client = new LogtoClient({
    endpoint: status.endpoint,
    appId: status.appId,
    resources: [status.resource],
    scopes: [status.scope],
  });
  return {
    client,
    callbackUri: `${status.endpoint}/console/callback`,
    signIn: () => client.signIn(`${status.endpoint}/console/callback`),
    signOut: () => client.signOut(`${status.endpoint}/console`),
    token: () => client.getAccessToken(status.resource),
  };
};

export type Auth = ReturnType<typeof createAuth>;
