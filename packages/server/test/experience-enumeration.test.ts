import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  type Authorization,
  beginAuthorization,
  comparableHeaders,
  cookieHeader,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  errorsOf,
  maskCsrf,
  nextAddress,
  outboxCount,
  type Page,
  type PageBrowser,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  submitSignIn,
  type TimedRequest,
  timeFromAnotherThread,
  uniqueName,
  waitForOutbox,
} from './support/experience.ts';
import type { TestServer } from './support/server.ts';

const en = translator('en');

/** What must not differ between two refusals (B5): status, body once the CSRF token is masked, headers. */
const fingerprint = (page: Page, mask: (html: string) => string = (html) => html) => ({
  status: page.status,
  location: page.location,
  body: mask(maskCsrf(page.html)),
  headers: comparableHeaders(page.headers),
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * Pairs of requests (first kind, second kind), each pair in random order so drift, GC and caches hit both alike,
 * sent from another thread (see timeFromAnotherThread); answers the median of each kind and of the paired
 * differences (second − first), after `warmUp` pairs that are not counted.
 */
const comparePairs = async (
  t: TestServer,
  browser: PageBrowser,
  path: string,
  pairs: Array<[Record<string, string>, Record<string, string>]>,
  options: { warmUp: number; pauseMs?: number; expect: number },
) => {
  const order = pairs.map(() => Math.random() < 0.5);
  const requests = pairs.flatMap(([first, second], i) => {
    const request = (fields: Record<string, string>): TimedRequest => ({
      url: `${t.url}${path}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookieHeader(browser),
        // Each POST from its own address: the per-IP throttle (30 a minute per path) never answers instead.
        'x-forwarded-for': nextAddress(),
      },
      body: new URLSearchParams(fields).toString(),
    });
    return order[i] ? [request(first), request(second)] : [request(second), request(first)];
  });
  const results = await timeFromAnotherThread(requests, options.pauseMs);
  assert.deepEqual(
    [...new Set(results.map((result) => result.status))],
    [options.expect],
    'every request got the expected answer',
  );
  const first: number[] = [];
  const second: number[] = [];
  const differences: number[] = [];
  for (let i = options.warmUp; i < pairs.length; i++) {
    const [a, b] = [results[2 * i]?.ms ?? 0, results[2 * i + 1]?.ms ?? 0];
    const [firstMs, secondMs] = order[i] ? [a, b] : [b, a];
    first.push(firstMs);
    second.push(secondMs);
    differences.push(secondMs - firstMs);
  }
  return {
    first: median(first),
    second: median(second),
    difference: median(differences),
    samples: first.length,
  };
};

/** A few ms: below one argon2id verification (10-60 ms), so a skipped dummy hash would show. */
const timingToleranceMs = 5;

/**
 * Asserts that both the difference of the medians and the median paired difference stay within the tolerance.
 * A run outside it is measured once more before failing: a real leak (a skipped hash, a write only for existing
 * accounts) shows in every run, a burst of load on a shared machine does not.
 */
const assertSameTiming = async (
  name: string,
  firstName: string,
  secondName: string,
  measure: () => Promise<{ first: number; second: number; difference: number; samples: number }>,
) => {
  const reports: string[] = [];
  for (let run = 0; run < 2; run++) {
    const result = await measure();
    const report = `${firstName} ${result.first.toFixed(2)} ms, ${secondName} ${result.second.toFixed(2)} ms, paired difference ${result.difference.toFixed(2)} ms (medians of ${result.samples})`;
    console.log(`${name}: ${report}`);
    reports.push(report);
    const within =
      Math.abs(result.second - result.first) < timingToleranceMs &&
      Math.abs(result.difference) < timingToleranceMs;
    if (within) return;
  }
  assert.fail(`${name}: not within ${timingToleranceMs} ms in two runs: ${reports.join('; ')}`);
};

for (const backend of testBackends()) {
  describe(`no account enumeration on the hosted pages (SECURITY-TESTS B5) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(() => resetSignInExperience(h.t));

    describe('sign-in', () => {
      for (const kind of ['username', 'email'] as const) {
        it(`by ${kind}: unknown account, wrong password, locked (even with the right password), suspended → the same status, body and headers`, async () => {
          const name = uniqueName('enum');
          const identifier = kind === 'email' ? `${name}@example.com` : name;
          const password = 'the right passphrase';
          const attempt = async (secret: string) => {
            // A new visitor (interaction, address) each time: nothing but the account differs.
            const flow = await beginAuthorization(h.t, h.app);
            return fingerprint(await submitSignIn(flow, identifier, secret));
          };

          const unknown = await attempt('a wrong passphrase');
          assert.equal(unknown.status, 400);
          assert.ok(unknown.body.includes(en('sign_in.failed')));

          const user = await createUserWithPassword(h.api, {
            ...(kind === 'email' ? { primaryEmail: identifier } : { username: identifier }),
            password,
          });
          const wrong = await attempt('a wrong passphrase');
          assert.deepEqual(wrong, unknown, 'wrong password = unknown account');

          for (let i = 0; i < 4; i++) await attempt('a wrong passphrase');
          const locked = await attempt(password);
          assert.deepEqual(locked, unknown, 'locked, with the right password = unknown account');
          assertStatus(await h.api.post(`/api/users/${user.id}/unlock`), 204);

          assertStatus(await h.api.patch(`/api/users/${user.id}/is-suspended`, { isSuspended: true }), 200);
          const suspended = await attempt(password);
          assert.deepEqual(suspended, unknown, 'suspended, with the right password = unknown account');
          const suspendedWrong = await attempt('a wrong passphrase');
          assert.deepEqual(suspendedWrong, unknown, 'suspended, wrong password = unknown account');
        });
      }

      it('timing: an unknown account and an existing one with a wrong password take the same time (medians within a few ms over hundreds of POSTs)', async () => {
        const samples = Number(process.env.ENUMERATION_SAMPLES ?? 125);
        const warmUp = 10;
        // An existing account locks after 5 failures and is then checked against the dummy hash: each one
        // takes 4 wrong passwords only, so every sample of an existing account is a real verification.
        const known: Array<{ id: string; username: string }> = [];
        for (let i = 0; i < Math.ceil((samples + warmUp) / 4); i++) {
          const username = uniqueName('timing_k');
          const { id } = await createUserWithPassword(h.api, { username, password: 'timing passphrase' });
          known.push({ id, username });
        }
        const flow = await beginAuthorization(h.t, h.app);
        const csrf = flow.page.csrf ?? '';
        const attempt = (identifier: string) => ({ _csrf: csrf, identifier, password: 'a wrong passphrase' });
        const measure = async () => {
          // Every existing account starts the run unlocked and without failures (untimed).
          await h.t.registry.db.kysely
            .deleteFrom('account_lockouts')
            .where(
              'user_id',
              'in',
              known.map((user) => user.id),
            )
            .execute();
          const pairs = Array.from(
            { length: samples + warmUp },
            (_, i) =>
              [attempt(uniqueName('timing_u')), attempt(known[Math.floor(i / 4)]?.username ?? '')] as [
                Record<string, string>,
                Record<string, string>,
              ],
          );
          return comparePairs(h.t, flow.browser, '/sign-in', pairs, { warmUp, expect: 400 });
        };
        await assertSameTiming(`B5 sign-in timing on ${backend.name}`, 'unknown', 'existing', measure);
      });
    });

    describe('sign-up', () => {
      it('username sign-up: a taken username is refused only with a message that does not say which identifier (by design the refusal itself reveals that the username is taken)', async () => {
        const taken = uniqueName('taken');
        await createUserWithPassword(h.api, { username: taken, password: 'taken passphrase 1' });
        const flow = await beginAuthorization(h.t, h.app);
        const page = await flow.browser.get('/register');
        const answer = await flow.browser.post('/register', {
          _csrf: page.csrf ?? '',
          username: taken.toUpperCase(),
          password: 'another passphrase 2',
        });
        assert.equal(answer.status, 400);
        assert.deepEqual(errorsOf(answer.html), [en('register.taken')]);
        // A username a person chooses must be unique, so the sign-up form cannot hide that it is taken (Logto,
        // Auth0 and Keycloak answer the same); the per-IP throttle bounds how fast names can be probed.
        const fresh = await flow.browser.post('/register', {
          _csrf: page.csrf ?? '',
          username: uniqueName('fresh'),
          password: 'another passphrase 2',
        });
        assert.equal(fresh.status, 303);
      });

      it('email sign-up with verification: a taken and a new address get the same 303 and the same code page', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const taken = `${uniqueName('taken')}@example.com`;
        const fresh = `${uniqueName('fresh')}@example.com`;
        await createUserWithPassword(h.api, { primaryEmail: taken, password: 'taken passphrase 3' });
        const run = async (email: string) => {
          const flow = await beginAuthorization(h.t, h.app);
          const page = await flow.browser.get('/register');
          const answer = await flow.browser.post('/register', {
            _csrf: page.csrf ?? '',
            email,
            password: 'a fresh passphrase 4',
          });
          const codePage = await flow.browser.get(answer.location ?? '/register/verify');
          const wrong = await flow.browser.post('/register/verify', {
            _csrf: page.csrf ?? '',
            code: '000000',
          });
          const hide = (html: string) => html.replaceAll(email, '<email>');
          return {
            answer: fingerprint(answer),
            codePage: fingerprint(codePage, hide),
            wrong: fingerprint(wrong, hide),
          };
        };
        const takenRun = await run(taken);
        const freshRun = await run(fresh);
        assert.equal(takenRun.answer.status, 303);
        assert.deepEqual(takenRun, freshRun);
        assert.equal(await outboxCount(h.api, taken), 1, 'the owner of a taken address gets the code too');
        assert.equal(await outboxCount(h.api, fresh), 1);
      });
    });

    describe('password reset', () => {
      it('an unknown and a known email get the same 303, the same code page, and the same answer to a wrong code', async () => {
        const known = `${uniqueName('reset_k')}@example.com`;
        const unknown = `${uniqueName('reset_u')}@example.com`;
        await createUserWithPassword(h.api, { primaryEmail: known, password: 'reset passphrase 5' });
        const run = async (email: string) => {
          const flow: Authorization = await beginAuthorization(h.t, h.app);
          const page = await flow.browser.get('/forgot-password');
          const answer = await flow.browser.post('/forgot-password', { _csrf: page.csrf ?? '', email });
          const codePage = await flow.browser.get(answer.location ?? '/forgot-password/verify');
          const wrong = await flow.browser.post('/forgot-password/verify', {
            _csrf: page.csrf ?? '',
            code: '000000',
          });
          const hide = (html: string) => html.replaceAll(email, '<email>');
          return {
            page: fingerprint(page),
            answer: fingerprint(answer),
            codePage: fingerprint(codePage, hide),
            wrong: fingerprint(wrong, hide),
          };
        };
        const knownRun = await run(known);
        const unknownRun = await run(unknown);
        assert.equal(knownRun.answer.status, 303);
        assert.equal(knownRun.wrong.status, 400);
        assert.deepEqual(unknownRun, knownRun);
        assert.equal((await waitForOutbox(h.api, known)).length, 1, 'a code went to the account');
        assert.equal(await outboxCount(h.api, unknown), 0, 'nothing is sent to an unknown address');
      });

      it('timing: asking for a reset code for a known or an unknown email takes the same time', async () => {
        // Each known sample needs its own account (one code a minute per address).
        const samples = Number(process.env.ENUMERATION_RESET_SAMPLES ?? 40);
        const warmUp = 5;
        const flow = await beginAuthorization(h.t, h.app);
        const csrf = flow.page.csrf ?? '';
        let last = '';
        const measure = async () => {
          const pairs: Array<[Record<string, string>, Record<string, string>]> = [];
          for (let i = 0; i < samples + warmUp; i++) {
            const email = `${uniqueName('reset_k')}@example.com`;
            assertStatus(await h.api.post('/api/users', { primaryEmail: email }), 201);
            pairs.push([
              { _csrf: csrf, email: `${uniqueName('reset_u')}@example.com` },
              { _csrf: csrf, email },
            ]);
            last = email;
          }
          // The pause lets the code sent after a known address's answer leave before the next request.
          return comparePairs(h.t, flow.browser, '/forgot-password', pairs, {
            warmUp,
            pauseMs: 30,
            expect: 303,
          });
        };
        await assertSameTiming(`B5 reset timing on ${backend.name}`, 'unknown', 'known', measure);
        assert.equal((await waitForOutbox(h.api, last)).length, 1, 'the codes were sent');
      });
    });
  });
}
