import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Field,
  fieldsOf,
  flatten,
  initialValues,
  issuesToErrors,
  type JsonSchema,
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
    assert.equal(
      field('idTokenVerificationConfig.issuer').kind,
      'string',
      'anyOf string|array: its string branch',
    );
    const algorithms = field('idTokenVerificationConfig.algorithms');
    assert.ok(
      algorithms.kind === 'multi' && algorithms.options.includes('RS256') && algorithms.minItems === 1,
    );
    assert.equal(field('customConfig').kind, 'map');
    assert.equal(field('acceptStringEmailVerified').kind, 'boolean');
    assert.equal(field('authRequestOptionalConfig').kind, 'object');
    assert.equal(field('authRequestOptionalConfig').required, false);
    // What the form cannot edit is left out: a `const`, a map of booleans, a value without a type.
    assert.equal(byPath.has('authRequestOptionalConfig.responseType'), false);
    assert.equal(byPath.has('idTokenVerificationConfig.crit'), false);
    assert.equal(byPath.has('idTokenVerificationConfig.currentDate'), false);
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
});
