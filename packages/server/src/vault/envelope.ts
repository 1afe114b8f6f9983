import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption (SPEC §7): each secret is encrypted with its own random 256-bit data key (AES-256-GCM,
 * random 96-bit IV); the data key is itself encrypted ("wrapped") with the key-encryption key (KEK). Both
 * layers authenticate the caller's associated data, so an envelope copied to another row fails to open.
 *
 * Wire form, all parts base64url:  v1.<kekId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>
 */

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;

export type VaultErrorCode = 'vault.malformed' | 'vault.unknown_key' | 'vault.decrypt_failed';

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export type Keyring = {
  /** Id of the KEK that seals new envelopes. */
  currentId: string;
  /** Looks a KEK up by id (current or previous); undefined when this process does not hold it. */
  get(id: string): Buffer | undefined;
};

/** A KEK's id: derived from the key so that any instance holding it agrees, and reveals nothing about it. */
export const kekId = (kek: Buffer): string =>
  createHash('sha256').update('gatehouse-vault-kek-id\0').update(kek).digest('base64url').slice(0, 16);

export const createKeyring = (current: Buffer, previous: Buffer[] = []): Keyring => {
  for (const key of [current, ...previous]) {
    if (key.length !== keyBytes)
      throw new VaultError('vault.malformed', 'A key-encryption key must be 32 bytes.');
  }
  const byId = new Map([current, ...previous].map((key) => [kekId(key), key] as const));
  const currentId = kekId(current);
  return { currentId, get: (id) => byId.get(id) };
};

const encrypt = (key: Buffer, plaintext: Buffer, aad: Buffer) => {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
};

const decrypt = (key: Buffer, iv: Buffer, body: Buffer, aad: Buffer) => {
  if (iv.length !== ivBytes || body.length < tagBytes)
    throw new VaultError('vault.malformed', 'Malformed envelope.');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - tagBytes)), decipher.final()]);
  } catch {
    throw new VaultError(
      'vault.decrypt_failed',
      'The secret could not be decrypted: it was altered, belongs to another record, or the key is wrong.',
    );
  }
};

// The wrapped data key is bound to the same associated data and to the KEK id it claims.
const wrapAad = (kid: string, aad: string) => Buffer.from(`${version}|wrap|${kid}|${aad}`);
const dataAad = (aad: string) => Buffer.from(`${version}|data|${aad}`);

type Sealed = { iv: Buffer; body: Buffer };

const format = (kid: string, wrapped: Sealed, sealed: Sealed) =>
  [version, kid, wrapped.iv, wrapped.body, sealed.iv, sealed.body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');

export const seal = (keyring: Keyring, plaintext: Buffer | string, aad: string): string => {
  const kek = keyring.get(keyring.currentId);
  if (!kek) throw new VaultError('vault.unknown_key', 'The current key-encryption key is not loaded.');
  const dataKey = randomBytes(keyBytes);
  try {
    const wrapped = encrypt(kek, dataKey, wrapAad(keyring.currentId, aad));
    const sealed = encrypt(
      dataKey,
      Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'),
      dataAad(aad),
    );
    return format(keyring.currentId, wrapped, sealed);
  } finally {
    dataKey.fill(0);
  }
};

type ParsedEnvelope = { kid: string; wrapIv: Buffer; wrapped: Buffer; iv: Buffer; body: Buffer };

const parse = (envelope: string): ParsedEnvelope => {
  const parts = envelope.split('.');
  const [v, kid, wrapIv, wrapped, iv, body] = parts;
  if (parts.length !== 6 || v !== version || !kid || !wrapIv || !wrapped || !iv || !body) {
    throw new VaultError('vault.malformed', 'Malformed envelope.');
  }
  const b = (text: string) => {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new VaultError('vault.malformed', 'Malformed envelope.');
    return Buffer.from(text, 'base64url');
  };
  return { kid, wrapIv: b(wrapIv), wrapped: b(wrapped), iv: b(iv), body: b(body) };
};

/** The id of the KEK an envelope is wrapped under. */
export const envelopeKekId = (envelope: string): string => parse(envelope).kid;

const unwrapDataKey = (keyring: Keyring, parsed: ParsedEnvelope, aad: string) => {
  const kek = keyring.get(parsed.kid);
  if (!kek) {
    throw new VaultError(
      'vault.unknown_key',
      `The secret is wrapped under key ${parsed.kid}, which this server does not hold (set SECRET_VAULT_KEK or SECRET_VAULT_KEK_PREVIOUS).`,
    );
  }
  return decrypt(kek, parsed.wrapIv, parsed.wrapped, wrapAad(parsed.kid, aad));
};

export const open = (keyring: Keyring, envelope: string, aad: string): Buffer => {
  const parsed = parse(envelope);
  const dataKey = unwrapDataKey(keyring, parsed, aad);
  try {
    return decrypt(dataKey, parsed.iv, parsed.body, dataAad(aad));
  } finally {
    dataKey.fill(0);
  }
};

/** Re-wraps the data key under the current KEK; the encrypted secret itself is untouched. */
export const rewrap = (keyring: Keyring, envelope: string, aad: string): string => {
  const parsed = parse(envelope);
  if (parsed.kid === keyring.currentId) return envelope;
  const dataKey = unwrapDataKey(keyring, parsed, aad);
  const kek = keyring.get(keyring.currentId);
  if (!kek) throw new VaultError('vault.unknown_key', 'The current key-encryption key is not loaded.');
  try {
    const wrapped = encrypt(kek, dataKey, wrapAad(keyring.currentId, aad));
    return format(keyring.currentId, wrapped, { iv: parsed.iv, body: parsed.body });
  } finally {
    dataKey.fill(0);
  }
};
