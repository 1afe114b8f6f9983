import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import {
  buildGuide,
  defaultBaseUrl,
  frameworks,
  frameworksOf,
  pickFramework,
  resourcePlaceholder,
  secretPlaceholder,
} from '../../console/src/pages/guides/guides.ts';
import { validateLifetimes } from '../../console/src/pages/guides/lifetimes.ts';

/**
 * The Applications screen's integration guides and lifetime checks (issue 7, "Applications";
 * packages/console/src/pages/guides/, plain TS imported across packages): each guide carries this app's endpoint
 * and id, the redirect URI its SDK really uses, never a secret, and its JS/TS code parses.
 */

const endpoint = 'https://id.example.com';
const appId = 'k2x9PqT7vLm3Wn5Yb1Zc0';
const none = { endpoint, appId, redirectUris: [], postLogoutRedirectUris: [] };

describe('integration guides per framework (issue 7, "Applications")', () => {
  it('offers Express, Next.js and Flask for Traditional; React, Vue, vanilla for SPA; native and M2M cards', () => {
    assert.deepEqual(
      frameworksOf('Traditional').map((item) => item.sdk),
      ['@logto/express', '@logto/next', 'logto'],
    );
    assert.deepEqual(
      frameworksOf('SPA').map((item) => item.sdk),
      ['@logto/react', '@logto/vue', '@logto/browser'],
    );
    assert.deepEqual(
      frameworksOf('Native').map((item) => item.id),
      ['ios', 'android', 'flutter'],
    );
    assert.deepEqual(
      frameworksOf('MachineToMachine').map((item) => item.id),
      ['m2m-node', 'm2m-python'],
    );
    assert.equal(pickFramework('Traditional', 'flask').id, 'flask');
    assert.equal(pickFramework('Traditional', 'react').id, 'express', 'a guide of another type is ignored');
    assert.equal(pickFramework('SPA', null).id, 'react');
  });

  it("fills the Express config with the app's endpoint and id, localhost base URL, and a secret placeholder", () => {
    const guide = buildGuide('express', none);
    assert.deepEqual(guide.config, {
      endpoint,
      appId,
      appSecret: secretPlaceholder,
      baseUrl: defaultBaseUrl,
    });
    // @logto/express's handleAuthRoutes signs in with `${baseUrl}/logto/sign-in-callback`, signs out to baseUrl.
    assert.equal(guide.redirectUri, 'http://localhost:3000/logto/sign-in-callback');
    assert.equal(guide.postLogoutRedirectUri, 'http://localhost:3000');
    assert.deepEqual(guide.missing, {
      redirectUri: 'http://localhost:3000/logto/sign-in-callback',
      postLogoutRedirectUri: 'http://localhost:3000',
    });
    const code = guide.steps.map((step) => step.code).join('\n');
    assert.match(code, /npm i @logto\/express cookie-parser express-session/);
    assert.match(code, new RegExp(`endpoint: '${endpoint}'`));
    assert.match(code, new RegExp(`appId: '${appId}'`));
    assert.match(code, /baseUrl: 'http:\/\/localhost:3000'/);
    assert.match(code, /app\.use\(handleAuthRoutes\(config\)\)/);
    assert.match(code, /withLogto\(config\)/);
    assert.match(code, /req\.user\.isAuthenticated/);
  });

  it('takes the base URL from a registered callback, and asks for nothing already registered', () => {
    const guide = buildGuide('express', {
      ...none,
      redirectUris: ['https://shop.example.com/logto/sign-in-callback'],
      postLogoutRedirectUris: ['https://shop.example.com'],
    });
    assert.equal(guide.config.baseUrl, 'https://shop.example.com');
    assert.deepEqual(guide.missing, {});
    const flask = buildGuide('flask', { ...none, redirectUris: ['http://localhost:5000/callback'] });
    assert.equal(flask.redirectUri, 'http://localhost:5000/callback');
    assert.deepEqual(flask.missing, { postLogoutRedirectUri: 'http://localhost:5000' });
    const code = flask.steps.map((step) => step.code).join('\n');
    assert.match(code, /redirectUri="http:\/\/localhost:5000\/callback"/);
    assert.match(code, /client\.isAuthenticated\(\)/);
    assert.match(code, /pip install logto/);
  });

  it('puts the M2M token request to /oidc/token with the chosen resource, the secret left to paste', () => {
    const guide = buildGuide('m2m-node', {
      ...none,
      resource: 'https://api.example.org',
      scopes: ['read:orders', 'write:orders'],
    });
    const code = guide.steps.map((step) => step.code).join('\n');
    assert.match(code, /curl -X POST "https:\/\/id\.example\.com\/oidc\/token"/);
    assert.match(code, /resource=https:\/\/api\.example\.org/);
    assert.match(code, /grant_type: 'client_credentials'/);
    assert.match(code, /process\.env\.APP_SECRET/);
    assert.match(code, /scope: 'read:orders write:orders'/);
    assert.match(code, /--data-urlencode "scope=read:orders write:orders"/);
    assert.equal(buildGuide('m2m-python', none).config.resource, resourcePlaceholder);
  });

  it('shows every guide with the endpoint and app id, never a secret, and JS/TS code that parses', () => {
    for (const framework of frameworks) {
      const guide = buildGuide(framework.id, { ...none, cookieSecret: 'c'.repeat(48) });
      const code = guide.steps.map((step) => step.code).join('\n');
      assert.ok(code.includes(endpoint), `${framework.id}: endpoint`);
      assert.ok(code.includes(appId), `${framework.id}: app id`);
      assert.ok(guide.steps.length >= (framework.type === 'MachineToMachine' ? 2 : 3), framework.id);
      assert.equal(guide.steps[0]?.kind === 'install' || guide.steps[0]?.kind === 'token', true);
      for (const step of guide.steps) {
        if (!['js', 'ts', 'tsx'].includes(step.language)) continue;
        const output = ts.transpileModule(step.code, {
          reportDiagnostics: true,
          fileName: `guide.${step.language === 'tsx' ? 'tsx' : 'ts'}`,
          compilerOptions: {
            jsx: ts.JsxEmit.Preserve,
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
          },
        });
        const problems = (output.diagnostics ?? []).map((d) =>
          ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        );
        assert.deepEqual(problems, [], `${framework.id} ${step.kind}:\n${step.code}`);
      }
    }
  });
});

describe('token lifetimes checked in the page (issue 7, "Applications")', () => {
  it('accepts whole numbers within the server limits and leaves empty fields out', () => {
    assert.deepEqual(validateLifetimes({ accessTokenTtl: '900', refreshTokenTtlInDays: '' }), {
      errors: {},
      value: { accessTokenTtl: 900 },
    });
    assert.deepEqual(validateLifetimes({ accessTokenTtl: '60', refreshTokenTtlInDays: '365' }).value, {
      accessTokenTtl: 60,
      refreshTokenTtlInDays: 365,
    });
  });

  it('refuses numbers out of range, fractions and text, and sends nothing then', () => {
    assert.deepEqual(validateLifetimes({ accessTokenTtl: '59', refreshTokenTtlInDays: '366' }), {
      errors: { accessTokenTtl: 'outOfRange', refreshTokenTtlInDays: 'outOfRange' },
    });
    assert.deepEqual(validateLifetimes({ accessTokenTtl: '1.5', refreshTokenTtlInDays: '30' }), {
      errors: { accessTokenTtl: 'notInteger' },
    });
    assert.deepEqual(validateLifetimes({ accessTokenTtl: '-5', refreshTokenTtlInDays: 'ten' }).errors, {
      accessTokenTtl: 'notInteger',
      refreshTokenTtlInDays: 'notInteger',
    });
  });
});
