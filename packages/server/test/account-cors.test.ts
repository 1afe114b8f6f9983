import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { allFieldsEditable, setAccountCenter, signedInUser } from './support/account.ts';
import { assertStatus } from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import { type ExperienceHarness, startExperience } from './support/experience.ts';
import { createApplication } from './support/oidc.ts';

/** A page origin of our own on 127.0.0.1 (each port is another origin), serving an empty page. */
const startOriginServer = async () => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title>');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

describe('CORS for the Account API: browser apps on their registered origins, no one else (issue 6)', () => {
  let h: ExperienceHarness;
  const app = 'https://app.example.com'; // the harness app's redirect URI origin
  before(async () => {
    h = await startExperience();
    await setAccountCenter(h.api, { enabled: true, fields: allFieldsEditable });
  });
  after(() => h.stop());

  const preflight = (origin: string, path = '/api/my-account') =>
    fetch(`${h.t.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type, logto-verification-id',
      },
    });

  it("answers a preflight from a first-party app's redirect origin: the methods and headers the API needs, never credentials", async () => {
    const response = await preflight(app);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), app);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /Logto-Verification-Id/i);
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    assert.match(response.headers.get('vary') ?? '', /Origin/);
    const verifications = await preflight(app, '/api/verifications/password');
    assert.equal(verifications.headers.get('access-control-allow-origin'), app);
  });

  it('gives another origin, or a third-party app’s origin, no CORS headers (the browser then sends nothing)', async () => {
    const stranger = await preflight('https://evil.example');
    assert.equal(stranger.status, 204);
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    await createApplication(h.t, {
      type: 'SPA',
      name: 'Someone else',
      redirectUris: ['https://third-party.example/callback'],
      isThirdParty: true,
    });
    const thirdParty = await preflight('https://third-party.example');
    assert.equal(thirdParty.headers.get('access-control-allow-origin'), null);
    const nullOrigin = await preflight('null');
    assert.equal(nullOrigin.headers.get('access-control-allow-origin'), null);
  });

  it('marks the real answers too, errors included (a browser app can read its 401)', async () => {
    const user = await signedInUser(h);
    const ok = await fetch(`${h.t.url}/api/my-account`, {
      headers: { origin: app, authorization: `Bearer ${user.accessToken}` },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), app);
    const denied = await fetch(`${h.t.url}/api/my-account`, { headers: { origin: app } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('access-control-allow-origin'), app);
    assert.match(denied.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
    const management = await fetch(`${h.t.url}/api/users`, { headers: { origin: app } });
    assert.equal(
      management.headers.get('access-control-allow-origin'),
      null,
      'the Management API has no CORS',
    );
  });

  it('customClientMetadata.corsAllowedOrigins adds origins, at once on change; anything but a bare origin is refused', async () => {
    const extra = 'https://account.example.com';
    assert.equal((await preflight(extra)).headers.get('access-control-allow-origin'), null);
    const patched = await h.api.patch(`/api/applications/${h.app.id}`, {
      customClientMetadata: { corsAllowedOrigins: [extra] },
    });
    assertStatus(patched, 200);
    assert.equal((await preflight(extra)).headers.get('access-control-allow-origin'), extra);
    const bad = await h.api.patch(`/api/applications/${h.app.id}`, {
      customClientMetadata: { corsAllowedOrigins: ['https://account.example.com/path'] },
    });
    assertStatus(bad, 400);
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let close: () => Promise<void>;
    let allowed: Awaited<ReturnType<typeof startOriginServer>>;
    let other: Awaited<ReturnType<typeof startOriginServer>>;
    before(async () => {
      ({ browser, close } = await launchChromium());
      [allowed, other] = await Promise.all([startOriginServer(), startOriginServer()]);
      assertStatus(
        await h.api.patch(`/api/applications/${h.app.id}`, {
          customClientMetadata: { corsAllowedOrigins: [allowed.origin] },
        }),
        200,
      );
    });
    after(async () => {
      await close?.();
      await allowed?.close();
      await other?.close();
    });

    /** fetch() from a page on `origin` (a real cross-origin request, preflight and all). */
    const fetchFrom = async (origin: string, url: string, token: string) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(origin);
        return await page.evaluate(
          async ({ url, token }) => {
            try {
              const response = await fetch(url, {
                method: 'PATCH',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ name: 'Named from the browser' }),
              });
              return { status: response.status, body: await response.json() };
            } catch (error) {
              return { error: String(error) };
            }
          },
          { url, token },
        );
      } finally {
        await context.close();
      }
    };

    it('a page on an allowed origin updates the account with the bearer token; a page elsewhere is stopped by the browser', async () => {
      const user = await signedInUser(h);
      const fromAllowed = await fetchFrom(allowed.origin, `${h.t.url}/api/my-account`, user.accessToken);
      assert.equal(fromAllowed.status, 200, JSON.stringify(fromAllowed));
      assert.equal((fromAllowed.body as { name?: string }).name, 'Named from the browser');
      const fromOther = await fetchFrom(other.origin, `${h.t.url}/api/my-account`, user.accessToken);
      assert.match(String(fromOther.error), /TypeError|Failed to fetch/, JSON.stringify(fromOther));
    });
  });
});
