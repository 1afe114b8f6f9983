import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { assertStatus } from './support/api-client.ts';
import {
  beginAuthorization,
  createUserWithPassword,
  type ExperienceHarness,
  followToCallback,
  redirectUri,
  startExperience,
  submitSignIn,
  uniqueName,
} from './support/experience.ts';

/**
 * Issue 4: "any official Logto SDK must work, not only JS: the Python SDK sends the secret with
 * client_secret_post and verifies ID tokens with PyJWT". The Logto Python SDK itself is not installable here
 * (no PyPI), so this test does exactly those two things: the token request as that SDK sends it, and the ID token
 * verified by PyJWT — Debian's python3-jwt with python3-cryptography, installed by .ci/run — fetching our JWKS.
 */
const python = '/usr/bin/python3';

const verifyScript = `
import json, sys, jwt
token, jwks_uri, audience, issuer = sys.argv[1:5]
key = jwt.PyJWKClient(jwks_uri).get_signing_key_from_jwt(token)
try:
    claims = jwt.decode(token, key.key, algorithms=["RS256", "PS256", "ES256", "ES384", "ES512"],
                        audience=audience, issuer=issuer)
    print(json.dumps({"ok": True, "alg": jwt.get_unverified_header(token)["alg"], "claims": claims}))
except jwt.PyJWTError as error:
    print(json.dumps({"ok": False, "error": type(error).__name__}))
`;

const pyjwtVerify = (token: string, jwksUri: string, audience: string, issuer: string) =>
  new Promise<{ ok: boolean; alg?: string; error?: string; claims?: Record<string, unknown> }>(
    (resolve, reject) => {
      const child = spawn(python, ['-c', verifyScript, token, jwksUri, audience, issuer], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      child.stderr.on('data', (chunk) => {
        err += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) return reject(new Error(`python exited ${code}: ${err}`));
        resolve(JSON.parse(out));
      });
    },
  );

describe('the Logto Python SDK’s behaviours: client_secret_post, and ID tokens verified by PyJWT (issue 4)', () => {
  let h: ExperienceHarness;
  let username: string;
  const password = 'python passphrase 1';
  before(async () => {
    h = await startExperience();
    username = uniqueName('py');
    await createUserWithPassword(h.api, { username, password });
  });
  after(() => h.stop());

  /** A sign-in through the pages, then the code redeemed as the Python SDK does: secret in the form body. */
  const idTokenViaClientSecretPost = async () => {
    const flow = await beginAuthorization(h.t, h.app);
    const params = await followToCallback(flow.browser, await submitSignIn(flow, username, password));
    const response = await fetch(`${h.t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        redirect_uri: redirectUri,
        code_verifier: flow.verifier,
        client_id: h.app.id,
        client_secret: h.app.secret ?? '',
      }),
    });
    assert.equal(response.status, 200, 'client_secret_post is accepted');
    const body = (await response.json()) as { id_token?: string };
    assert.ok(body.id_token, 'an ID token');
    return body.id_token;
  };

  const verify = (token: string) =>
    pyjwtVerify(token, `${h.t.url}/oidc/jwks`, h.app.id, `${h.t.registry.config.endpoint}/oidc`);

  it('PyJWT verifies an ES256 ID token (the default key) against /oidc/jwks, audience and issuer included', async () => {
    const result = await verify(await idTokenViaClientSecretPost());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.alg, 'ES256');
    assert.equal(typeof result.claims?.sub, 'string');
  });

  it('PyJWT verifies an RS256 ID token after the key is rotated to RSA', async () => {
    assertStatus(
      await h.api.post('/api/configs/oidc/private-keys/rotate', { signingKeyAlgorithm: 'RSA' }),
      201,
    );
    const result = await verify(await idTokenViaClientSecretPost());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.alg, 'RS256');
  });

  it('PyJWT refuses the same token with one changed claim (the check above is real)', async () => {
    const token = await idTokenViaClientSecretPost();
    const [header = '', payload = '', signature = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    const result = await verify(`${header}.${forged}.${signature}`);
    assert.deepEqual(result, { ok: false, error: 'InvalidSignatureError' });
  });
});
