import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  dayStart,
  filterProblems,
  filtersFromSearch,
  type LogFilters,
  searchOf,
  toApiQuery,
} from '../../console/src/logs-api.ts';
import { assertStatus, type Loose } from './support/api-client.ts';
import {
  type ConsoleHarness,
  openConsolePage,
  openScreen,
  signInToConsole,
  startConsole,
} from './support/console.ts';
import { testAdminClient } from './support/server.ts';

/**
 * The console's Audit logs screen (issue 7, "Audit logs"; docs/console.md, docs/audit-log.md) in Debian's
 * Chromium, on entries the server really wrote: a lockout lifted, a role assigned to two users, a social identity
 * linked and unlinked, all through the Management API. The list is filtered by action and by user (the filters
 * live in the URL, so a filtered view can be linked), one entry is opened, bad filters are explained, and the
 * screen (with Users) speaks Thai. The filters' plain functions (packages/console/src/logs-api.ts) are checked
 * first, without a browser.
 */

const adminName = 'log_admin';
const empty: LogFilters = { logKey: '', userId: '', applicationId: '', from: '', to: '', page: 1 };

describe("the Audit logs screen's filters (plain functions, packages/console/src/logs-api.ts)", () => {
  it('reads filters from the URL query and writes them back, leaving out empty ones and page 1', () => {
    const filters = filtersFromSearch('?logKey=user.unlocked&userId=u_1&from=2026-03-01&page=3');
    assert.deepEqual(filters, {
      ...empty,
      logKey: 'user.unlocked',
      userId: 'u_1',
      from: '2026-03-01',
      page: 3,
    });
    assert.equal(searchOf(filters), '?logKey=user.unlocked&userId=u_1&from=2026-03-01&page=3');
    assert.equal(searchOf({ ...filters, page: 1 }), '?logKey=user.unlocked&userId=u_1&from=2026-03-01');
    assert.equal(searchOf(empty), '');
    assert.equal(filtersFromSearch('?page=-2').page, 1);
    assert.equal(filtersFromSearch('?page=abc').page, 1);
  });

  it('turns whole local days into the exclusive epoch-ms bounds of GET /api/logs', () => {
    const query = toApiQuery(
      { ...empty, logKey: 'identity.linked', from: '2026-03-01', to: '2026-03-02' },
      20,
    );
    assert.equal(query.get('page'), '1');
    assert.equal(query.get('page_size'), '20');
    assert.equal(query.get('logKey'), 'identity.linked');
    assert.equal(query.get('start_time'), String(new Date(2026, 2, 1).getTime() - 1));
    assert.equal(query.get('end_time'), String(new Date(2026, 2, 3).getTime()));
    assert.equal(toApiQuery(empty, 20).toString(), 'page=1&page_size=20');
  });

  it('names what is wrong before asking the server: a day that is no date, a reversed range, a malformed id', () => {
    assert.equal(dayStart('2026-02-31'), undefined);
    assert.equal(dayStart('yesterday'), undefined);
    assert.deepEqual(filterProblems({ ...empty, from: '2026-03-01', to: '2026-03-01' }), []);
    assert.deepEqual(filterProblems({ ...empty, from: '2026-03-02', to: '2026-03-01' }), ['rangeReversed']);
    assert.deepEqual(filterProblems({ ...empty, from: 'soon', to: '2026-02-30', userId: 'a b' }), [
      'fromInvalid',
      'toInvalid',
      'userIdInvalid',
    ]);
    assert.deepEqual(filterProblems({ ...empty, applicationId: 'x'.repeat(129) }), ['appIdInvalid']);
  });
});

describe("the admin console's Audit logs screen in Chromium (issue 7)", () => {
  let c: ConsoleHarness;
  const errors: string[] = [];
  const users: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

  before(async () => {
    c = await startConsole(adminName);

    // Real entries, written by the server as it does the audited things (docs/audit-log.md, "What is logged").
    for (const name of ['alice', 'bob'] as const) {
      const created = await c.api.post('/api/users', { username: `${name}_audited` });
      assertStatus(created, 201);
      users[name] = String(created.body.id);
    }
    assertStatus(await c.api.post(`/api/users/${users.alice}/unlock`), 204); // user.unlocked
    const role = await c.api.post('/api/roles', { name: 'auditors', description: 'Audited', type: 'User' });
    assertStatus(role, 201);
    assertStatus(
      await c.api.post(`/api/roles/${role.body.id}/users`, { userIds: [users.alice, users.bob] }),
      201,
    ); // role.user_assigned, once per user
    assertStatus(
      await c.api.send('PUT', `/api/users/${users.bob}/identities/acme-social`, {
        body: { userId: 'upstream-bob', details: { email: 'bob@acme.example' } },
      }),
      201,
    ); // identity.linked
    assertStatus(await c.api.del(`/api/users/${users.bob}/identities/acme-social`), 200); // identity.unlinked
  });
  after(() => c?.stop());

  /** The API's answer for a query, to compare the page with. */
  const apiLogs = async (query = '') => {
    const response = await c.api.get(`/api/logs?page_size=100${query}`);
    assertStatus(response, 200);
    return response.body as Loose[];
  };

  const rows = (page: Page) => page.getByTestId('log-row');
  const rowKeys = async (page: Page) =>
    rows(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-key')));
  /** Waits until the list shows exactly these actions, in this order (10 s at most). */
  const keysSettled = async (page: Page, keys: string[]) => {
    let shown: Array<string | null> = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      shown = await rowKeys(page);
      if (JSON.stringify(shown) === JSON.stringify(keys)) return;
      await page.waitForTimeout(100);
    }
    assert.deepEqual(shown, keys, 'the actions listed');
  };

  it('lists the entries newest first, filters them by action and by user (in the URL), and opens one', async () => {
    const everything = await apiLogs();
    assert.ok(everything.length >= 5, `the setup wrote its entries: ${JSON.stringify(everything)}`);

    const page = await openConsolePage(c.browser, errors);
    await signInToConsole(page, c.t, adminName);
    await openScreen(page, 'Audit logs');
    // The same entries as the API, newest first.
    await keysSettled(
      page,
      everything.map((entry) => entry.key),
    );
    assert.equal((await rowKeys(page))[0], 'identity.unlinked');
    await page.getByText(`(${everything.length} entries)`).waitFor();
    // A human description next to the raw key, the actor and the user linked to their page.
    const unlocked = rows(page).filter({ hasText: 'user.unlocked' });
    await unlocked.waitFor();
    assert.match((await unlocked.locator('td').nth(1).textContent()) ?? '', /^Sign-in lockout lifted/);
    assert.match((await unlocked.textContent()) ?? '', new RegExp(`Application\\s*${testAdminClient.id}`));
    await unlocked.getByRole('link', { name: users.alice }).waitFor();
    await unlocked.getByText('Success').waitFor();

    // By action: two role assignments, and the URL carries the filter.
    await page.getByLabel('Action', { exact: true }).selectOption('role.user_assigned');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('logKey') === 'role.user_assigned');
    await keysSettled(page, ['role.user_assigned', 'role.user_assigned']);

    // By user (the action filter cleared): Alice's entries only.
    const aliceEntries = await apiLogs(`&userId=${users.alice}`);
    assert.deepEqual(aliceEntries.map((entry) => entry.key).sort(), ['role.user_assigned', 'user.unlocked']);
    await page.getByLabel('Action', { exact: true }).selectOption('');
    await page.getByLabel('User ID').fill(users.alice);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(
      (url) => url.searchParams.get('userId') === users.alice && !url.searchParams.has('logKey'),
    );
    const aliceKeys = aliceEntries.map((entry) => entry.key as string);
    await keysSettled(page, aliceKeys);

    // The browser's back and forward buttons move between the filtered views.
    await page.goBack();
    await keysSettled(page, ['role.user_assigned', 'role.user_assigned']);
    assert.equal(await page.getByLabel('Action', { exact: true }).inputValue(), 'role.user_assigned');
    await page.goForward();
    await keysSettled(page, aliceKeys);
    assert.equal(new URL(page.url()).searchParams.get('userId'), users.alice);

    // One entry: its details and its payload as JSON, the same as GET /api/logs/:id.
    const newest = aliceEntries[0];
    await rows(page).first().getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Audit log entry' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/console/logs/${newest.id}`);
    assert.equal(await page.getByTestId('log-key').textContent(), newest.key);
    const shown = JSON.parse((await page.getByTestId('log-payload').textContent()) ?? '');
    const fetched = await c.api.get(`/api/logs/${newest.id}`);
    assertStatus(fetched, 200);
    assert.deepEqual(shown, fetched.body.payload);
    assert.equal(shown.userId, users.alice);

    // Back to the list as it was filtered.
    await page.getByRole('link', { name: '← Audit logs' }).click();
    await page.waitForURL(
      (url) => url.pathname === '/console/logs' && url.searchParams.get('userId') === users.alice,
    );
    await keysSettled(page, aliceKeys);

    // A linked view: the URL alone sets the filters (and the form shows them); nothing matches here.
    await page.goto(`${c.t.url}/console/logs?logKey=user.unlocked&userId=${users.bob}`);
    await page.getByTestId('logs-empty').waitFor();
    assert.equal(await page.getByTestId('logs-empty').textContent(), 'No entry matches these filters.');
    assert.equal(await page.getByLabel('Action', { exact: true }).inputValue(), 'user.unlocked');
    assert.equal(await page.getByLabel('User ID').inputValue(), users.bob);

    // Any key can be typed ("Other key…"); a key the console does not know is shown as it is.
    await page.goto(`${c.t.url}/console/logs?logKey=identity.linked`);
    await keysSettled(page, ['identity.linked']);
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Other key…' });
    await page.getByLabel('Action key').fill('identity.unlinked');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('logKey') === 'identity.unlinked');
    await keysSettled(page, ['identity.unlinked']);
    await page.goto(`${c.t.url}/console/logs?logKey=vendor.custom_action`);
    await page.getByTestId('logs-empty').waitFor();
    assert.equal(await page.getByLabel('Action key').inputValue(), 'vendor.custom_action');

    // From a user's page: "Audit logs about this user" opens the list filtered to them.
    const bobEntries = await apiLogs(`&userId=${users.bob}`);
    await page.goto(`${c.t.url}/console/users/${users.bob}`);
    await page.getByRole('link', { name: 'Audit logs about this user' }).click();
    await page.waitForURL(
      (url) => url.pathname === '/console/logs' && url.searchParams.get('userId') === users.bob,
    );
    await keysSettled(
      page,
      bobEntries.map((entry) => entry.key),
    );

    // The top bar's "Audit logs" leaves the filtered view for the whole list.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit logs' }).click();
    await page.waitForURL((url) => url.pathname === '/console/logs' && url.search === '');
    assert.equal(await page.getByLabel('User ID').inputValue(), '');
    await keysSettled(
      page,
      (await apiLogs()).slice(0, 20).map((entry) => entry.key),
    );

    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('explains bad filters (a reversed day range, a day that is no date, a malformed id) instead of failing', async () => {
    const page = await openConsolePage(c.browser, errors, { colorScheme: 'dark' });
    await signInToConsole(page, c.t, adminName);
    await page.goto(`${c.t.url}/console/logs`);
    const all = await apiLogs();

    // Whole local days: yesterday to today holds everything, from tomorrow nothing.
    // The browser runs on this machine, in its time zone: a local day here is a local day there.
    const day = (offset: number) => {
      const date = new Date();
      date.setDate(date.getDate() + offset);
      return [date.getFullYear(), date.getMonth() + 1, date.getDate()]
        .map((part) => String(part).padStart(2, '0'))
        .join('-');
    };
    await page.getByLabel('From (day)').fill(day(-1));
    await page.getByLabel('To (day, included)').fill(day(0));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.has('to'));
    await keysSettled(
      page,
      all.map((entry) => entry.key),
    );
    await page.getByLabel('From (day)').fill(day(1));
    await page.getByLabel('To (day, included)').fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('logs-empty').waitFor();

    // A reversed range: said in the page, nothing asked of the server, the URL kept for fixing.
    await page.getByLabel('From (day)').fill('2026-03-10');
    await page.getByLabel('To (day, included)').fill('2026-03-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('from') === '2026-03-10');
    const problems = page.getByTestId('filter-problems');
    await problems.getByText('The “from” day is after the “to” day.').waitFor();
    assert.equal(await rows(page).count(), 0);

    // Typed into the URL: a day that is no date and a user id the API would refuse.
    await page.goto(`${c.t.url}/console/logs?from=yesterday&userId=${encodeURIComponent('bob smith')}`);
    await problems.getByText('The “from” day is not a date (YYYY-MM-DD).').waitFor();
    await problems.getByText(/A user ID has only letters, digits/).waitFor();

    // What only the server can refuse (a key longer than 64 characters) comes back as its error and code.
    await page.goto(`${c.t.url}/console/logs?logKey=${'k'.repeat(65)}`);
    await page.getByRole('alert').getByText('request.invalid_query').waitFor();

    // An unknown entry.
    await page.goto(`${c.t.url}/console/logs/no-such-entry`);
    await page.getByRole('alert').getByText('log.not_found').waitFor();
    await page.getByRole('link', { name: '← Audit logs' }).waitFor();

    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('speaks Thai to a Thai browser (th-TH) on Users and Audit logs, and switches back to English', async () => {
    const page = await openConsolePage(c.browser, errors, { locale: 'th-TH' });
    await signInToConsole(page, c.t, adminName);
    assert.equal(await page.locator('html').getAttribute('lang'), 'th');
    const nav = page.getByRole('navigation', { name: 'เมนูหลัก' });

    await nav.getByRole('link', { name: 'ผู้ใช้' }).click();
    await page.getByRole('heading', { name: 'ผู้ใช้', exact: true }).waitFor();
    await page.getByRole('button', { name: 'สร้างผู้ใช้' }).waitFor();
    await page.getByRole('columnheader', { name: 'สถานะ' }).waitFor();
    await page.getByRole('searchbox', { name: 'ค้นหาผู้ใช้' }).waitFor();

    await page.getByRole('link', { name: 'bob_audited' }).click();
    await page.getByRole('heading', { name: 'การเชื่อมต่อโซเชียล' }).waitFor();
    await page.getByRole('button', { name: 'ระงับผู้ใช้', exact: true }).waitFor();
    await page.getByRole('link', { name: 'บันทึกการตรวจสอบเกี่ยวกับผู้ใช้นี้' }).waitFor();

    await nav.getByRole('link', { name: 'บันทึกการตรวจสอบ' }).click();
    await page.getByRole('heading', { name: 'บันทึกการตรวจสอบ', exact: true }).waitFor();
    await page.getByRole('columnheader', { name: 'ผลลัพธ์' }).waitFor();
    const unlocked = rows(page).filter({ hasText: 'user.unlocked' });
    await unlocked.waitFor();
    assert.match((await unlocked.locator('td').nth(1).textContent()) ?? '', /^ปลดล็อกการลงชื่อเข้าใช้/);
    await unlocked.getByText('สำเร็จ').waitFor();
    await page.getByRole('button', { name: 'ใช้ตัวกรอง' }).waitFor();

    // The language select in the top bar: English at once, on the same page.
    await page.getByLabel('ภาษา').selectOption('en');
    await page.getByRole('heading', { name: 'Audit logs', exact: true }).waitFor();
    assert.match((await unlocked.locator('td').nth(1).textContent()) ?? '', /^Sign-in lockout lifted/);

    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });
});
