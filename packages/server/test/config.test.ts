import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderConfigurationDoc } from '../src/config/docs.ts';
import { ConfigError, loadConfig } from '../src/config/load.ts';
import { testKek } from './support/server.ts';

const root = path.resolve(import.meta.dirname, '../../..');

const configErrorLines = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, 'expected a ConfigError');
    return error.lines;
  }
  assert.fail('expected the configuration to be refused');
};

describe('configuration (SPEC §1)', () => {
  it('defaults to port 3001, ENDPOINT http://localhost:$PORT, ./data, embedded storage', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3001);
    assert.equal(config.endpoint, 'http://localhost:3001');
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.nodeEnv, 'development');
    assert.deepEqual(config.trustProxy, []);
  });

  it('derives ENDPOINT from PORT and strips a trailing slash from an explicit ENDPOINT', () => {
    assert.equal(loadConfig({ PORT: '4000' }).endpoint, 'http://localhost:4000');
    assert.equal(loadConfig({ ENDPOINT: 'https://id.example.com/' }).endpoint, 'https://id.example.com');
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: ' ' }).port, 3001);
  });

  it('decodes the vault keys and the trusted proxy list', () => {
    const kek = testKek();
    const config = loadConfig({ SECRET_VAULT_KEK: kek, TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    assert.deepEqual(config.vault.kek, Buffer.from(kek, 'base64'));
    assert.deepEqual(config.trustProxy, ['loopback', '10.0.0.0/8']);
  });

  const refused: Array<[string, Record<string, string>, string]> = [
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['PORT=70000', { PORT: '70000' }, 'PORT'],
    ['PORT=3.5', { PORT: '3.5' }, 'PORT'],
    ['a KEK of 16 bytes', { SECRET_VAULT_KEK: Buffer.alloc(16, 1).toString('base64') }, 'SECRET_VAULT_KEK'],
    ['a KEK that is not base64', { SECRET_VAULT_KEK: 'not base64 at all!' }, 'SECRET_VAULT_KEK'],
    ['an unparsable DATABASE_URL', { DATABASE_URL: 'postgres//nope' }, 'DATABASE_URL'],
    ['a DATABASE_URL of another database', { DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL'],
    ['a REDIS_URL that is not redis', { REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    ['an ENDPOINT with a query', { ENDPOINT: 'https://id.example.com/?x=1' }, 'ENDPOINT'],
    ['an ENDPOINT that is not http(s)', { ENDPOINT: 'ftp://id.example.com' }, 'ENDPOINT'],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, 'NODE_ENV'],
    ['a TRUST_PROXY entry that is not an address', { TRUST_PROXY: 'my-proxy.internal' }, 'TRUST_PROXY'],
    ['production without SECRET_VAULT_KEK', { NODE_ENV: 'production' }, 'SECRET_VAULT_KEK'],
    [
      'an admin client id without its secret',
      { GATEHOUSE_ADMIN_CLIENT_ID: 'admin' },
      'GATEHOUSE_ADMIN_CLIENT_SECRET',
    ],
    [
      'an admin client id longer than an application id (21 characters)',
      { GATEHOUSE_ADMIN_CLIENT_ID: 'a'.repeat(22), GATEHOUSE_ADMIN_CLIENT_SECRET: 'x'.repeat(40) },
      'GATEHOUSE_ADMIN_CLIENT_ID',
    ],
    [
      'a short admin client secret',
      { GATEHOUSE_ADMIN_CLIENT_ID: 'admin', GATEHOUSE_ADMIN_CLIENT_SECRET: 'short' },
      'GATEHOUSE_ADMIN_CLIENT_SECRET',
    ],
    [
      'an admin password without a username',
      { GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery' },
      'GATEHOUSE_ADMIN_USERNAME',
    ],
  ];
  for (const [what, env, variable] of refused) {
    it(`refuses ${what} with one line naming ${variable}`, () => {
      const lines = configErrorLines(env);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', new RegExp(`^Invalid configuration: ${variable} `));
    });
  }

  it('never echoes the value of a secret variable in its error line', () => {
    const [line] = configErrorLines({ SECRET_VAULT_KEK: 'c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==' });
    assert.doesNotMatch(line ?? '', /c2VjcmV0/);
    const [dbLine] = configErrorLines({ DATABASE_URL: 'postgres//user:hunter2@db' });
    assert.doesNotMatch(dbLine ?? '', /hunter2/);
  });

  it('names every bad variable when several are wrong, one line each', () => {
    const lines = configErrorLines({ PORT: 'abc', LOG_LEVEL: 'loud' });
    assert.equal(lines.length, 2);
  });
});

describe('configuration at process start', () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('stops with exit code 78 and one clear line on stderr for PORT=abc, without a stack trace', () => {
    const result = start({ PORT: 'abc' });
    assert.equal(result.status, 78);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /^Invalid configuration: PORT must be a whole number/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(result.stdout, '');
  });

  it('stops with one line for a 31-byte SECRET_VAULT_KEK and for a bad DATABASE_URL', () => {
    for (const [env, variable] of [
      [{ SECRET_VAULT_KEK: Buffer.alloc(31, 7).toString('base64') }, 'SECRET_VAULT_KEK'],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    ] as const) {
      const result = start(env);
      assert.equal(result.status, 78);
      assert.match(result.stderr.trim(), new RegExp(`^Invalid configuration: ${variable} [^\\n]+$`));
    }
  });
});

describe('docs/configuration.md', () => {
  it('is the table generated from the config schema (run `npm run docs:config` after changing a setting)', () => {
    const onDisk = readFileSync(path.join(root, 'docs/configuration.md'), 'utf8');
    assert.equal(onDisk, renderConfigurationDoc());
  });

  it('documents every variable the schema reads', () => {
    const doc = renderConfigurationDoc();
    for (const variable of [
      'PORT',
      'ENDPOINT',
      'DATA_DIR',
      'DATABASE_URL',
      'REDIS_URL',
      'SECRET_VAULT_KEK',
      'TRUST_PROXY',
      'LOG_LEVEL',
      'NODE_ENV',
      'GATEHOUSE_ADMIN_CLIENT_ID',
      'GATEHOUSE_ADMIN_CLIENT_SECRET',
      'GATEHOUSE_ADMIN_USERNAME',
      'GATEHOUSE_ADMIN_PASSWORD',
    ]) {
      assert.match(doc, new RegExp(`\\| \`${variable}\` \\|`));
    }
  });
});
