import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type Algorithm, hash, parseOptions, type Version, verify } from '@node-rs/argon2';
import { ApiError } from '../http/errors.ts';

/**
 * Password hashing (SECURITY-TESTS B2): argon2id, m=19456 KiB, t=2, p=1 — OWASP's first recommended setting
 * (Password Storage Cheat Sheet), RFC 9106 §4 — stored as a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`.
 *
 * @node-rs/argon2 computes on the libuv thread pool, never on the event loop. Each hash takes ~19 MiB and tens of
 * milliseconds of a core, so a flood of sign-ins could still exhaust the pool (which also serves fs and dns) and
 * memory. The hasher therefore runs at most `maxConcurrent` computations at once, queues up to `maxQueue` more,
 * and sheds the rest at once with `429 request.too_many_requests` and `Retry-After: 1` (SECURITY-TESTS F: a login
 * flood is shed while the other endpoints stay fast).
 */

// `Algorithm` and `Version` are `const enum`s in the package's typings, which `verbatimModuleSyntax` cannot
// inline; these are their documented values.
const argon2id = 2 as Algorithm;
const version0x13 = 1 as Version;

/** The parameters of every new hash. Changing them makes `verify` report `needsRehash` for older hashes. */
export const passwordHashParameters = {
  algorithm: argon2id,
  version: version0x13,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** The salt length @node-rs/argon2 generates (bytes); shorter salts in stored hashes are upgraded. */
const saltLength = 16;

/**
 * The longest password accepted, in Unicode code points after NFC normalisation. argon2 itself takes any length,
 * but a cap keeps the work per request bounded (SECURITY-TESTS B1 "input capped") and is far above any
 * passphrase a person types; longer input is refused before it is hashed.
 */
export const maxPasswordLength = 256;

/**
 * RFC 8265 §4.2 (PRECIS OpaqueString, the profile for passwords) normalises with NFC: the same password typed
 * on two systems — one composing "é" as U+00E9, another as "e" + U+0301 (macOS input methods, some mobile
 * keyboards) — must give the same bytes, or the user is locked out of their own account. NFC only merges
 * canonically equivalent sequences, so no two passwords that look different become equal (NFKC would also fold
 * compatibility characters such as full-width letters, losing entropy). Both `hash` and `verify` normalise, so
 * no caller can forget.
 */
export const normalizePassword = (password: string) => password.normalize('NFC');

/** The length of a (normalised) password as a person counts it: code points, not UTF-16 units. */
export const passwordLength = (password: string) => {
  let count = 0;
  for (const _ of password) count += 1;
  return count;
};

export type PasswordVerification = { ok: boolean; needsRehash: boolean };

export type PasswordHasherStats = {
  /** Computations running now. */
  running: number;
  /** Computations waiting for a slot. */
  queued: number;
  /** Requests refused because the queue was full, since the hasher was created. */
  shed: number;
  maxConcurrent: number;
  maxQueue: number;
};

export type PasswordHasher = {
  /** A PHC string of the NFC-normalised password. Rejects input over `maxPasswordLength` (check the policy first). */
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches the stored PHC string, and whether that string should be replaced by a fresh
   * hash (weaker or different parameters: SECURITY-TESTS B2, upgraded at the next sign-in). A malformed stored
   * value or an over-long password is a mismatch that costs the same as a real verification.
   */
  verify(phc: string, password: string): Promise<PasswordVerification>;
  /**
   * A verification against a fixed dummy hash, computed once: as slow as a real one, always false. For accounts
   * that do not exist or have no password, so the answer's timing does not tell them apart (SECURITY-TESTS B5).
   */
  verifyDummy(password: string): Promise<false>;
  stats(): PasswordHasherStats;
};

/** Whether a stored hash was made with other parameters than the current ones (then it should be replaced). */
export const hashNeedsRehash = (phc: string): boolean => {
  const options = parseOptions(phc);
  return (
    options.algorithm !== passwordHashParameters.algorithm ||
    options.version !== passwordHashParameters.version ||
    options.memoryCost !== passwordHashParameters.memoryCost ||
    options.timeCost !== passwordHashParameters.timeCost ||
    options.parallelism !== passwordHashParameters.parallelism ||
    options.outputLen < passwordHashParameters.outputLen ||
    options.saltLen < saltLength
  );
};

// A lone surrogate is not text: it would reach argon2 as U+FFFD and collide with that character. The policy
// refuses such passwords, so none is ever stored; at verification it is simply a mismatch.
const loneSurrogate = /\p{Cs}/u;

const isAcceptableInput = (normalized: string) =>
  passwordLength(normalized) <= maxPasswordLength && !loneSurrogate.test(normalized);

const isWellFormedPhc = (phc: string) => {
  try {
    parseOptions(phc);
    return true;
  } catch {
    return false;
  }
};

// Defaults: leave one core to everything else (the token endpoint must keep its latency while a login flood is
// hashed), and queue only what can be served within about half a second (~30 ms a hash); shed the rest with 429.
export const createPasswordHasher = ({
  maxConcurrent = Math.max(1, availableParallelism() - 1),
  maxQueue = 16 * Math.max(1, availableParallelism() - 1),
}: {
  maxConcurrent?: number;
  maxQueue?: number;
} = {}): PasswordHasher => {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
    throw new RangeError('maxConcurrent must be ≥ 1');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be ≥ 0');

  let running = 0;
  let shed = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  const start = async <T>(task: () => Promise<T>): Promise<T> => {
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
  /** Runs `task` when a slot is free; refuses at once when the queue is full. */
  const limited = <T>(task: () => Promise<T>): Promise<T> => {
    if (running < maxConcurrent) return start(task);
    if (waiting.length >= maxQueue) {
      shed += 1;
      return Promise.reject(new ApiError('request.too_many_requests', undefined, { 'Retry-After': '1' }));
    }
    return new Promise<T>((resolve, reject) => {
      waiting.push(() => void start(task).then(resolve, reject));
    });
  };

  // The dummy hash: of a random secret nobody knows, with the current parameters, so verifying against it costs
  // what verifying against a real hash costs. Started now, outside the queue, so the first unknown-user sign-in
  // is not slower than the next ones.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hash(randomBytes(32).toString('base64url'), passwordHashParameters);
    return dummyHash;
  };
  void dummy().catch(() => {
    dummyHash = undefined; // Retried at first use; the error surfaces there.
  });

  const verifyDummy = async (password: string): Promise<false> => {
    const phc = await dummy();
    // An over-long password is not hashed: the empty string costs the same (argon2 pre-hashes its input).
    const normalized = normalizePassword(password);
    const input = isAcceptableInput(normalized) ? normalized : '';
    await limited(() => verify(phc, input).catch(() => false));
    return false;
  };

  return {
    hash: (password) => {
      const normalized = normalizePassword(password);
      if (!isAcceptableInput(normalized)) {
        return Promise.reject(
          new RangeError(`a password is well-formed text of at most ${maxPasswordLength} characters`),
        );
      }
      return limited(() => hash(normalized, passwordHashParameters));
    },

    verify: async (phc, password) => {
      const normalized = normalizePassword(password);
      if (!isAcceptableInput(normalized) || !isWellFormedPhc(phc)) {
        return { ok: await verifyDummy(''), needsRehash: false };
      }
      const ok = await limited(() => verify(phc, normalized).catch(() => false));
      // Only reported on a match: a fresh hash needs the right password, and a caller that rehashed on a
      // mismatch would let anyone replace the password.
      return { ok, needsRehash: ok && hashNeedsRehash(phc) };
    },

    verifyDummy,

    stats: () => ({ running, queued: waiting.length, shed, maxConcurrent, maxQueue }),
  };
};
