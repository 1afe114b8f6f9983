import { it } from 'node:test';
import { managementHeaders } from './support/management.ts';
import { startTestServer } from './support/server.ts';

it('smoke', async () => {
  const t = await startTestServer();
  try {
    const h = { ...(await managementHeaders(t)), 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${t.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      console.log(method, path, r.status, r.headers.get('total-number'), (await r.text()).slice(0, 400));
    };
    await call('GET', '/api/applications');
    await call('GET', '/api/applications/');
    await call('POST', '/api/applications', { name: 'x', type: 'Traditional', oidcClientMetadata: { redirectUris: ['https://a.example/cb'], postLogoutRedirectUris: [] } });
    await call('GET', '/api/resources');
    await call('GET', '/api/roles');
    await call('GET', '/api/roles/management-api-access/scopes');
    await call('GET', '/api/roles/management-api-access/applications');
    const r = await fetch(`${t.url}/api/swagger.json`);
    console.log(r.status, (await r.text()).slice(0, 1500));
  } finally {
    await t.stop();
  }
});
