import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.ts';
import type { Logger } from '../observability/logger.ts';
import { createKeyring, type Keyring } from './envelope.ts';

export const devKekFile = 'secret-vault-kek.dev';

/**
 * The vault's keyring from configuration. Without `SECRET_VAULT_KEK` (development only: config refuses it in
 * production) a key is generated once into DATA_DIR and reused, so a restart can read what it sealed.
 */
export const loadKeyring = (config: Config, logger: Logger): Keyring => {
  const previous = config.vault.previousKek ? [config.vault.previousKek] : [];
  if (config.vault.kek) return createKeyring(config.vault.kek, previous);
  if (config.nodeEnv === 'production') throw new Error('SECRET_VAULT_KEK is required in production.');

  const file = path.join(config.dataDir, devKekFile);
  let kek: Buffer;
  if (existsSync(file)) {
    kek = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (kek.length !== 32)
      throw new Error(`${file} does not hold a 32-byte base64 key; delete it or set SECRET_VAULT_KEK.`);
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    kek = randomBytes(32);
    writeFileSync(file, `${kek.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  logger.warn(
    { file },
    'SECRET_VAULT_KEK is not set: using a DEVELOPMENT key stored beside the data. Anyone who can read DATA_DIR can decrypt every secret. Set SECRET_VAULT_KEK (base64 of 32 random bytes) before real use.',
  );
  return createKeyring(kek, previous);
};
