import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Field,
  fieldsOf,
  flatten,
  initialValues,
  issuesToErrors,
  type JsonSchema,
  localizeError,
  secretMask,
  toConfig,
  toMetadata,
  validate,
  validateMetadata,
} from '../../console/src/schema-form-logic.ts';
import { connectorFactories, describeFactory } from '../src/connectors/factories.ts';

/**
 * The console's form generated from a connector factory's JSON Schema (issue 7, "Connectors";
 * packages/console/src/schema-form-logic.ts, plain TS imported across packages), on the real `oidc` schema as the
 * server answers it from `GET /api/connector-factories/oidc`.
 */

const oidcFactory = connectorFactories.find((factory) => factory.id === 'oidc');
if (!oidcFactory) throw new Error('the oidc factory');
const oidc = describeFactory(oidcFactory);
const schema = oidc.configSchema as JsonSchema;
const fields = fieldsOf(schema, oidc.secretFields);
const byPath = new Map(flatten(fields).map((field) => [field.path, field]));
const field = (path: string): Field => {
  const found = byPath.get(path);
  assert.ok(found, `a field ${path}`);
  return found;
};

const filled = () => ({
  ...initialValues(fields),
  clientId: 'gatehouse',
  clientSecret: 'upstream-secret',
  authorizationEndpoint: 'https://id.example.com/authorize',
  tokenEndpoint: 'https://id.example.com/token',
  'idTokenVerificationConfig.jwksUri': 'https://id.example.com/jwks',
  'idTokenVerificationConfig.issuer': 'https://id.example.com',
});

describe('the schema form on the real oidc factory schema', () => {
  it('derives the fields: kinds, required marks, secrets, URLs, enums, nested objects, maps, enum arrays', () => {
    assert.equal(field('clientId').kind, 'string');
    assert.equal(field('clientId').required, true);
    const secret = field('clientSecret');
    assert.ok(secret.kind === 'string' && secret.secret, 'the client secret is a secret (writeOnly)');
    const authorization = field('authorizationEndpoint');
    assert.ok(authorization.kind === 'string' && authorization.url?.httpOnly, 'an http(s) URL');
    assert.match(authorization.description ?? '', /http\(s\) URL/);
    const method = field('tokenEndpointAuthMethod');
    assert.ok(method.kind === 'string');
    assert.deepEqual(method.options, ['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
    assert.equal(method.required, false);
    const nested = field('idTokenVerificationConfig');
    assert.equal(nested.kind, 'object');
    assert.equal(nested.required, true);
    assert.equal(field('idTokenVerificationConfig.jwksUri').required, true);
    const issuer = field('idTokenVerificationConfig.issuer');
    assert.ok(
      issuer.kind === 'list' && issuer.single,
      'anyOf string|array of strings: a list, one line a string',
    );
    assert.equal(issuer.maxItems, 20);
    assert.equal(field('idTokenVerificationConfig.audience').kind, 'list');
    const algorithms = field('idTokenVerificationConfig.algorithms');
    assert.ok(
      algorithms.kind === 'multi' && algorithms.options.includes('RS256') && algorithms.minItems === 1,
    );
    assert.equal(field('customConfig').kind, 'map');
    assert.equal(field('acceptStringEmailVerified').kind, 'boolean');
    assert.equal(field('authRequestOptionalConfig').kind, 'object');
    assert.equal(field('authRequestOptionalConfig').required, false);
    // What the form cannot edit is left out: a `const`.
    assert.equal(byPath.has('authRequestOptionalConfig.responseType'), false);
    // A map of booleans (`crit`) is edited as flag rows; a date (`currentDate`) as an ISO 8601 string.
    const crit = field('idTokenVerificationConfig.crit');
    assert.ok(crit.kind === 'map' && crit.flags);
    const currentDate = field('idTokenVerificationConfig.currentDate');
    assert.ok(currentDate.kind === 'string' && currentDate.dateTime);
    assert.equal(field('clientSecret').label, 'Client secret');
    assert.equal(field('idTokenVerificationConfig.jwksUri').label, 'JWKS URI');
  });

  it('starts a new form from the defaults', () => {
    const values = initialValues(fields);
    assert.equal(values.tokenEndpointAuthMethod, 'client_secret_basic');
    assert.equal(values.scope, 'openid');
    assert.equal(values.acceptStringEmailVerified, false);
    assert.deepEqual(values['idTokenVerificationConfig.algorithms'], []);
    assert.deepEqual(values.customConfig, []);
  });

  it('validates before submit: required, URL-shaped strings, enums, min/max, enum arrays, map rows', () => {
    const empty = validate(fields, initialValues(fields));
    for (const path of [
      'clientId',
      'clientSecret',
      'authorizationEndpoint',
      'tokenEndpoint',
      'idTokenVerificationConfig.jwksUri',
    ]) {
      assert.equal(empty[path], 'is required', path);
    }
    // An optional nested object left empty needs nothing.
    assert.equal(
      Object.keys(empty).some((path) => path.startsWith('authRequestOptionalConfig')),
      false,
    );

    assert.deepEqual(validate(fields, filled()), {});
    const bad = validate(fields, {
      ...filled(),
      authorizationEndpoint: 'not a url',
      tokenEndpoint: 'ftp://id.example.com/token',
      tokenEndpointAuthMethod: 'private_key_jwt',
      'idTokenVerificationConfig.clockTolerance': 'x'.repeat(33),
      'idTokenVerificationConfig.algorithms': ['RS256', 'none'],
      customConfig: [
        ['prompt', 'login'],
        ['prompt', 'consent'],
      ],
      clientId: 'x'.repeat(513),
    });
    assert.equal(bad.authorizationEndpoint, 'must be an absolute http(s) URL');
    assert.equal(bad.tokenEndpoint, 'must be an http(s) URL');
    assert.match(bad.tokenEndpointAuthMethod ?? '', /^must be one of client_secret_basic/);
    assert.equal(bad['idTokenVerificationConfig.clockTolerance'], 'must be at most 32 characters');
    assert.equal(bad['idTokenVerificationConfig.algorithms'], 'unknown choice: none');
    assert.equal(bad.customConfig, 'names must be unique');
    assert.equal(bad.clientId, 'must be at most 512 characters');

    // Filling one field of an optional object makes its required fields required.
    const partial = validate(fields, { ...filled(), 'authRequestOptionalConfig.prompt': 'login' });
    assert.deepEqual(partial, {});
  });

  it('edits "a string or a list of strings" one per line: one line sent as a string, several as a list', () => {
    const values = { ...filled(), 'idTokenVerificationConfig.audience': ' gatehouse \n\nbookstore\n' };
    assert.deepEqual(validate(fields, values), {});
    const config = toConfig(fields, values);
    const verification = config.idTokenVerificationConfig as Record<string, unknown>;
    assert.equal(verification.issuer, 'https://id.example.com', 'one line: a string');
    assert.deepEqual(verification.audience, ['gatehouse', 'bookstore'], 'blank lines dropped, trimmed');
    assert.equal(oidcFactory.configSchema.safeParse(config).success, true);

    // Stored lists come back one per line; emptied on edit, the key is dropped from the nested object.
    const stored = { ...config, clientSecret: secretMask };
    const again = initialValues(fields, stored);
    assert.equal(again['idTokenVerificationConfig.audience'], 'gatehouse\nbookstore');
    const emptied = toConfig(fields, { ...again, 'idTokenVerificationConfig.audience': '  ' }, stored);
    assert.equal('audience' in (emptied.idTokenVerificationConfig as object), false);

    const tooMany = Array.from({ length: 21 }, (_, i) => `https://id${i}.example.com`).join('\n');
    assert.equal(
      validate(fields, { ...filled(), 'idTokenVerificationConfig.issuer': tooMany })[
        'idTokenVerificationConfig.issuer'
      ],
      'must have at most 20 lines',
    );
    assert.equal(
      validate(fields, { ...filled(), 'idTokenVerificationConfig.issuer': 'x'.repeat(2049) })[
        'idTokenVerificationConfig.issuer'
      ],
      'each line must be at most 2048 characters',
    );
    // A plain array of strings (no enum) is a list too, always sent as a list.
    const plain = fieldsOf({
      type: 'object',
      properties: { hosts: { type: 'array', items: { type: 'string' } } },
    });
    assert.ok(plain[0]?.kind === 'list' && !plain[0].single);
    assert.deepEqual(toConfig(plain, { hosts: 'a.example.com' }), { hosts: ['a.example.com'] });
  });

  it('edits crit as named flags and currentDate as an ISO 8601 date', () => {
    const values = {
      ...filled(),
      'idTokenVerificationConfig.crit': [
        ['b64', 'true'],
        ['exp', 'false'],
      ] as Array<[string, string]>,
      'idTokenVerificationConfig.currentDate': '2026-01-31T12:00:00Z',
    };
    assert.deepEqual(validate(fields, values), {});
    const config = toConfig(fields, values);
    const verification = config.idTokenVerificationConfig as Record<string, unknown>;
    assert.deepEqual(verification.crit, { b64: true, exp: false });
    assert.equal(verification.currentDate, '2026-01-31T12:00:00.000Z');
    assert.equal(oidcFactory.configSchema.safeParse(config).success, true);
    const back = initialValues(fields, config);
    assert.deepEqual(back['idTokenVerificationConfig.crit'], [
      ['b64', 'true'],
      ['exp', 'false'],
    ]);
    assert.equal(back['idTokenVerificationConfig.currentDate'], '2026-01-31T12:00:00.000Z');
    assert.equal(
      validate(fields, { ...values, 'idTokenVerificationConfig.currentDate': 'next tuesday' })[
        'idTokenVerificationConfig.currentDate'
      ],
      'must be a date and time such as 2026-01-31T12:00:00Z',
    );
  });

  it('generates the smtp form: the URL (any scheme, its password masked inside), a sender that is not a URL', () => {
    const smtpFactory = connectorFactories.find((factory) => factory.id === 'smtp');
    assert.ok(smtpFactory);
    const smtp = describeFactory(smtpFactory);
    const smtpFields = fieldsOf(smtp.configSchema as JsonSchema, smtp.secretFields);
    const [url, from] = smtpFields;
    assert.ok(url?.kind === 'string' && url.key === 'url' && url.required && url.url && !url.url.httpOnly);
    assert.equal(
      url.secret,
      false,
      'the secret is the password inside the URL, kept by the server when masked',
    );
    assert.ok(
      from?.kind === 'string' && from.key === 'from' && !from.url,
      '"… of the URL" does not make a URL',
    );
    const stored = { url: `smtp://mailer:${secretMask}@mail.example.com:587`, from: 'id@example.com' };
    const values = initialValues(smtpFields, stored);
    assert.equal(values.url, stored.url, 'shown with the mask in place of the password');
    assert.deepEqual(
      validate(smtpFields, { ...values, from: 'Gatehouse <id@example.com>' }, { editing: true }),
      {},
    );
    assert.deepEqual(toConfig(smtpFields, { ...values, from: 'id2@example.com' }, stored), {
      url: stored.url,
      from: 'id2@example.com',
    });
  });

  it('checks numbers against minimum and maximum', () => {
    const numbers = fieldsOf({
      type: 'object',
      properties: { timeout: { type: 'integer', minimum: 1, maximum: 60 }, ratio: { type: 'number' } },
      required: ['timeout'],
    });
    assert.equal(validate(numbers, { timeout: '0', ratio: '' }).timeout, 'must be at least 1');
    assert.equal(validate(numbers, { timeout: '61', ratio: '' }).timeout, 'must be at most 60');
    assert.equal(validate(numbers, { timeout: '1.5', ratio: '' }).timeout, 'must be a whole number');
    assert.equal(validate(numbers, { timeout: 'abc', ratio: '0.5' }).timeout, 'must be a number');
    assert.deepEqual(toConfig(numbers, { timeout: '30', ratio: '0.5' }), { timeout: 30, ratio: 0.5 });
  });

  it('builds the config to create: nested objects, maps, enum arrays; empty optional fields left out', () => {
    const config = toConfig(fields, {
      ...filled(),
      'idTokenVerificationConfig.algorithms': ['RS256', 'ES256'],
      customConfig: [['prompt', 'login']],
    });
    assert.deepEqual(config, {
      clientId: 'gatehouse',
      clientSecret: 'upstream-secret',
      authorizationEndpoint: 'https://id.example.com/authorize',
      tokenEndpoint: 'https://id.example.com/token',
      tokenEndpointAuthMethod: 'client_secret_basic',
      clientSecretJwtSigningAlgorithm: 'HS256',
      customConfig: { prompt: 'login' },
      scope: 'openid',
      idTokenVerificationConfig: {
        jwksUri: 'https://id.example.com/jwks',
        issuer: 'https://id.example.com',
        algorithms: ['RS256', 'ES256'],
      },
      acceptStringEmailVerified: false,
    });
    // The server's own schema accepts what the form builds.
    assert.equal(oidcFactory.configSchema.safeParse(config).success, true);
  });

  it('on edit, keeps a masked secret unless retyped, removes emptied keys, keeps unshown nested keys', () => {
    const stored = {
      clientId: 'gatehouse',
      clientSecret: secretMask,
      authorizationEndpoint: 'https://id.example.com/authorize',
      tokenEndpoint: 'https://id.example.com/token',
      tokenEndpointAuthMethod: 'client_secret_basic',
      clientSecretJwtSigningAlgorithm: 'HS256',
      scope: 'openid email',
      idTokenVerificationConfig: { jwksUri: 'https://id.example.com/jwks', crit: { b64: true } },
      acceptStringEmailVerified: false,
    };
    const values = initialValues(fields, stored);
    assert.equal(values.clientSecret, '', 'the mask is not shown as a value');
    assert.equal(values.scope, 'openid email');
    assert.deepEqual(validate(fields, values, { editing: true }), {}, 'the secret is not required on edit');
    assert.equal(validate(fields, values).clientSecret, 'is required');

    const unchanged = toConfig(fields, { ...values, scope: '' }, stored);
    assert.equal('clientSecret' in unchanged, false, 'an untouched secret is not sent: the stored one stays');
    assert.equal(unchanged.scope, null, 'an emptied optional key is removed');
    assert.deepEqual(unchanged.idTokenVerificationConfig, {
      jwksUri: 'https://id.example.com/jwks',
      crit: { b64: true },
    });
    assert.equal(toConfig(fields, { ...values, clientSecret: secretMask }, stored).clientSecret, undefined);
    assert.equal(toConfig(fields, { ...values, clientSecret: 'rotated' }, stored).clientSecret, 'rotated');
  });

  it("maps the server's invalid_config issues back onto the fields", () => {
    const errors = issuesToErrors(fields, [
      { path: 'idTokenVerificationConfig.jwksUri', message: 'must be an absolute http(s) URL' },
      { path: 'idTokenVerificationConfig.algorithms.0', message: 'Invalid option' },
      { path: 'clientSecret', message: 'is the masked placeholder: send the secret itself' },
      { path: 'surprise', message: 'is not a known field' },
    ]);
    assert.equal(errors['idTokenVerificationConfig.jwksUri'], 'must be an absolute http(s) URL');
    assert.equal(errors['idTokenVerificationConfig.algorithms'], '0: Invalid option');
    assert.equal(errors.clientSecret, 'is the masked placeholder: send the secret itself');
    assert.equal(errors[''], 'is not a known field');
    assert.deepEqual(issuesToErrors(fields, undefined), {});
  });

  it('checks and shapes the metadata: target, names, logos', () => {
    const metadata = {
      target: 'acme-id',
      nameEn: 'Acme',
      nameTh: '',
      logo: '',
      logoDark: 'javascript:alert(1)',
      syncProfile: false,
      enableTokenStorage: false,
    };
    assert.deepEqual(validateMetadata(metadata), { logoDark: 'must be an http(s) URL' });
    assert.equal(
      validateMetadata({ ...metadata, target: 'no spaces', logoDark: '' }).target !== undefined,
      true,
    );
    assert.equal(validateMetadata({ ...metadata, target: '', logoDark: '' }).target, 'is required');
    assert.deepEqual(toMetadata({ ...metadata, logoDark: '', nameTh: 'แอคมี' }), {
      target: 'acme-id',
      name: { en: 'Acme', th: 'แอคมี' },
      logo: null,
      logoDark: null,
    });
  });

  it("puts the form's own messages in Thai and leaves the server's as they are", () => {
    assert.equal(localizeError('is required', 'th'), 'ต้องกรอก');
    assert.equal(localizeError('must have at most 20 lines', 'th'), 'ต้องมีไม่เกิน 20 บรรทัด');
    assert.equal(localizeError('must be an absolute http(s) URL', 'th'), 'ต้องเป็น URL แบบ http(s) ที่เต็มรูปแบบ');
    assert.equal(localizeError('is required', 'en'), 'is required');
    // Every message validate() can produce has a Thai form.
    const all = Object.values(
      validate(fields, {
        ...filled(),
        clientId: '',
        authorizationEndpoint: 'not a url',
        tokenEndpointAuthMethod: 'other',
        'idTokenVerificationConfig.issuer': 'x'.repeat(2049),
        'idTokenVerificationConfig.currentDate': 'soon',
        customConfig: [['', 'x']],
      }),
    );
    assert.equal(all.length, 6);
    for (const message of all) assert.notEqual(localizeError(message, 'th'), message, message);
    assert.equal(localizeError('must look like smtp://…', 'th'), 'must look like smtp://…');
  });
});
