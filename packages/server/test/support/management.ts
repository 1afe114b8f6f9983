import { managementApi } from '../../src/db/schema.ts';
import { type TestServer, testAdminClient } from './server.ts';

const tokens = new WeakMap<TestServer, Promise<string>>();

/** A real client_credentials token of the bootstrap app for the Management API (SPEC §4). */
export const managementToken = (t: TestServer): Promise<string> => {
  let token = tokens.get(t);
  if (!token) {
    token = (async () => {
      const response = await fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${testAdminClient.id}:${testAdminClient.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: managementApi.indicator,
          scope: managementApi.scope,
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (response.status !== 200 || !body.access_token) {
        throw new Error(`could not get a management token: ${response.status} ${JSON.stringify(body)}`);
      }
      return body.access_token;
    })();
    tokens.set(t, token);
  }
  return token;
};

export const managementHeaders = async (t: TestServer): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await managementToken(t)}`,
});
