import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ApiClient, assertStatus, managementClient } from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import { createFirstAdmin, openConsolePage, signInToConsole } from './support/console.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The console's sign-in obeys the same rules as any app's (docs/console.md "Sign-in"): when its tokens are
 * revoked (a new password signs the administrator out everywhere), the console says the session ended and offers
 * to sign in again — it does not claim the administrator is not one.
 */

const adminName = 'session_admin';

describe("the admin console when its administrator's tokens are revoked (issue 7)", () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let adminId: string;
  const errors: string[] = [];

  before(async () => {
    t = await startTestServer();
    api = await managementClient(t);
    ({ browser, close: closeBrowser } = await launchChromium());
    adminId = (await createFirstAdmin(t, adminName)).id;
  });
  after(async () => {
    await closeBrowser?.();
    await t?.stop();
  });

  it('says the console session has ended and signs in again once the refresh token is refused', async () => {
    const page = await openConsolePage(browser, errors);
    await signInToConsole(page, t, adminName);

    // A new password revokes the administrator's grants; the cached access token runs out (removed here), so the
    // next load must use the refresh token, which the server now refuses.
    const newPassword = 'granite orchard beacon 5150';
    assertStatus(await api.patch(`/api/users/${adminId}/password`, { password: newPassword }), 200);
    await page.evaluate("localStorage.removeItem('logto:gatehouse-console:accessToken')");
    await page.reload();
    await page.getByText('Your console session has ended.').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'You are not an administrator' }).count(), 0);

    await signInToConsole(page, t, adminName, newPassword);
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor();
    // The SDK logs the refused refresh (`invalid_grant` from the token endpoint); nothing else went wrong.
    const refused = /^Logto requester error: \[status=400\] \{error: invalid_grant/;
    assert.equal(errors.filter((error) => refused.test(error)).length, 1, 'the refresh token was refused');
    assert.deepEqual(
      errors.filter((error) => !refused.test(error)),
      [],
      'no other page error or CSP violation',
    );
    await page.context().close();
  });
});
