import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { translator } from '../src/experience/i18n.ts';
import { assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  type Authorization,
  allowAnotherCode,
  beginAuthorization,
  claimsOf,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  errorsOf,
  expireCodes,
  finishAtClient,
  latestCode,
  lockoutRow,
  outboxCount,
  type Page,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';

const en = translator('en');

/** A 6-digit code that is not `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** 128 characters: words, spaces, emoji and Thai, counted as people see them (code points). */
const passphrase128 = (() => {
  const base = 'correct horse 🐴 battery staple 🔋 ม้าถูกต้อง แบตเตอรี่ ';
  let value = '';
  for (const char of base.repeat(10)) {
    if ([...value].length === 128) break;
    value += char;
  }
  return value;
})();

for (const backend of testBackends()) {
  describe(`verification codes and the password policy on the hosted pages (SPEC §5, SECURITY-TESTS B1) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(async () => {
      await resetSignInExperience(h.t);
      await setSignInExperience(h.t, h.api, emailSettings);
    });

    /** A new interaction at the code step of a code sign-in for `email` (the POST answered 303). */
    const askSignInCode = async (email: string): Promise<Authorization & { codePage: Page }> => {
      const flow = await beginAuthorization(h.t, h.app);
      const sent = await flow.browser.post('/sign-in/code', { _csrf: flow.page.csrf ?? '', email });
      assert.equal(sent.status, 303);
      return { ...flow, codePage: await flow.browser.get(sent.location ?? '') };
    };
    const enterCode = (flow: Authorization, code: string, path = '/sign-in/code/verify') =>
      flow.browser.post(path, { _csrf: flow.page.csrf ?? '', code });
    const assertCodeRefused = (answer: Page, name: string) => {
      assert.equal(answer.status, 400, name);
      assert.deepEqual(errorsOf(answer.html), [en('code.invalid')], name);
      assert.equal(answer.location, null, name);
    };
    const newEmailUser = async (prefix: string, password = 'a long passphrase 1') => {
      const email = `${uniqueName(prefix)}@example.com`;
      const user = await createUserWithPassword(h.api, { primaryEmail: email, password });
      return { ...user, email };
    };

    describe('codes: once, 10 minutes, 5 tries', () => {
      it('a used sign-in code cannot be used again (also from another interaction)', async () => {
        const user = await newEmailUser('reuse');
        const flow = await askSignInCode(user.email);
        const code = await latestCode(h.api, user.email);
        const tokens = await finishAtClient(h.t, h.app, flow, await enterCode(flow, code));
        assert.equal(claimsOf(tokens.id_token).sub, user.id);
        const again = await askSignInCode(user.email);
        assertCodeRefused(await enterCode(again, code), 'a used code');
      });

      it('a used reset code cannot reach the new-password step twice', async () => {
        const user = await newEmailUser('reuse_reset');
        const start = async () => {
          const flow = await beginAuthorization(h.t, h.app);
          const sent = await flow.browser.post('/forgot-password', {
            _csrf: flow.page.csrf ?? '',
            email: user.email,
          });
          assert.equal(sent.status, 303);
          return flow;
        };
        const first = await start();
        const code = await latestCode(h.api, user.email);
        const verified = await enterCode(first, code, '/forgot-password/verify');
        assert.equal(verified.status, 303);
        const second = await start();
        assertCodeRefused(await enterCode(second, code, '/forgot-password/verify'), 'a used reset code');
        assert.equal((await second.browser.get('/forgot-password/new')).status, 409);
      });

      it('an expired code fails (expires_at moved into the past)', async () => {
        const user = await newEmailUser('expired');
        const flow = await askSignInCode(user.email);
        const code = await latestCode(h.api, user.email);
        await expireCodes(h.t, user.email);
        assertCodeRefused(await enterCode(flow, code), 'an expired code');
      });

      it('4 wrong tries leave the code alive; the 5th kills it, and the right code then fails', async () => {
        const survivor = await newEmailUser('four');
        const alive = await askSignInCode(survivor.email);
        const aliveCode = await latestCode(h.api, survivor.email);
        for (let i = 0; i < 4; i++)
          assertCodeRefused(await enterCode(alive, otherThan(aliveCode)), `wrong ${i}`);
        const tokens = await finishAtClient(h.t, h.app, alive, await enterCode(alive, aliveCode));
        assert.equal(claimsOf(tokens.id_token).sub, survivor.id);

        const victim = await newEmailUser('five');
        const dead = await askSignInCode(victim.email);
        const deadCode = await latestCode(h.api, victim.email);
        for (let i = 0; i < 5; i++)
          assertCodeRefused(await enterCode(dead, otherThan(deadCode)), `wrong ${i}`);
        assertCodeRefused(await enterCode(dead, deadCode), 'the right code after 5 wrong tries');
      });

      it('wrong tries in parallel get no more chances: 10 at once, then the right code fails', async () => {
        const user = await newEmailUser('parallel');
        const flow = await askSignInCode(user.email);
        const code = await latestCode(h.api, user.email);
        const answers = await Promise.all(Array.from({ length: 10 }, () => enterCode(flow, otherThan(code))));
        assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [400]);
        assertCodeRefused(await enterCode(flow, code), 'the right code after 10 parallel wrong tries');
      });

      it('a code works only for its purpose: a sign-in code does not verify a reset', async () => {
        const user = await newEmailUser('purpose');
        await askSignInCode(user.email);
        const code = await latestCode(h.api, user.email);
        await allowAnotherCode(h.t, user.email);
        const flow = await beginAuthorization(h.t, h.app);
        const sent = await flow.browser.post('/forgot-password', {
          _csrf: flow.page.csrf ?? '',
          email: user.email,
        });
        assert.equal(sent.status, 303);
        await latestCode(h.api, user.email, { nth: 2 });
        assertCodeRefused(
          await enterCode(flow, code, '/forgot-password/verify'),
          'a sign-in code at the reset',
        );
      });
    });

    describe('password policy at sign-up and reset (B1)', () => {
      /** A reset that reached the new-password step; answers the flow. */
      const atNewPassword = async (email: string) => {
        await allowAnotherCode(h.t, email);
        const flow = await beginAuthorization(h.t, h.app);
        const before = await outboxCount(h.api, email);
        const sent = await flow.browser.post('/forgot-password', { _csrf: flow.page.csrf ?? '', email });
        assert.equal(sent.status, 303);
        const code = await latestCode(h.api, email, { nth: before + 1 });
        const verified = await enterCode(flow, code, '/forgot-password/verify');
        assert.equal(verified.status, 303, errorsOf(verified.html).join(' | '));
        return flow;
      };
      const setNew = (flow: Authorization, password: string) =>
        flow.browser.post('/forgot-password/new', { _csrf: flow.page.csrf ?? '', password });
      const signUp = async (fields: Record<string, string>) => {
        await resetSignInExperience(h.t); // username + password sign-up
        const flow = await beginAuthorization(h.t, h.app, { params: { first_screen: 'register' } });
        return {
          flow,
          answer: await flow.browser.post('/register', { _csrf: flow.page.csrf ?? '', ...fields }),
        };
      };
      const passwordIs = async (userId: string, password: string) =>
        (await h.api.post(`/api/users/${userId}/password/verify`, { password })).status === 204;

      it('breached passwords (password, 12345678, qwertyuiop, any case) are refused at sign-up and at reset', async () => {
        const user = await newEmailUser('breached', 'the original passphrase');
        for (const breached of ['password', '12345678', 'qwertyuiop', 'PassWord']) {
          const username = uniqueName('breach');
          const { answer } = await signUp({ username, password: breached });
          assert.equal(answer.status, 400, breached);
          assert.deepEqual(errorsOf(answer.html), [en('policy.breached')], breached);
          assert.equal((await h.api.get(`/api/users?search=${username}`)).body.length, 0, 'no user');
        }
        await setSignInExperience(h.t, h.api, emailSettings);
        const flow = await atNewPassword(user.email);
        for (const breached of ['password', '12345678', 'qwertyuiop']) {
          const answer = await setNew(flow, breached);
          assert.equal(answer.status, 400, breached);
          assert.deepEqual(errorsOf(answer.html), [en('policy.breached')], breached);
        }
        assert.equal(await passwordIs(user.id, 'the original passphrase'), true, 'unchanged');
      });

      it('a password containing the username or the email’s local part is refused', async () => {
        const username = uniqueName('context');
        const { answer } = await signUp({ username, password: `my ${username.toUpperCase()} pass` });
        assert.equal(answer.status, 400);
        assert.deepEqual(errorsOf(answer.html), [en('policy.personal')]);
        const user = await newEmailUser('localpart', 'the original passphrase');
        const local = user.email.split('@')[0] ?? '';
        const flow = await atNewPassword(user.email);
        const refused = await setNew(flow, `x ${local} y`);
        assert.equal(refused.status, 400);
        assert.deepEqual(errorsOf(refused.html), [en('policy.personal')]);
      });

      it('a 128-character passphrase with spaces, emoji and Thai is accepted, at sign-up and at reset, and signs in', async () => {
        assert.equal([...passphrase128].length, 128);
        const username = uniqueName('long');
        const { answer } = await signUp({ username, password: passphrase128 });
        assert.equal(answer.status, 303, errorsOf(answer.html).join(' | '));
        const flow = await beginAuthorization(h.t, h.app);
        const signedIn = await submitSignIn(flow, username, passphrase128);
        const tokens = await finishAtClient(h.t, h.app, flow, signedIn);
        assert.equal(claimsOf(tokens.id_token).username, username);
        // Not truncated: the same passphrase without its last character fails.
        const truncated = await beginAuthorization(h.t, h.app);
        assert.equal(
          (await submitSignIn(truncated, username, [...passphrase128].slice(0, -1).join(''))).status,
          400,
        );

        const user = await newEmailUser('long_reset', 'the original passphrase');
        const reset = await atNewPassword(user.email);
        const changed = await setNew(reset, passphrase128);
        assert.equal(changed.status, 303, errorsOf(changed.html).join(' | '));
        assert.equal(await passwordIs(user.id, passphrase128), true);
      });

      it('B3: a completed password reset ends a lock on the account (the owner proved their email)', async () => {
        const user = await newEmailUser('locked_reset', 'the original passphrase');
        const attacker = await beginAuthorization(h.t, h.app);
        for (let i = 0; i < 5; i++) await submitSignIn(attacker, user.email, 'guessing wrong');
        const locked = await lockoutRow(h.t, user.id);
        assert.ok(locked?.locked_until && new Date(locked.locked_until).getTime() > Date.now(), 'locked');

        const changed = await setNew(await atNewPassword(user.email), 'my brand new passphrase');
        assert.equal(changed.status, 303, errorsOf(changed.html).join(' | '));
        assert.equal((await lockoutRow(h.t, user.id))?.locked_until, null, 'the lock ended');
        const flow = await beginAuthorization(h.t, h.app);
        const signedIn = await submitSignIn(flow, user.email, 'my brand new passphrase');
        assert.equal(claimsOf((await finishAtClient(h.t, h.app, flow, signedIn)).id_token).sub, user.id);
      });

      it('more than 256 characters is refused with a 400 page, never a 500, and never truncated', async () => {
        const tooLong = 'a very long passphrase '.repeat(12).slice(0, 257);
        const username = uniqueName('toolong');
        const { answer } = await signUp({ username, password: tooLong });
        assert.equal(answer.status, 400);
        assert.deepEqual(errorsOf(answer.html), [en('policy.too_long', { max: 256 })]);
        const huge = await signUp({ username, password: 'x'.repeat(10_000) });
        assert.equal(huge.answer.status, 400);

        const user = await newEmailUser('toolong_reset', 'the original passphrase');
        const flow = await atNewPassword(user.email);
        assert.equal((await setNew(flow, tooLong)).status, 400);
        assert.equal((await setNew(flow, '🔑'.repeat(300))).status, 400);

        // At sign-in: a user whose password is exactly 256 characters; 257 (the same plus one) is refused.
        const exact =
          'b'.repeat(200) + ' sits here and grows to two hundred fifty-six characters'.slice(0, 56);
        assert.equal(exact.length, 256);
        const owner = uniqueName('exact');
        await createUserWithPassword(h.api, { username: owner, password: exact });
        const signIn = await beginAuthorization(h.t, h.app);
        assert.equal((await submitSignIn(signIn, owner, `${exact}b`)).status, 400, '257 characters');
        assert.equal((await submitSignIn(signIn, owner, 'z'.repeat(5000))).status, 400, '5000 characters');
        const ok = await submitSignIn(signIn, owner, exact);
        assert.equal(ok.status, 303, '256 characters');
        const logged = h.t.logs.lines().filter((line) => Number(line.status ?? 0) >= 500);
        assert.deepEqual(logged, [], 'no 500');
        assertStatus(await h.api.get(`/api/users/${user.id}`), 200);
      });
    });
  });
}
