import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  allFieldsEditable,
  auditEntries,
  setAccountCenter,
  signedInUser,
  signInForTokens,
  verifyPassword,
} from './support/account.ts';
import { assertApiError, assertStatus } from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import {
  allowAnotherCode,
  beginAuthorization,
  comparableHeaders,
  type ExperienceHarness,
  emailSettings,
  errorsOf,
  expireLock,
  latestCode,
  lockoutRow,
  resetSignInExperience,
  setSignInExperience,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';
import { tokenRequest } from './support/protocol.ts';

for (const backend of testBackends()) {
  describe(`Account API: verifications and sensitive changes (issue 6 item 3, SECURITY-TESTS B3, B7) on ${backend.name}`, () => {
    let h: ExperienceHarness;
    before(async () => {
      h = await startExperience({ db: await backend.create() });
    });
    after(() => h.stop());
    beforeEach(async () => {
      await resetSignInExperience(h.t);
      await setAccountCenter(h.api, { enabled: true, fields: allFieldsEditable });
    });

    const expireRecord = async (id: string) => {
      await sql`update verification_records set expires_at = now() - interval '1 second' where id = ${id}`.execute(
        h.t.registry.db.kysely,
      );
    };

    describe('POST /api/verifications/password', () => {
      it('answers a record id that expires in 10 minutes, and stores nothing of the password', async () => {
        const user = await signedInUser(h);
        const response = await user.api.post('/api/verifications/password', { password: user.password });
        assertStatus(response, 201);
        const { verificationRecordId, expiresAt } = response.body;
        const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
        assert.ok(minutes > 9 && minutes <= 10, `expires in ${minutes} minutes`);
        const row = await h.t.registry.db.kysely
          .selectFrom('verification_records')
          .selectAll()
          .where('id', '=', verificationRecordId)
          .executeTakeFirstOrThrow();
        assert.equal(row.user_id, user.id);
        assert.ok(row.verified_at, 'verified');
        assert.ok(!JSON.stringify(row).includes(user.password), 'no password in the record');
      });

      it('counts against the lockout like a sign-in: the 6th attempt fails even with the right password, the same answer as a wrong one', async () => {
        const user = await signedInUser(h);
        const wrong = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          wrong.push(await user.api.post('/api/verifications/password', { password: 'not the passphrase' }));
        }
        for (const response of wrong) assertApiError(response, 422, 'user.password_mismatch');
        const locked = await user.api.post('/api/verifications/password', { password: user.password });
        assertApiError(locked, 422, 'user.password_mismatch');
        assert.deepEqual(locked.body, wrong[0]?.body, 'the same body whether locked or wrong');
        const strip = (headers: Headers) => {
          const { 'content-length': _length, ...rest } = comparableHeaders(headers);
          return rest;
        };
        assert.deepEqual(
          strip(locked.headers),
          strip(wrong[0]?.headers ?? new Headers()),
          'the same headers',
        );
        assert.ok((await lockoutRow(h.t, user.id))?.locked_until, 'the account is locked');

        // One lockout for every path: the sign-in page refuses the right password too.
        const flow = await beginAuthorization(h.t, h.app);
        const page = await submitSignIn(flow, user.username, user.password);
        assert.equal(page.status, 400);
        assert.ok(errorsOf(page.html).length > 0, 'the sign-in form shows an error');

        await expireLock(h.t, user.id);
        assertStatus(await user.api.post('/api/verifications/password', { password: user.password }), 201);
      });

      it('counts sign-in failures too: after 5 wrong passwords on the page the API refuses the right one', async () => {
        const user = await signedInUser(h);
        for (let attempt = 0; attempt < 5; attempt++) {
          const flow = await beginAuthorization(h.t, h.app);
          assert.equal((await submitSignIn(flow, user.username, 'a wrong passphrase')).status, 400);
        }
        assertApiError(
          await user.api.post('/api/verifications/password', { password: user.password }),
          422,
          'user.password_mismatch',
        );
      });
    });

    describe('sensitive changes need the logto-verification-id header of a fresh record of the same user', () => {
      it("refuses a password change without a record, with an unknown, expired, used or another user's record", async () => {
        const user = await signedInUser(h);
        const other = await signedInUser(h);
        const body = { password: 'a brand new passphrase 1' };
        const refuse = async (id: string | undefined, status: number, code: string) => {
          const client = id === undefined ? user.api : user.api.verified(id);
          assertApiError(await client.post('/api/my-account/password', body), status, code);
        };
        await refuse(undefined, 401, 'verification_record.permission_denied');
        await refuse('no-such-record', 401, 'verification_record.permission_denied');
        await refuse(await verifyPassword(other), 401, 'verification_record.permission_denied');

        const expired = await verifyPassword(user);
        await expireRecord(expired);
        await refuse(expired, 401, 'verification_record.expired');

        const once = await verifyPassword(user);
        assertStatus(await user.api.verified(once).post('/api/my-account/password', body), 204);
        await refuse(once, 401, 'verification_record.used');

        // A code record for an address that is not the user's: proves the address, not the user.
        const address = `${uniqueName('new')}@example.com`;
        const sent = await user.api.post('/api/verifications/verification-code', {
          identifier: { type: 'email', value: address },
        });
        assertStatus(sent, 201);
        const code = await latestCode(h.api, address);
        assertStatus(
          await user.api.post('/api/verifications/verification-code/verify', {
            identifier: { type: 'email', value: address },
            verificationId: sent.body.verificationRecordId,
            code,
          }),
          200,
        );
        await refuse(sent.body.verificationRecordId, 401, 'verification_record.permission_denied');
      });

      it('changes the password: policy first (the record survives a refusal), other sessions and grants signed out, the caller kept, audited', async () => {
        const user = await signedInUser(h);
        // A second sign-in of the same user, elsewhere: its tokens must not outlive the change.
        const elsewhere = await signInForTokens(h, { username: user.username, password: user.password });
        const record = await verifyPassword(user);
        const weak = await user.api.verified(record).post('/api/my-account/password', { password: 'short' });
        assertApiError(weak, 422, 'password.rejected');
        const changed = await user.api
          .verified(record)
          .post('/api/my-account/password', { password: 'a brand new passphrase 2' });
        assertStatus(changed, 204);

        assertStatus(await user.api.get('/api/my-account'), 200);
        const other = await h.api.send('GET', '/api/my-account', {
          headers: { authorization: `Bearer ${elsewhere.access_token}` },
        });
        assertApiError(other, 401, 'auth.invalid_token');
        const refreshed = await tokenRequest(h.t, h.app, {
          grant_type: 'refresh_token',
          refresh_token: String(elsewhere.refresh_token),
        });
        assert.equal(refreshed.status, 400, 'the other grant is revoked');
        const mine = await tokenRequest(h.t, h.app, {
          grant_type: 'refresh_token',
          refresh_token: String(user.refreshToken),
        });
        assert.equal(mine.status, 200, `the calling app's grant is kept: ${JSON.stringify(mine.body)}`);

        assertApiError(
          await user.api.post('/api/verifications/password', { password: user.password }),
          422,
          'user.password_mismatch',
        );
        assertStatus(
          await user.api.post('/api/verifications/password', { password: 'a brand new passphrase 2' }),
          201,
        );
        const actions = (await auditEntries(h, user.id)).map((entry) => entry.action);
        assert.ok(actions.includes('password.changed'), actions.join());
      });
      it('lets one record allow one change: of five concurrent changes presenting it, exactly one succeeds', async () => {
        const user = await signedInUser(h);
        const record = await verifyPassword(user);
        const answers = await Promise.all(
          [1, 2, 3, 4, 5].map((n) =>
            user.api
              .verified(record)
              .post('/api/my-account/password', { password: `concurrent passphrase ${n}x` }),
          ),
        );
        const statuses = answers.map((answer) => answer.status).sort();
        assert.deepEqual(statuses, [204, 401, 401, 401, 401], JSON.stringify(answers.map((a) => a.body)));
        for (const answer of answers.filter((a) => a.status === 401)) {
          assert.equal(answer.body.code, 'verification_record.used');
        }
      });
    });

    describe('the primary email, proven by a code from the outbox', () => {
      const sendAndVerify = async (user: Awaited<ReturnType<typeof signedInUser>>, address: string) => {
        const sent = await user.api.post('/api/verifications/verification-code', {
          identifier: { type: 'email', value: address },
        });
        assertStatus(sent, 201);
        const code = await latestCode(h.api, address);
        const verified = await user.api.post('/api/verifications/verification-code/verify', {
          identifier: { type: 'email', value: address },
          verificationId: sent.body.verificationRecordId,
          code,
        });
        assertStatus(verified, 200);
        assert.equal(verified.body.verificationRecordId, sent.body.verificationRecordId);
        assert.ok(!h.t.logs.text().includes(code), 'the code is not in the logs');
        return sent.body.verificationRecordId as string;
      };

      it('sets a new email with a password record and a code record for the new address', async () => {
        const user = await signedInUser(h, { email: true });
        const address = `${uniqueName('moved')}@example.com`;
        const proof = await sendAndVerify(user, address);
        const identity = await verifyPassword(user);
        const changed = await user.api.verified(identity).post('/api/my-account/primary-email', {
          email: address,
          newIdentifierVerificationRecordId: proof,
        });
        assertStatus(changed, 204);
        assert.equal((await user.api.get('/api/my-account')).body.primaryEmail, address);
        const entry = (await auditEntries(h, user.id)).find((row) => row.action === 'email.changed');
        assert.ok(entry, 'audited');
        assert.equal(entry.actor_id, user.id);
        assert.ok(!JSON.stringify(entry).includes(address), 'the audit entry names no address');
      });

      it('accepts a code sent to the current primary email as the proof of presence', async () => {
        const user = await signedInUser(h, { email: true });
        const presence = await sendAndVerify(user, String(user.email));
        const address = `${uniqueName('again')}@example.com`;
        const proof = await sendAndVerify(user, address);
        assertStatus(
          await user.api.verified(presence).post('/api/my-account/primary-email', {
            email: address,
            newIdentifierVerificationRecordId: proof,
          }),
          204,
        );
      });

      it('refuses a wrong code, an unverified record, a record for another address, and a taken address (records kept)', async () => {
        const user = await signedInUser(h, { email: true });
        const taken = await signedInUser(h, { email: true });
        const address = `${uniqueName('wanted')}@example.com`;
        const sent = await user.api.post('/api/verifications/verification-code', {
          identifier: { type: 'email', value: address },
        });
        assertStatus(sent, 201);
        const id = sent.body.verificationRecordId;
        const code = await latestCode(h.api, address);
        const wrongCode = code === '000000' ? '111111' : '000000';
        assertApiError(
          await user.api.post('/api/verifications/verification-code/verify', {
            identifier: { type: 'email', value: address },
            verificationId: id,
            code: wrongCode,
          }),
          400,
          'verification_code.mismatch',
        );
        const identity = await verifyPassword(user);
        assertApiError(
          await user.api
            .verified(identity)
            .post('/api/my-account/primary-email', { email: address, newIdentifierVerificationRecordId: id }),
          400,
          'verification_record.not_found',
        );
        assertStatus(
          await user.api.post('/api/verifications/verification-code/verify', {
            identifier: { type: 'email', value: address },
            verificationId: id,
            code,
          }),
          200,
        );
        assertApiError(
          await user.api.verified(identity).post('/api/my-account/primary-email', {
            email: `${uniqueName('other')}@example.com`,
            newIdentifierVerificationRecordId: id,
          }),
          400,
          'verification_record.not_found',
        );
        const takenProof = await sendAndVerify(user, String(taken.email));
        assertApiError(
          await user.api.verified(identity).post('/api/my-account/primary-email', {
            email: taken.email,
            newIdentifierVerificationRecordId: takenProof,
          }),
          409,
          'user.email_taken',
        );
        // Nothing was used up by the refusals.
        assertStatus(
          await user.api
            .verified(identity)
            .post('/api/my-account/primary-email', { email: address, newIdentifierVerificationRecordId: id }),
          204,
        );
        await allowAnotherCode(h.t, address);
      });

      it('removes the email unless the sign-up settings require it', async () => {
        const user = await signedInUser(h, { email: true });
        await setSignInExperience(h.t, h.api, emailSettings);
        assertApiError(
          await user.api.verified(await verifyPassword(user)).del('/api/my-account/primary-email'),
          400,
          'user.email_required',
        );
        await resetSignInExperience(h.t);
        assertStatus(
          await user.api.verified(await verifyPassword(user)).del('/api/my-account/primary-email'),
          204,
        );
        assert.equal((await user.api.get('/api/my-account')).body.primaryEmail, null);
      });

      it('answers 501 verification_code.sms_unavailable to setting a phone number (no SMS connector), and removes one', async () => {
        const user = await signedInUser(h, { scope: 'openid profile phone' });
        assertApiError(
          await user.api.post('/api/verifications/verification-code', {
            identifier: { type: 'phone', value: '+66812345678' },
          }),
          501,
          'verification_code.sms_unavailable',
        );
        assertApiError(
          await user.api.post('/api/my-account/primary-phone', {
            phone: '+66812345678',
            newIdentifierVerificationRecordId: 'x',
          }),
          501,
          'verification_code.sms_unavailable',
        );
        // Removing one needs no SMS: a verification of the user is enough.
        assertStatus(await h.api.patch(`/api/users/${user.id}`, { primaryPhone: '+66812345678' }), 200);
        assert.equal((await user.api.get('/api/my-account')).body.primaryPhone, '66812345678');
        assertStatus(
          await user.api.verified(await verifyPassword(user)).del('/api/my-account/primary-phone'),
          204,
        );
        assert.equal((await user.api.get('/api/my-account')).body.primaryPhone, null);
        const actions = (await auditEntries(h, user.id)).map((entry) => entry.action);
        assert.ok(actions.includes('phone.changed'), actions.join());
      });
    });
  });
}
