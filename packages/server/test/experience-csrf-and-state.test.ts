import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  allowAnotherCode,
  beginAuthorization,
  createPageBrowser,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  errorsOf,
  followToCallback,
  latestCode,
  lockoutRow,
  outboxCount,
  type Page,
  type PageBrowser,
  redirectUri,
  resetSignInExperience,
  sessionCookieName,
  setSignInExperience,
  startExperience,
  submitSignIn,
  uniqueName,
  waitForOutbox,
} from './support/experience.ts';
import { createApplication } from './support/oidc.ts';

const en = translator('en');

const countUsers = async (h: ExperienceHarness, search: string) => {
  const response = await h.api.get(`/api/users?search=${encodeURIComponent(search)}`);
  assertStatus(response, 200);
  return (response.body as unknown[]).length;
};

const passwordIs = async (h: ExperienceHarness, userId: string, password: string) =>
  (await h.api.post(`/api/users/${userId}/password/verify`, { password })).status === 204;

/** A refused POST: the status, an HTML page (not a redirect), nothing signed in. */
const assertRefused = (answer: Page, status: number, name: string) => {
  assert.equal(answer.status, status, `${name}: expected ${status}, got ${answer.status}`);
  assert.equal(answer.location, null, `${name}: no redirect`);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/html/, name);
};

for (const backend of testBackends()) {
  describe(`hosted pages: CSRF and the flow state machine (SECURITY-TESTS B6, SPEC §8) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(() => resetSignInExperience(h.t));

    describe('CSRF (B6: a POST without the CSRF token → 403, and nothing happens)', () => {
      it('sign-up without _csrf, with a wrong one, or with another interaction’s → 403, no user created', async () => {
        const flow = await beginAuthorization(h.t, h.app);
        const other = await beginAuthorization(h.t, h.app);
        assert.ok(flow.page.csrf && other.page.csrf && flow.page.csrf !== other.page.csrf);
        const username = uniqueName('csrf');
        const fields = { username, password: 'a long passphrase of mine' };
        const attempts: Array<[string, Record<string, string>]> = [
          ['no _csrf', fields],
          ['an empty _csrf', { ...fields, _csrf: '' }],
          ['a wrong _csrf', { ...fields, _csrf: `${flow.page.csrf.slice(0, -2)}xx` }],
          ['another interaction’s _csrf', { ...fields, _csrf: other.page.csrf }],
          ['a huge _csrf', { ...fields, _csrf: 'a'.repeat(5000) }],
        ];
        for (const [name, body] of attempts) {
          const answer = await flow.browser.post('/register', body);
          assertRefused(answer, 403, name);
          assert.ok(answer.html.includes(en('error.csrf')), name);
        }
        // _csrf twice (an array after parsing) is no token either.
        const twice = await flow.browser.post(
          '/register',
          `_csrf=${flow.page.csrf}&_csrf=${flow.page.csrf}&username=${username}&password=a+long+passphrase`,
        );
        assertRefused(twice, 403, '_csrf twice');
        assert.equal(await countUsers(h, username), 0, 'no user was created');
        // The interaction is intact: the right token still works.
        const ok = await flow.browser.post('/register', { ...fields, _csrf: flow.page.csrf });
        assert.equal(ok.status, 303);
        assert.equal(await countUsers(h, username), 1);
      });

      it('sign-in without or with a wrong _csrf → 403: no session, no attempt counted against the account', async () => {
        const username = uniqueName('csrf_signin');
        const user = await createUserWithPassword(h.api, { username, password: 'csrf passphrase 1' });
        const flow = await beginAuthorization(h.t, h.app);
        const other = await beginAuthorization(h.t, h.app);
        for (const _csrf of [undefined, 'wrong', other.page.csrf ?? '']) {
          const answer = await flow.browser.post('/sign-in', {
            ...(_csrf === undefined ? {} : { _csrf }),
            identifier: username,
            password: 'csrf passphrase 1',
          });
          assertRefused(answer, 403, `_csrf ${_csrf}`);
          assert.equal(flow.browser.jar.has(sessionCookieName(h.t)), false, 'no session cookie');
        }
        assert.equal(await lockoutRow(h.t, user.id), undefined, 'nothing counted');
        const read = await h.api.get(`/api/users/${user.id}`);
        assert.equal(read.body.lastSignInAt, null, 'no sign-in recorded');
      });

      it('a token from an earlier interaction of the same browser is refused once a new one started', async () => {
        const first = await beginAuthorization(h.t, h.app);
        const second = await beginAuthorization(h.t, h.app, { browser: first.browser });
        assert.notEqual(first.page.csrf, second.page.csrf);
        const answer = await first.browser.post('/sign-in', {
          _csrf: first.page.csrf ?? '',
          identifier: 'x',
          password: 'y',
        });
        assertRefused(answer, 403, 'stale token');
      });

      it('codes, resets and consent without a valid _csrf → 403: no email sent, no decision taken', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const email = `${uniqueName('csrf_mail')}@example.com`;
        await createUserWithPassword(h.api, { primaryEmail: email, password: 'csrf passphrase 2' });
        const flow = await beginAuthorization(h.t, h.app);
        for (const path of ['/sign-in/code', '/forgot-password']) {
          assertRefused(await flow.browser.post(path, { email }), 403, path);
          assertRefused(await flow.browser.post(path, { email, _csrf: 'forged' }), 403, path);
        }
        for (const path of ['/register/verify', '/sign-in/code/verify', '/forgot-password/verify']) {
          assertRefused(await flow.browser.post(path, { code: '123456' }), 403, path);
        }
        assertRefused(
          await flow.browser.post('/forgot-password/new', { password: 'x'.repeat(20) }),
          403,
          'new',
        );
        assertRefused(await flow.browser.post('/consent', { decision: 'approve' }), 403, 'consent');
        assert.equal(await outboxCount(h.api, email), 0, 'no code was sent');
      });
    });

    describe('the state machine (steps cannot be skipped: 409, nothing changes)', () => {
      it('POST /register/verify without the details step → 409, no user', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const flow = await beginAuthorization(h.t, h.app);
        const answer = await flow.browser.post('/register/verify', {
          _csrf: flow.page.csrf ?? '',
          code: '123456',
        });
        assertRefused(answer, 409, '/register/verify');
        assert.ok(answer.html.includes(en('error.generic')));
        assert.equal((await flow.browser.get('/register/verify')).status, 409, 'GET too');
        assert.equal(flow.browser.jar.has(sessionCookieName(h.t)), false);
      });

      it('POST /sign-in/code/verify without asking for a code → 409, no sign-in', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const flow = await beginAuthorization(h.t, h.app);
        const answer = await flow.browser.post('/sign-in/code/verify', {
          _csrf: flow.page.csrf ?? '',
          code: '123456',
        });
        assertRefused(answer, 409, '/sign-in/code/verify');
        assert.equal((await flow.browser.get('/sign-in/code/verify')).status, 409, 'GET too');
        assert.equal(flow.browser.jar.has(sessionCookieName(h.t)), false);
      });

      it('POST /forgot-password/new without the code step, or right after asking for a code → 409, password unchanged', async () => {
        const email = `${uniqueName('skip')}@example.com`;
        const user = await createUserWithPassword(h.api, {
          primaryEmail: email,
          password: 'the old passphrase',
        });
        const flow = await beginAuthorization(h.t, h.app);
        const csrf = flow.page.csrf ?? '';
        const skipped = await flow.browser.post('/forgot-password/new', {
          _csrf: csrf,
          password: 'hijacked passphrase',
        });
        assertRefused(skipped, 409, 'no flow at all');
        // The reset flow started (a code was sent) but the code was never entered: the new-password step is refused.
        const asked = await flow.browser.post('/forgot-password', { _csrf: csrf, email });
        assert.equal(asked.status, 303);
        const early = await flow.browser.post('/forgot-password/new', {
          _csrf: csrf,
          password: 'hijacked passphrase',
        });
        assertRefused(early, 409, 'before the code');
        assert.equal((await flow.browser.get('/forgot-password/new')).status, 409, 'GET too');
        // Another flow's step does not count either: a sign-in code flow cannot finish a reset.
        await setSignInExperience(h.t, h.api, emailSettings);
        const wrongFlow = await flow.browser.post('/sign-in/code/verify', { _csrf: csrf, code: '123456' });
        assertRefused(wrongFlow, 409, 'the reset flow is not a code sign-in');
        assert.equal(await passwordIs(h, user.id, 'the old passphrase'), true, 'the password is unchanged');
        assert.equal(await passwordIs(h, user.id, 'hijacked passphrase'), false);
      });

      it('GET /sign-in without an interaction cookie, or with a forged one → 400 "expired" page', async () => {
        const cases: Array<[string, Record<string, string>]> = [
          ['no cookie', {}],
          ['a forged interaction id', { cookie: 'gh_interaction=forged; gh_interaction.sig=forged' }],
          ['an unsigned interaction id', { cookie: 'gh_interaction=abcdefghijklmnopqrstu' }],
        ];
        for (const [name, headers] of cases) {
          for (const path of ['/sign-in', '/register', '/consent', '/forgot-password/new']) {
            const page = await createPageBrowser(h.t).get(path, headers);
            assert.equal(page.status, 400, `${name} ${path}`);
            assert.ok(page.html.includes(en('error.session')), `${name} ${path}`);
          }
          const posted = await createPageBrowser(h.t).post(
            '/sign-in',
            { _csrf: 'x', identifier: 'a', password: 'b' },
            headers,
          );
          assert.equal(posted.status, 400, `${name}: POST too`);
        }
      });
    });

    describe('bad form bodies → 4xx, never 500 (SPEC §8)', () => {
      /** Every malformed body at `path`, with the browser's valid CSRF token; answers the statuses by case. */
      const probe = async (browser: PageBrowser, path: string, token: string) => {
        const csrf = encodeURIComponent(token);
        const bodies: Array<[string, string]> = [
          ['only _csrf', `_csrf=${csrf}`],
          [
            'repeated fields',
            `_csrf=${csrf}&identifier=a&identifier=b&password=x&password=y&email=a@b.co&email=c@d.co&username=u&username=v&code=1&code=2`,
          ],
          [
            'array fields',
            `_csrf=${csrf}&identifier[]=a&password[]=x&email[]=a@b.co&username[]=u&code[]=1&lang[]=th`,
          ],
          ['object fields', `_csrf=${csrf}&identifier[a][b]=c&password[x]=y&email[e]=f&code[c]=1&lang[x]=th`],
          [
            'long fields under the body limit',
            `_csrf=${csrf}&identifier=${'a'.repeat(8_000)}&username=${'u'.repeat(2000)}&password=${'p'.repeat(3000)}&email=${'e'.repeat(2000)}@x.co&code=${'1'.repeat(500)}`,
          ],
          [
            'control characters and malformed escapes',
            `_csrf=${csrf}&identifier=%00%01%E0%A4%A&username=%C0%AF&password=%ZZ&email=%FF%FE&code=%00123456&lang=%FF`,
          ],
        ];
        const statuses: Array<[string, number]> = [];
        for (const [name, body] of bodies) {
          statuses.push([`${path} ${name}`, (await browser.post(path, body)).status]);
        }
        const huge = await browser.post(path, `_csrf=${csrf}&identifier=${'a'.repeat(64 * 1024)}`);
        statuses.push([`${path} a body over the limit`, huge.status]);
        if (huge.status === 413) {
          // Pages answer in their own format: the HTML error page, not the API's JSON (SPEC §8).
          assert.match(huge.headers.get('content-type') ?? '', /^text\/html/, `${path}: an HTML 413`);
          assert.match(huge.html, /This form is too large/, `${path}: says what went wrong`);
        }
        const json = await browser.post(
          path,
          JSON.stringify({ _csrf: token, identifier: 'a', password: 'b' }),
          {
            'content-type': 'application/json',
          },
        );
        statuses.push([`${path} JSON`, json.status]);
        const charset = await browser.post(path, `_csrf=${csrf}&identifier=a`, {
          'content-type': 'application/x-www-form-urlencoded; charset=x-unknown',
        });
        statuses.push([`${path} an unknown charset`, charset.status]);
        const text = await browser.post(path, `_csrf=${csrf}`, { 'content-type': 'text/plain' });
        statuses.push([`${path} text/plain`, text.status]);
        return statuses;
      };

      it('missing, repeated, nested, huge, JSON and oddly encoded bodies at every step, each with its flow at that step', async () => {
        await setSignInExperience(h.t, h.api, emailSettings);
        const email = `${uniqueName('bodies')}@example.com`;
        await createUserWithPassword(h.api, { primaryEmail: email, password: 'bodies passphrase 1' });
        const statuses: Array<[string, number]> = [];
        const sessions: PageBrowser[] = [];

        // The first steps, on a fresh interaction.
        const fresh = await beginAuthorization(h.t, h.app);
        sessions.push(fresh.browser);
        for (const path of ['/sign-in', '/register', '/sign-in/code', '/forgot-password']) {
          statuses.push(...(await probe(fresh.browser, path, fresh.page.csrf ?? '')));
        }
        // Each later step with its flow waiting at that step.
        const atStep = async (first: string, fields: Record<string, string>) => {
          const flow = await beginAuthorization(h.t, h.app);
          sessions.push(flow.browser);
          const answer = await flow.browser.post(first, { _csrf: flow.page.csrf ?? '', ...fields });
          assert.equal(answer.status, 303, `${first}: ${errorsOf(answer.html).join(' | ')}`);
          return flow;
        };
        const registering = await atStep('/register', {
          email: `${uniqueName('bodies_new')}@example.com`,
          password: 'bodies passphrase 2',
        });
        statuses.push(...(await probe(registering.browser, '/register/verify', registering.page.csrf ?? '')));
        const coding = await atStep('/sign-in/code', { email });
        statuses.push(...(await probe(coding.browser, '/sign-in/code/verify', coding.page.csrf ?? '')));
        // Codes leave after the answer: wait for each before allowing the next (one a minute per address).
        await waitForOutbox(h.api, email, 1);
        await allowAnotherCode(h.t, email);
        const resetting = await atStep('/forgot-password', { email });
        statuses.push(
          ...(await probe(resetting.browser, '/forgot-password/verify', resetting.page.csrf ?? '')),
        );
        await waitForOutbox(h.api, email, 2);
        await allowAnotherCode(h.t, email);
        const choosing = await atStep('/forgot-password', { email });
        const verified = await choosing.browser.post('/forgot-password/verify', {
          _csrf: choosing.page.csrf ?? '',
          code: await latestCode(h.api, email, { nth: 3 }),
        });
        assert.equal(verified.status, 303);
        statuses.push(...(await probe(choosing.browser, '/forgot-password/new', choosing.page.csrf ?? '')));

        const bad = statuses.filter(([, status]) => status < 400 || status >= 500);
        assert.deepEqual(bad, [], `answers outside 4xx: ${JSON.stringify(bad)}`);
        const byCase = new Map(statuses);
        assert.equal(byCase.get('/sign-in a body over the limit'), 413);
        assert.equal(byCase.get('/sign-in JSON'), 403, 'JSON is not parsed: no CSRF token');
        assert.equal(
          byCase.get('/forgot-password/new array fields'),
          400,
          'refused by the policy, not a crash',
        );
        const errors = h.t.logs
          .lines()
          .filter((line) => Number(line.status ?? 0) >= 500 || Number(line.level) >= 50);
        assert.deepEqual(errors, [], 'nothing logged as a server error');
        for (const browser of sessions) {
          assert.equal(browser.jar.has(sessionCookieName(h.t)), false, 'nobody signed in');
        }
        assert.equal(
          await passwordIs(
            h,
            (await h.api.get(`/api/users?search=${encodeURIComponent(email)}`)).body[0].id,
            'bodies passphrase 1',
          ),
          true,
          'the password is unchanged',
        );
      });

      it('consent: a missing or malformed decision never approves (it denies, or is refused)', async () => {
        const created = await createApplication(h.t, {
          type: 'Traditional',
          redirectUris: [redirectUri],
          isThirdParty: true,
        });
        const partner = { id: created.id, secret: created.secret };
        const username = uniqueName('decision');
        await createUserWithPassword(h.api, { username, password: 'decision passphrase' });
        const decisions = [
          '',
          'decision=',
          'decision=yes',
          'decision=approve&decision=approve',
          'decision[]=approve',
          'decision[x]=approve',
          `decision=${'approve'.repeat(1000)}`,
        ];
        for (const decision of decisions) {
          const flow = await beginAuthorization(h.t, partner);
          const signedIn = await submitSignIn(flow, username, 'decision passphrase');
          const consent = (await flow.browser.follow(signedIn.location ?? '')).page;
          assert.ok(consent && consent.status === 200, 'at the consent page');
          const answer = await flow.browser.post(
            '/consent',
            `_csrf=${encodeURIComponent(consent.csrf ?? '')}&${decision}`,
          );
          if (answer.status === 303) {
            const params = await followToCallback(flow.browser, answer);
            assert.equal(params.get('error'), 'access_denied', `${decision}: ${params}`);
            assert.equal(params.get('code'), null);
          } else {
            assert.ok(answer.status >= 400 && answer.status < 500, `${decision}: ${answer.status}`);
          }
        }
      });

      it('a field error re-renders the form with 400 and the message, never an exception', async () => {
        const flow = await beginAuthorization(h.t, h.app);
        const csrf = flow.page.csrf ?? '';
        const page = await flow.browser.post('/register', {
          _csrf: csrf,
          username: '1 not valid',
          password: 'short',
        });
        assert.equal(page.status, 400);
        assert.deepEqual(errorsOf(page.html), [en('field.username'), en('policy.too_short', { min: 8 })]);
        const empty = await flow.browser.post('/register', { _csrf: csrf });
        assert.equal(empty.status, 400);
        assert.ok(errorsOf(empty.html).includes(en('field.required')));
      });
    });
  });
}
