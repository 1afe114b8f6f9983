import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import {
  checkPasswordPolicy,
  commonPasswordCount,
  defaultPasswordPolicy,
  isCommonPassword,
  PasswordPolicy,
  passwordPolicyFromSettings,
} from '../src/domain/users/password-policy.ts';
import { ApiError } from '../src/http/errors.ts';
import { createPasswordHasher, hashNeedsRehash, maxPasswordLength } from '../src/vault/passwords.ts';

const codes = (password: string, policy = defaultPasswordPolicy, identifiers: string[] = []) =>
  checkPasswordPolicy(password, policy, { identifiers }).map((violation) => violation.code);

const policy = (overrides: Partial<PasswordPolicy>) => PasswordPolicy.parse(overrides);

describe('password policy (SECURITY-TESTS B1, NIST SP 800-63B §3.1.1.2)', () => {
  it('refuses a password below the minimum length and accepts one at it', () => {
    assert.deepEqual(codes('kq3#vLm'), ['password.too_short']);
    assert.deepEqual(codes('kq3#vLm9'), []);
    assert.deepEqual(codes(''), ['password.too_short']);
  });

  it('accepts a 128-character passphrase and anything up to 256 characters; caps the input beyond', () => {
    const passphrase = 'correct horse battery staple, then some more words to make it long! '
      .repeat(3)
      .slice(0, 128);
    assert.equal(passphrase.length, 128);
    assert.deepEqual(codes(passphrase), []);
    const longest = 'Zq7!'.repeat(64);
    assert.deepEqual(codes(longest), []);
    assert.deepEqual(codes(`${longest}x`), ['password.too_long']);
    // Only the length is evaluated on input that will never be hashed.
    assert.deepEqual(codes('password'.repeat(10_000)), ['password.too_long']);
  });

  it('counts characters as people do: code points after NFC, so emoji count once', () => {
    assert.deepEqual(codes('🔑🔑🔑🔑🔑🔑🔑'), ['password.too_short']); // 7 emoji, 14 UTF-16 units
    assert.deepEqual(codes('🔑🔑🔑🔑🔑🔑🔑🔑'), []);
    // "e" + combining acute accent ×8 → 8 "é" after NFC.
    assert.deepEqual(codes('e\u0301'.repeat(7)), ['password.too_short']);
    assert.equal(checkPasswordPolicy('🔑'.repeat(256)).length, 0);
    assert.deepEqual(codes('🔑'.repeat(257)), ['password.too_long']);
  });

  it('allows spaces, emoji and any script, with no composition rules by default', () => {
    for (const password of [
      'my cat likes warm toast',
      '        spaces  only?  ',
      'ฉันชอบกินข้าวเหนียวมะม่วง',
      '🐢🚀 slow rocket 🌙',
      'alllowercaseletters',
      'déjà vu all over again',
    ]) {
      assert.deepEqual(codes(password), [], password);
    }
  });

  it('applies composition rules only when the policy asks for them', () => {
    const strict = policy({
      requireUpper: true,
      requireLower: true,
      requireDigit: true,
      requireSymbol: true,
    });
    assert.deepEqual(codes('alllowercaseletters', strict), [
      'password.missing_upper',
      'password.missing_digit',
      'password.missing_symbol',
    ]);
    assert.deepEqual(codes('ÉCOLE NORMALE 1794', strict), ['password.missing_lower']);
    assert.deepEqual(codes('Ünïcödé wörds 42', strict), []);
  });

  it("applies Logto's rule of a minimum number of character kinds when set", () => {
    const three = policy({ minCharacterTypes: 3 });
    assert.deepEqual(codes('only lower case words', three), ['password.too_few_character_types']);
    assert.deepEqual(codes('Upper and lower 4 you', three), []);
    assert.deepEqual(codes('only lower case words'), []);
  });

  it('reads the sign-in experience setting (Logto shape)', () => {
    assert.deepEqual(
      passwordPolicyFromSettings({
        length: { min: 12 },
        characterTypes: { min: 2 },
        rejects: { pwned: false, userInfo: true },
      }),
      { ...defaultPasswordPolicy, minLength: 12, minCharacterTypes: 2, rejectBreached: false },
    );
  });

  it('takes a minimum length between 8 and 256', () => {
    assert.deepEqual(codes('twelve chars', policy({ minLength: 16 })), ['password.too_short']);
    assert.equal(PasswordPolicy.safeParse({ minLength: 7 }).success, false);
    assert.equal(PasswordPolicy.safeParse({ minLength: 257 }).success, false);
    assert.equal(PasswordPolicy.safeParse({ minLength: 256 }).success, true);
  });

  it('refuses common (breached) passwords from an offline list of over 10,000, ignoring case', () => {
    assert.ok(commonPasswordCount() >= 10_000, `${commonPasswordCount()} entries`);
    for (const password of [
      'password',
      'PASSWORD',
      'Password',
      '12345678',
      'qwertyuiop',
      'iloveyou',
      'baseball',
    ]) {
      assert.ok(codes(password).includes('password.breached'), password);
    }
    assert.equal(isCommonPassword('trustno1'), true);
    assert.equal(isCommonPassword('glacier violin 1987 tangent'), false);
    assert.deepEqual(codes('password', policy({ rejectBreached: false })), []);
  });

  it("refuses passwords equal to or containing the user's username, email local part or phone", () => {
    const identifiers = ['Somchai_K', 'somchai.k@example.com', '66812345678'];
    assert.deepEqual(codes('somchai_k', defaultPasswordPolicy, identifiers), [
      'password.contains_identifier',
    ]);
    assert.deepEqual(codes('my name is SOMCHAI_K!', defaultPasswordPolicy, identifiers), [
      'password.contains_identifier',
    ]);
    assert.deepEqual(codes('somchai.k rocks 2024', defaultPasswordPolicy, identifiers), [
      'password.contains_identifier',
    ]);
    assert.deepEqual(codes('call me at 66812345678', defaultPasswordPolicy, identifiers), [
      'password.contains_identifier',
    ]);
    // The domain of an email is not the user's: only the local part counts.
    assert.deepEqual(codes('example.com is my site', defaultPasswordPolicy, identifiers), []);
    // Identifiers shorter than 3 characters would refuse too much.
    assert.deepEqual(codes('a long password with jo in it', defaultPasswordPolicy, ['jo', 'jo@x.io']), []);
    assert.deepEqual(codes('somchai_k', policy({ rejectIdentifiers: false }), identifiers), []);
  });

  it('refuses control characters and lone surrogates (RFC 8265 §4.2 OpaqueString)', () => {
    assert.deepEqual(codes('nul\u0000inside it'), ['password.invalid_characters']);
    assert.deepEqual(codes('tab\tinside it'), ['password.invalid_characters']);
    assert.deepEqual(codes('lone \ud800 surrogate'), ['password.invalid_characters']);
  });
});

describe('password hashing (SECURITY-TESTS B2)', () => {
  const hasher = createPasswordHasher();

  it('stores an argon2id PHC string with m=19456, t=2, p=1 and a random salt', async () => {
    const first = await hasher.hash('glacier violin 1987 tangent');
    const second = await hasher.hash('glacier violin 1987 tangent');
    assert.match(first, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(first, second);
    assert.ok(!first.includes('glacier'));
    assert.deepEqual(await hasher.verify(first, 'glacier violin 1987 tangent'), {
      ok: true,
      needsRehash: false,
    });
    assert.deepEqual(await hasher.verify(first, 'glacier violin 1987 tangenT'), {
      ok: false,
      needsRehash: false,
    });
  });

  it('never truncates: a 256-character password differs from its 255-character prefix', async () => {
    const password = `${'a'.repeat(255)}b`;
    const phc = await hasher.hash(password);
    assert.equal((await hasher.verify(phc, password)).ok, true);
    assert.equal((await hasher.verify(phc, password.slice(0, 255))).ok, false);
    assert.equal((await hasher.verify(phc, `${password.slice(0, 255)}c`)).ok, false);
  });

  it('normalises to NFC, so a composed and a decomposed "é" are the same password', async () => {
    const phc = await hasher.hash('caf\u00e9 au lait ☕');
    assert.equal((await hasher.verify(phc, 'cafe\u0301 au lait ☕')).ok, true);
    assert.equal((await hasher.verify(phc, 'cafe au lait ☕')).ok, false);
  });

  it('refuses to hash input over 256 characters; verifying it is a plain mismatch', async () => {
    const phc = await hasher.hash('x'.repeat(maxPasswordLength));
    await assert.rejects(hasher.hash('x'.repeat(maxPasswordLength + 1)), RangeError);
    assert.deepEqual(await hasher.verify(phc, 'x'.repeat(maxPasswordLength + 1)), {
      ok: false,
      needsRehash: false,
    });
    await assert.rejects(hasher.hash('lone \ud800 surrogate'), RangeError);
  });

  it('reports weaker or different parameters as needing a rehash, on a match only', async () => {
    const weak = await argon2Hash('old password here', {
      algorithm: 2,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
    });
    assert.deepEqual(await hasher.verify(weak, 'old password here'), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(weak, 'wrong password'), { ok: false, needsRehash: false });
    const argon2i = await argon2Hash('old password here', {
      algorithm: 1,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    assert.equal(hashNeedsRehash(argon2i), true);
    const current = await hasher.hash('old password here');
    assert.equal(hashNeedsRehash(current), false);
  });

  it('treats a malformed stored value as a mismatch, not an error', async () => {
    for (const stored of [
      '',
      'not a hash',
      '$2b$10$abcdefghijklmnopqrstuv',
      '$argon2id$v=19$m=19456,t=2,p=1$$',
    ]) {
      assert.deepEqual(await hasher.verify(stored, 'anything'), { ok: false, needsRehash: false }, stored);
    }
  });

  it('verifies against a dummy hash as slowly as against a real one, and always answers false (B5)', async () => {
    const phc = await hasher.hash('glacier violin 1987 tangent');
    assert.equal(await hasher.verifyDummy('glacier violin 1987 tangent'), false);
    // Interleaved samples, compared by their medians, so load from other tests affects both alike.
    const real: number[] = [];
    const dummy: number[] = [];
    for (let i = 0; i < 7; i++) {
      let start = performance.now();
      await hasher.verify(phc, 'wrong guess');
      real.push(performance.now() - start);
      start = performance.now();
      await hasher.verifyDummy('wrong guess');
      dummy.push(performance.now() - start);
    }
    const median = (samples: number[]) => samples.sort((a, b) => a - b)[3] ?? 0;
    const [r, d] = [median(real), median(dummy)];
    assert.ok(d > r * 0.4 && d < r * 2.5, `dummy ${d.toFixed(1)} ms vs real ${r.toFixed(1)} ms`);
  });

  it('runs at most maxConcurrent hashes, queues maxQueue more, and sheds the rest with 429 and Retry-After', async () => {
    const small = createPasswordHasher({ maxConcurrent: 1, maxQueue: 1 });
    const results = await Promise.allSettled([
      small.hash('first password'),
      small.hash('second password'),
      small.hash('third password'),
    ]);
    assert.equal(results[0]?.status, 'fulfilled');
    assert.equal(results[1]?.status, 'fulfilled');
    assert.equal(results[2]?.status, 'rejected');
    const error = (results[2] as PromiseRejectedResult).reason;
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'request.too_many_requests');
    assert.deepEqual(error.headers, { 'Retry-After': '1' });
    assert.deepEqual(small.stats(), { running: 0, queued: 0, shed: 1, maxConcurrent: 1, maxQueue: 1 });
  });

  it('keeps the event loop responsive while hashing (the work runs on the thread pool)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([
      hasher.hash('one password'),
      hasher.hash('two password'),
      hasher.hash('three password'),
    ]);
    clearInterval(timer);
    assert.ok(ticks > 3, `${ticks} timer ticks during hashing`);
  });
});
