import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { EmailMessage, EmailSender } from '../src/connectors/email/email-sender.ts';
import { EmailSendError } from '../src/connectors/email/email-sender.ts';
import { createOutbox, createOutboxSender } from '../src/connectors/email/outbox.ts';
import type { Db } from '../src/db/client.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import {
  codeLimits,
  createVerificationCodeService,
  newVerificationCode,
  type VerificationCodeService,
} from '../src/domain/verification-codes/verification-codes.service.ts';
import { ApiError } from '../src/http/errors.ts';
import { testBackends } from './support/db.ts';

const expectApiError = async (promise: Promise<unknown>, code: string) => {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof ApiError, `expected ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
};

let counter = 0;
const uniqueEmail = () => `person${++counter}.${Date.now()}@example.com`;

describe('verification code generation', () => {
  it('draws six digits from a CSPRNG and keeps leading zeros', () => {
    const codes = Array.from({ length: 3000 }, newVerificationCode);
    assert.ok(codes.every((code) => /^\d{6}$/.test(code)));
    assert.ok(
      codes.some((code) => code.startsWith('0')),
      'about one in ten starts with 0',
    );
    assert.ok(new Set(codes).size > 2900, 'codes do not repeat in any pattern');
  });
});

for (const backend of testBackends()) {
  describe(`verification codes by email (SPEC §5) on ${backend.name}`, () => {
    let db: Db;
    let codes: VerificationCodeService;
    const outbox = () => createOutbox({ db: db.kysely, tenantId: defaultTenantId });
    before(async () => {
      db = await backend.create();
      await migrateToLatest(db.kysely);
      codes = createVerificationCodeService({
        db: db.kysely,
        tenantId: defaultTenantId,
        email: createOutboxSender({ db: db.kysely, tenantId: defaultTenantId }),
      });
    });
    after(() => db.close());

    const lastMessage = async (to: string) => {
      const [message] = await outbox().list(to, { limit: 1, offset: 0 });
      assert.ok(message, `a message to ${to}`);
      return message;
    };
    const lastCode = async (to: string) => {
      const match = /\b(\d{6})\b/.exec((await lastMessage(to)).text);
      assert.ok(match?.[1], 'the email carries a six-digit code');
      return match[1];
    };
    const rows = (identifier: string) =>
      db.kysely
        .selectFrom('verification_codes')
        .selectAll()
        .where('identifier', '=', identifier)
        .orderBy('created_at')
        .execute();
    /** Moves every code of `identifier` `seconds` into the past (time is faked in the database only). */
    const age = (identifier: string, seconds: number) =>
      sql`update verification_codes set created_at = created_at - make_interval(secs => ${seconds})
          where identifier = ${identifier}`.execute(db.kysely);
    const otherWrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    describe('send', () => {
      it('emails a six-digit code and stores only a digest of it, expiring in 10 minutes', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email, locale: 'en' });
        const code = await lastCode(email);
        const [row, ...others] = await rows(email);
        assert.ok(row);
        assert.equal(others.length, 0);
        assert.match(row.digest, /^[0-9a-f]{64}$/);
        assert.ok(!JSON.stringify(row).includes(code), 'the code itself is nowhere in the row');
        const ttl = await sql<{
          seconds: number;
        }>`select extract(epoch from (expires_at - created_at))::int as seconds from verification_codes where id = ${row.id}`.execute(
          db.kysely,
        );
        assert.equal(Number(ttl.rows[0]?.seconds), codeLimits.ttlSeconds);
      });

      it('writes the email in English or Thai, with a subject and text and HTML bodies', async () => {
        const english = uniqueEmail();
        await codes.send({ purpose: 'ForgotPassword', email: english, locale: 'en' });
        const en = await lastMessage(english);
        assert.equal(en.subject, 'Your password reset code');
        assert.match(en.text, /reset your password:\n\n\d{6}\n\nThe code expires in 10 minutes/);
        assert.match(en.html ?? '', /<html lang="en">[\s\S]*\d{6}/);

        const thai = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email: thai, locale: 'th' });
        const th = await lastMessage(thai);
        assert.equal(th.subject, 'รหัสสำหรับเข้าสู่ระบบของคุณ');
        assert.match(th.text, /เข้าสู่ระบบ[\s\S]*\d{6}[\s\S]*10 นาที/);
        assert.match(th.html ?? '', /<html lang="th">/);

        const other = uniqueEmail();
        await codes.send({ purpose: 'Register', email: other, locale: 'fr' as 'en' });
        assert.equal(
          (await lastMessage(other)).subject,
          'Your code to create an account',
          'English otherwise',
        );
      });

      it('normalises the address: trimmed and lower-cased', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email: `  ${email.toUpperCase()} ` });
        const message = await lastMessage(email);
        assert.equal(message.to, email);
        assert.deepEqual(
          await codes.verify({
            purpose: 'SignIn',
            email: ` ${email.toUpperCase()}`,
            code: await lastCode(email),
          }),
          {
            verified: true,
          },
        );
      });

      for (const bad of [
        '',
        'no-at-sign',
        'a@b',
        'two@@example.com',
        'sp ace@example.com',
        `${'a'.repeat(250)}@example.com`,
        'nul\u0000@example.com',
      ]) {
        it(`refuses the address ${JSON.stringify(bad.slice(0, 30))} with 400 verification_code.invalid_email`, async () => {
          await expectApiError(
            codes.send({ purpose: 'SignIn', email: bad }),
            'verification_code.invalid_email',
          );
        });
      }

      it('replaces the previous code of the same purpose and address', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const first = await lastCode(email);
        await age(email, 61);
        await codes.send({ purpose: 'SignIn', email });
        const second = await lastCode(email);
        if (first !== second) {
          assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code: first }), {
            verified: false,
            reason: 'mismatch',
          });
        }
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code: second }), { verified: true });
        const [old] = await rows(email);
        assert.ok(old?.invalidated_at, 'the first code was invalidated');
      });
    });

    describe('send limits: 1 a minute and 5 an hour per address (429 with Retry-After)', () => {
      it('refuses a second send within 60 s, whatever the purpose', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        for (const purpose of ['SignIn', 'Register'] as const) {
          const error = await expectApiError(
            codes.send({ purpose, email }),
            'verification_code.too_many_requests',
          );
          assert.equal(error.status, 429);
          const retryAfter = Number(error.headers?.['Retry-After']);
          assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
        }
        await age(email, 61);
        await codes.send({ purpose: 'Register', email });
      });

      it('counts the addresses after normalisation', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        await expectApiError(
          codes.send({ purpose: 'SignIn', email: email.toUpperCase() }),
          'verification_code.too_many_requests',
        );
      });

      it('refuses the sixth send within an hour until the oldest is an hour old', async () => {
        const email = uniqueEmail();
        for (let i = 0; i < codeLimits.sendsPerHour; i++) {
          await codes.send({ purpose: 'Generic', email });
          await age(email, 61);
        }
        const error = await expectApiError(
          codes.send({ purpose: 'Generic', email }),
          'verification_code.too_many_requests',
        );
        const retryAfter = Number(error.headers?.['Retry-After']);
        // The oldest of the five was sent 5 × 61 s ago.
        assert.ok(
          retryAfter > 3600 - 5 * 61 - 5 && retryAfter <= 3600 - 5 * 61 + 1,
          `Retry-After ${retryAfter}`,
        );
        await age(email, retryAfter);
        await codes.send({ purpose: 'Generic', email });
      });

      it('lets exactly one of 10 parallel sends to one address through', async () => {
        const email = uniqueEmail();
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => codes.send({ purpose: 'SignIn', email })),
        );
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
        for (const result of results) {
          if (result.status === 'rejected')
            assert.equal((result.reason as ApiError).code, 'verification_code.too_many_requests');
        }
        assert.equal((await rows(email)).length, 1);
      });
    });

    describe('verify', () => {
      it('verifies the right code once; a second use fails', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code }), { verified: true });
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code }), {
          verified: false,
          reason: 'used',
        });
      });

      it('accepts a code pasted with spaces', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        assert.deepEqual(
          await codes.verify({ purpose: 'SignIn', email, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` }),
          {
            verified: true,
          },
        );
      });

      it('verifies only for the purpose the code was sent for', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'Register', email });
        const code = await lastCode(email);
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code }), {
          verified: false,
          reason: 'no_code',
        });
        assert.deepEqual(await codes.verify({ purpose: 'ForgotPassword', email, code }), {
          verified: false,
          reason: 'no_code',
        });
        assert.deepEqual(await codes.verify({ purpose: 'Register', email, code }), { verified: true });
      });

      it('still verifies after 4 wrong attempts, but not after 5', async () => {
        const survivor = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email: survivor });
        const code = await lastCode(survivor);
        for (let i = 0; i < codeLimits.maxAttempts - 1; i++) {
          assert.deepEqual(
            await codes.verify({ purpose: 'SignIn', email: survivor, code: otherWrongCode(code) }),
            {
              verified: false,
              reason: 'mismatch',
            },
          );
        }
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email: survivor, code }), {
          verified: true,
        });

        const victim = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email: victim });
        const victimCode = await lastCode(victim);
        for (let i = 0; i < codeLimits.maxAttempts; i++) {
          await codes.verify({ purpose: 'SignIn', email: victim, code: otherWrongCode(victimCode) });
        }
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email: victim, code: victimCode }), {
          verified: false,
          reason: 'too_many_attempts',
        });
      });

      it('counts malformed codes as wrong attempts', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        for (const bad of ['', 'abcdef', '12345', '1234567', '١٢٣٤٥٦']) {
          assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code: bad }), {
            verified: false,
            reason: 'mismatch',
          });
        }
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code }), {
          verified: false,
          reason: 'too_many_attempts',
        });
      });

      it('refuses an expired code (expiry decided by the database clock)', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        await sql`update verification_codes set expires_at = now() - interval '1 second' where identifier = ${email}`.execute(
          db.kysely,
        );
        assert.deepEqual(await codes.verify({ purpose: 'SignIn', email, code }), {
          verified: false,
          reason: 'expired',
        });
      });

      it('answers every failure with the same shape, and never throws for bad input', async () => {
        const email = uniqueEmail();
        const outcomes = [
          await codes.verify({ purpose: 'SignIn', email, code: '123456' }),
          await codes.verify({ purpose: 'SignIn', email: 'not an email', code: '123456' }),
          await codes.verify({ purpose: 'Nope' as 'SignIn', email, code: '123456' }),
          await codes.verify({ purpose: 'SignIn', email, code: 42 as unknown as string }),
        ];
        for (const outcome of outcomes) {
          assert.equal(outcome.verified, false);
          assert.deepEqual(Object.keys(outcome).sort(), ['reason', 'verified']);
        }
      });

      it('lets exactly one of 5 parallel verifications of the right code succeed (single use)', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        const outcomes = await Promise.all(
          Array.from({ length: codeLimits.maxAttempts }, () =>
            codes.verify({ purpose: 'SignIn', email, code }),
          ),
        );
        assert.equal(outcomes.filter((outcome) => outcome.verified).length, 1);
        for (const outcome of outcomes) if (!outcome.verified) assert.equal(outcome.reason, 'used');
      });

      it('evaluates at most 5 of 50 parallel guesses', async () => {
        const email = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email });
        const code = await lastCode(email);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, () =>
            codes.verify({ purpose: 'SignIn', email, code: otherWrongCode(code) }),
          ),
        );
        assert.equal(
          outcomes.filter((outcome) => !outcome.verified && outcome.reason === 'mismatch').length,
          5,
        );
        const [row] = await rows(email);
        assert.equal(row?.attempts, codeLimits.maxAttempts);
        assert.equal(
          (await codes.verify({ purpose: 'SignIn', email, code })).verified,
          false,
          'the code is dead',
        );
      });
    });

    describe('when the email cannot be sent', () => {
      it('answers 502 email.send_failed, kills the code and still counts the send', async () => {
        const failing: EmailSender = {
          send: async (_message: EmailMessage) => {
            throw new EmailSendError('the SMTP server refused');
          },
        };
        const broken = createVerificationCodeService({
          db: db.kysely,
          tenantId: defaultTenantId,
          email: failing,
        });
        const email = uniqueEmail();
        const error = await expectApiError(broken.send({ purpose: 'SignIn', email }), 'email.send_failed');
        assert.equal(error.status, 502);
        const [row] = await rows(email);
        assert.ok(row?.invalidated_at);
        await expectApiError(codes.send({ purpose: 'SignIn', email }), 'verification_code.too_many_requests');
      });
    });

    describe('housekeeping', () => {
      it('deletes codes older than a day at the next send', async () => {
        const stale = uniqueEmail();
        await codes.send({ purpose: 'SignIn', email: stale });
        await age(stale, 86_401);
        await codes.send({ purpose: 'SignIn', email: uniqueEmail() });
        assert.equal((await rows(stale)).length, 0);
      });
    });
  });
}
