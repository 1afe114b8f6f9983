import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createPostgresChangeBus } from '../src/db/changes.ts';
import { openDatabase } from '../src/db/client.ts';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  type Authorization,
  beginAuthorization,
  claimsOf,
  comparableHeaders,
  createPageBrowser,
  createUserWithPassword,
  type ExperienceHarness,
  expireLock,
  finishAtClient,
  lockoutRow,
  maskCsrf,
  nextAddress,
  type Page,
  type PageBrowser,
  resetSignInExperience,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';
import { captureLogs } from './support/logs.ts';
import { assertOAuthError, tokenRequest } from './support/protocol.ts';
import type { TestServer } from './support/server.ts';
import { testKek } from './support/server.ts';

const en = translator('en');
const password = 'the right passphrase';
const wrong = 'a wrong passphrase';

const fingerprint = (page: Page) => ({
  status: page.status,
  body: maskCsrf(page.html),
  headers: comparableHeaders(page.headers),
});

/** Waits, if needed, so that `seconds` remain in the current one-minute window of the database clock. */
const waitForMinuteWindow = async (t: TestServer, seconds: number) => {
  const { rows } = await sql<{ second: number }>`select extract(second from now())::float as second`.execute(
    t.registry.db.kysely,
  );
  const into = Number(rows[0]?.second ?? 0);
  if (60 - into < seconds) await new Promise((resolve) => setTimeout(resolve, (60 - into) * 1000 + 200));
};

for (const backend of testBackends()) {
  describe(`account lockout and suspension on the sign-in page (SECURITY-TESTS B3, A9) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(() => resetSignInExperience(h.t));

    const newUser = async () => {
      const username = uniqueName('lock');
      const user = await createUserWithPassword(h.api, { username, password });
      return { ...user, username };
    };

    const fail = async (flow: Authorization, username: string, secret = wrong) => {
      const answer = await submitSignIn(flow, username, secret);
      assert.equal(answer.status, 400);
      return answer;
    };

    it('B3: after 5 wrong passwords the right password fails too, with exactly the answer of a wrong one', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      let last: Page | undefined;
      for (let i = 0; i < 5; i++) last = await fail(flow, user.username);
      const row = await lockoutRow(h.t, user.id);
      assert.equal(row?.failures, 5);
      assert.ok(row?.locked_until && new Date(row.locked_until).getTime() > Date.now(), 'locked');
      const locked = await submitSignIn(flow, user.username, password);
      assert.ok(last);
      assert.deepEqual(fingerprint(locked), fingerprint(last), 'the same answer as a wrong password');
      assert.ok(locked.html.includes(en('sign_in.failed')));
      assert.equal(locked.location, null);
      assert.equal(
        (await lockoutRow(h.t, user.id))?.failures,
        5,
        'refused attempts do not escalate the lock',
      );
    });

    it('B3: the lock expires (locked_until moved into the past), then the right password signs in and resets the count', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      await fail(flow, user.username, password);
      await expireLock(h.t, user.id);
      const answer = await submitSignIn(flow, user.username, password);
      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      assert.equal(claimsOf(tokens.id_token).sub, user.id);
      const row = await lockoutRow(h.t, user.id);
      assert.equal(row?.failures, 0, 'a successful sign-in resets the count');
      assert.equal(row?.locked_until, null);
    });

    it('B3: the next lock after one expired is longer (progressive: 1 min, then 5 min)', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      const first = await lockoutRow(h.t, user.id);
      await expireLock(h.t, user.id);
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      const second = await lockoutRow(h.t, user.id);
      assert.equal(second?.failures, 10);
      const lockedFor = (row: typeof first) =>
        (new Date(row?.locked_until ?? 0).getTime() - new Date(row?.updated_at ?? 0).getTime()) / 1000;
      assert.ok(Math.abs(lockedFor(first) - 60) < 2, `first lock ${lockedFor(first)} s`);
      assert.ok(Math.abs(lockedFor(second) - 300) < 2, `second lock ${lockedFor(second)} s`);
    });

    /** Signs `username` in through `browser` (a new authorization with prompt=login), or answers the failure. */
    const signInThrough = async (browser: PageBrowser, username: string, secret: string) => {
      const flow = await beginAuthorization(h.t, h.app, { browser, params: { prompt: 'login' } });
      const answer = await submitSignIn(flow, username, secret);
      if (answer.status !== 303) return { answer };
      return { answer, sub: claimsOf((await finishAtClient(h.t, h.app, flow, answer)).id_token).sub };
    };
    const deviceCookie = (browser: PageBrowser) => browser.jar.get('gh_device');

    it('B3: whoever locks an account by failing on purpose does not lock its owner out: a browser that signed in before still signs in', async () => {
      const user = await newUser();
      const owner = createPageBrowser(h.t);
      assert.equal((await signInThrough(owner, user.username, password)).sub, user.id);
      assert.ok(deviceCookie(owner), 'a successful sign-in makes the browser a known device of the account');

      const attacker = createPageBrowser(h.t);
      const flow = await beginAuthorization(h.t, h.app, { browser: attacker });
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      assert.equal(
        (await submitSignIn(flow, user.username, password)).status,
        400,
        'locked for the attacker',
      );

      assert.equal(
        (await signInThrough(owner, user.username, password)).sub,
        user.id,
        "the owner's device has its own bucket: signed in while the account is locked for others",
      );
      const row = await lockoutRow(h.t, user.id);
      assert.ok(
        row?.locked_until && new Date(row.locked_until).getTime() > Date.now(),
        'still locked for others',
      );
    });

    it("B3: a known device's wrong passwords lock that device too (5, then the right one fails); an admin unlock frees it", async () => {
      const user = await newUser();
      const owner = createPageBrowser(h.t);
      assert.equal((await signInThrough(owner, user.username, password)).sub, user.id);
      const flow = await beginAuthorization(h.t, h.app, { browser: owner, params: { prompt: 'login' } });
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      assert.equal((await submitSignIn(flow, user.username, password)).status, 400, 'the device is locked');
      assert.equal(
        (await lockoutRow(h.t, user.id))?.failures ?? 0,
        0,
        "the account's own count is untouched",
      );

      assertStatus(await h.api.post(`/api/users/${user.id}/unlock`), 204);
      assert.equal(
        (await signInThrough(owner, user.username, password)).sub,
        user.id,
        'unlocked with the account',
      );
    });

    it('B3: a device cookie vouches only for its own account: one from another account, or altered, gives no bucket of its own', async () => {
      const victim = await newUser();
      const attackerAccount = await newUser();
      const attacker = createPageBrowser(h.t);
      assert.equal(
        (await signInThrough(attacker, attackerAccount.username, password)).sub,
        attackerAccount.id,
      );
      const own = deviceCookie(attacker) ?? assert.fail('a device cookie');

      for (let i = 0; i < 5; i++)
        await fail(
          await beginAuthorization(h.t, h.app, { browser: attacker, params: { prompt: 'login' } }),
          victim.username,
        );
      const locked = await signInThrough(attacker, victim.username, password);
      assert.equal(
        locked.answer.status,
        400,
        "another account's device cookie does not open the victim's lock",
      );

      const [deviceId = '', mac = ''] = own.split('.');
      const forged = createPageBrowser(h.t);
      forged.jar.set('gh_device', `${deviceId}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`);
      assert.equal(
        (await signInThrough(forged, victim.username, password)).answer.status,
        400,
        'an altered MAC',
      );
    });

    it('B3: the device cookie is HttpOnly, SameSite=Lax, Path=/ and long-lived; it is not set by a failed attempt', async () => {
      const user = await newUser();
      const browser = createPageBrowser(h.t);
      const failed = await signInThrough(browser, user.username, wrong);
      assert.ok(!failed.answer.headers.getSetCookie().some((cookie) => cookie.startsWith('gh_device=')));
      const { answer } = await signInThrough(browser, user.username, password);
      const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('gh_device='));
      assert.ok(cookie, 'set with the successful sign-in');
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
      assert.match(cookie, /; Path=\//);
      assert.match(cookie, /; Max-Age=15552000/, '180 days');
    });

    it('B3: an administrator unlocks (POST /api/users/:id/unlock → 204, audited); the right password then works', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      for (let i = 0; i < 5; i++) await fail(flow, user.username);
      await fail(flow, user.username, password);
      assertStatus(await h.api.post(`/api/users/${user.id}/unlock`), 204);
      assert.equal(await lockoutRow(h.t, user.id), undefined, 'every failure forgotten');
      const audit = h.t.logs
        .lines()
        .find((line) => line.audit === 'user.unlocked' && line.userId === user.id);
      assert.ok(audit, 'an audit log line');
      assert.equal(typeof audit.actor, 'string');
      const answer = await submitSignIn(flow, user.username, password);
      const tokens = await finishAtClient(h.t, h.app, flow, answer);
      assert.equal(claimsOf(tokens.id_token).sub, user.id);
      assert.equal((await h.api.post('/api/users/no-such-user/unlock')).status, 404);
    });

    it('B3: 50 parallel wrong attempts with the threshold 5 → at most 5 evaluated (the lockout row counts 5)', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      // Each from its own address, so the per-IP throttle does not refuse any of them first.
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          flow.browser.post(
            '/sign-in',
            { _csrf: flow.page.csrf ?? '', identifier: user.username, password: wrong },
            { 'x-forwarded-for': nextAddress() },
          ),
        ),
      );
      // 400: refused (checked, or locked); 429: shed by the bounded password hasher of this instance (load
      // shedding, vault/passwords.ts). Never a sign-in.
      const statuses = answers.map((answer) => answer.status);
      assert.ok(
        statuses.every((status) => status === 400 || status === 429),
        statuses.join(','),
      );
      assert.ok(statuses.filter((status) => status === 400).length >= 5, statuses.join(','));
      const row = await lockoutRow(h.t, user.id);
      assert.equal(row?.failures, 5, 'five attempts were let through to a password check');
      assert.equal(row?.hour_failures, 5);
      assert.equal(row?.last_outcome, 'locked', 'the others were refused unevaluated');
      await fail(flow, user.username, password);
    });

    it('B3: the throttle per address comes first: the 31st POST from one address within a minute → 429, not counted against any account', async () => {
      const victim = await newUser();
      const flow = await beginAuthorization(h.t, h.app, { browser: createPageBrowser(h.t) });
      await waitForMinuteWindow(h.t, 8);
      // 30 POSTs from the attacker's address, at other (unknown) accounts…
      for (let i = 0; i < 30; i++) await fail(flow, uniqueName('nobody'));
      // …then the 31st, at the victim: refused before the account is even looked at.
      const limited = await submitSignIn(flow, victim.username, wrong);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After');
      assert.match(limited.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(limited.headers.get('x-frame-options'), 'DENY');
      assert.equal(await lockoutRow(h.t, victim.id), undefined, 'nothing counted against the victim');
      // The victim, from another address, is not affected.
      const own = await beginAuthorization(h.t, h.app);
      const answer = await submitSignIn(own, victim.username, password);
      const tokens = await finishAtClient(h.t, h.app, own, answer);
      assert.equal(claimsOf(tokens.id_token).sub, victim.id);
    });

    it('B4: without TRUST_PROXY, X-Forwarded-For cannot spread one client over many addresses (the 31st → 429)', async () => {
      const untrusting = await startExperience({ db: await backend.create(), env: { TRUST_PROXY: '' } });
      try {
        const flow = await beginAuthorization(untrusting.t, untrusting.app);
        await waitForMinuteWindow(untrusting.t, 8);
        const statuses: number[] = [];
        for (let i = 0; i < 31; i++) {
          const answer = await flow.browser.post(
            '/sign-in',
            { _csrf: flow.page.csrf ?? '', identifier: uniqueName('nobody'), password: wrong },
            { 'x-forwarded-for': nextAddress() },
          );
          statuses.push(answer.status);
        }
        assert.deepEqual(statuses.slice(0, 30), Array(30).fill(400));
        assert.equal(statuses[30], 429, 'the socket address is what counts');
      } finally {
        await untrusting.stop();
      }
    });

    it('F: while the password hasher is saturated, a sign-in is shed at once with an HTML 429 and Retry-After, before anything is counted', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app);
      const { maxConcurrent, maxQueue } = h.t.registry.passwords.stats();
      const flood = Array.from({ length: maxConcurrent + maxQueue }, () =>
        h.t.registry.passwords.verifyDummy('a flood of guesses'),
      );
      try {
        // The flood's verifications reach the queue once the dummy hash is ready (a few microtasks).
        for (let i = 0; i < 100 && h.t.registry.passwords.stats().queued < maxQueue; i++) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        assert.equal(h.t.registry.passwords.stats().queued, maxQueue, 'the queue is full');
        const shed = await submitSignIn(flow, user.username, wrong);
        assert.equal(shed.status, 429);
        assert.equal(shed.headers.get('retry-after'), '1');
        assert.match(shed.headers.get('content-type') ?? '', /^text\/html/);
        assert.ok(shed.html.includes(en('error.rate_limited')));
        assert.equal(await lockoutRow(h.t, user.id), undefined, 'not counted against the account');
      } finally {
        await Promise.all(flood);
      }
      assert.equal(
        (await submitSignIn(flow, user.username, password)).status,
        303,
        'served again once it drains',
      );
    });

    it('a suspended user is refused with the answer of a wrong password, and their refresh token stops working (A9)', async () => {
      const user = await newUser();
      const flow = await beginAuthorization(h.t, h.app, { params: { prompt: 'consent' } });
      const tokens = await finishAtClient(
        h.t,
        h.app,
        flow,
        await submitSignIn(flow, user.username, password),
      );
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      const refreshed = await tokenRequest(h.t, h.app, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      assert.equal(refreshed.status, 200, 'it works before the suspension');
      const current = String(refreshed.body.refresh_token ?? tokens.refresh_token);

      assertStatus(await h.api.patch(`/api/users/${user.id}/is-suspended`, { isSuspended: true }), 200);
      assertOAuthError(
        await tokenRequest(h.t, h.app, { grant_type: 'refresh_token', refresh_token: current }),
        400,
        'invalid_grant',
      );
      const me = await fetch(`${h.t.url}/oidc/me`, {
        headers: { authorization: `Bearer ${String(refreshed.body.access_token)}` },
      });
      assert.equal(me.status, 401, 'the opaque access token is revoked too');

      const before = await lockoutRow(h.t, user.id);
      const again = await beginAuthorization(h.t, h.app);
      const refused = await submitSignIn(again, user.username, password);
      const wrongAnswer = await submitSignIn(again, user.username, wrong);
      assert.equal(refused.status, 400);
      assert.deepEqual(fingerprint(refused), fingerprint(wrongAnswer), 'the same answer as a wrong password');
      assert.deepEqual(
        await lockoutRow(h.t, user.id),
        before,
        'nothing counted against the suspended account',
      );

      // Reinstated, the user signs in again.
      assertStatus(await h.api.patch(`/api/users/${user.id}/is-suspended`, { isSuspended: false }), 200);
      const back = await submitSignIn(again, user.username, password);
      assert.equal(claimsOf((await finishAtClient(h.t, h.app, again, back)).id_token).sub, user.id);
    });
  });
}

const postgres = testBackends().find((backend) => backend.name === 'postgres');
if (postgres) {
  describe('lockout across two instances on one PostgreSQL (SECURITY-TESTS B3, E5)', () => {
    it('B3: wrong passwords alternated across two instances lock the account on both', async () => {
      const first = await postgres.create();
      const url = first.url ?? '';
      const logger = captureLogs('silent').logger;
      const env = { SECRET_VAULT_KEK: testKek() };
      const a = await startExperience({
        env,
        db: first,
        changes: await createPostgresChangeBus(url, logger),
      });
      const b = await startExperience({
        env,
        db: await openDatabase({ kind: 'postgres', url, poolSize: 5 }, logger),
        changes: await createPostgresChangeBus(url, logger),
      });
      try {
        const username = uniqueName('two');
        const user = await createUserWithPassword(a.api, { username, password });
        const onA = await beginAuthorization(a.t, a.app);
        const onB = await beginAuthorization(b.t, b.app);
        for (let i = 0; i < 5; i++) {
          const answer = await submitSignIn(i % 2 ? onB : onA, username, wrong);
          assert.equal(answer.status, 400);
        }
        assert.equal((await lockoutRow(a.t, user.id))?.failures, 5, 'one count for both instances');
        for (const [name, flow] of [
          ['A', onA],
          ['B', onB],
        ] as const) {
          const locked = await submitSignIn(flow, username, password);
          assert.equal(locked.status, 400, `locked on ${name}`);
          assert.ok(locked.html.includes(en('sign_in.failed')));
        }
        // Unlocked on A, B lets the user in at once.
        assertStatus(await a.api.post(`/api/users/${user.id}/unlock`), 204);
        const answer = await submitSignIn(onB, username, password);
        assert.equal(answer.status, 303);
      } finally {
        await b.stop();
        await a.stop();
      }
    });
  });
}
