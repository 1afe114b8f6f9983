import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { managementApi } from '../../src/db/schema.ts';
import { createApplication, createBrowser, createUser, type signInAs } from './oidc.ts';
import { authorize, type Client, createResource, manage, redeem, tokenRequest } from './protocol.ts';
import type { TestServer } from './server.ts';

/**
 * Access tokens for the Management API's refusal matrix (SECURITY-TESTS A15) and its dedicated scopes: a user's
 * token, a machine token for another API, a Management API token without the right scope, and machine apps
 * given a role with chosen Management API scopes (how an admin grants `identity-tokens:read`, docs/decisions/0014).
 */

/** A machine-to-machine app with a `MachineToMachine` role carrying these Management API scope ids (none: no role). */
export const machineApp = async (t: TestServer, scopeIds: string[]): Promise<Client> => {
  const app = await createApplication(t, {
    type: 'MachineToMachine',
    name: `m2m ${randomBytes(3).toString('hex')}`,
  });
  if (scopeIds.length > 0) {
    const role = await manage(t, 'POST', '/api/roles', {
      name: `role ${randomBytes(4).toString('hex')}`,
      description: 'Management API scopes for a test app',
      type: 'MachineToMachine',
      scopeIds,
    });
    await manage(t, 'POST', `/api/applications/${app.id}/roles`, { roleIds: [role.id] });
  }
  return { id: app.id, secret: app.secret };
};

/** A client credentials token of `app` for the Management API, asking for `scope`; asserts what was granted. */
export const managementTokenOf = async (t: TestServer, app: Client, scope: string, granted = scope) => {
  const response = await tokenRequest(t, app, {
    grant_type: 'client_credentials',
    resource: managementApi.indicator,
    scope,
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const token = String(response.body.access_token);
  assert.equal(decodeJwt(token).scope, granted, `granted "${decodeJwt(token).scope}", expected "${granted}"`);
  return token;
};

export type RefusedTokens = {
  /** A user's opaque access token (for /oidc/me). */
  user: string;
  /** A valid machine JWT for another API resource. */
  otherResource: string;
  /** A valid Management API JWT with no scope (a machine app without a role). */
  noScope: string;
};

/**
 * The tokens every Management API route must refuse: 401 for the first two, 403 `auth.insufficient_scope` for
 * `noScope`. `signIn` is the sign-in stand-in mounted on `t` (test/support/oidc.ts), for the user's token.
 */
export const refusedTokens = async (
  t: TestServer,
  signIn: ReturnType<typeof signInAs>,
): Promise<RefusedTokens> => {
  const callback = 'https://app.example.com/callback';
  const web = await createApplication(t, { type: 'Traditional', redirectUris: [callback] });
  signIn.state.accountId = await createUser(t);
  const { code, verifier } = await authorize(t, createBrowser(), web, {
    redirectUri: callback,
    scope: 'openid',
  });
  const user = (await redeem(t, web, code, callback, verifier)).access_token;

  const api = await createResource(t, ['read']);
  const other = await tokenRequest(t, await machineApp(t, []), {
    grant_type: 'client_credentials',
    resource: api.indicator,
  });
  assert.equal(other.status, 200, JSON.stringify(other.body));

  const noScope = await managementTokenOf(t, await machineApp(t, []), managementApi.scope, '');
  return { user, otherResource: String(other.body.access_token), noScope };
};
