import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import {
  claimsOf,
  type ExperienceHarness,
  redirectUri,
  setSignInExperience,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { authorizationUrl, pkcePair, redeem } from './support/protocol.ts';
import { addOidcConnector, type TestConnector } from './support/social.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

// Refreshed only on request (UPDATE_SCREENSHOTS=1 npm test -- social-browser), like experience-browser's.
const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(import.meta.dirname, '../../../docs/screenshots')
  : path.join(tmpdir(), 'gatehouse-screenshots');
const logo = 'https://logos.example.test/acme.svg';
const logoDark = 'https://logos.example.test/acme-dark.svg';
const svg = (fill: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="9" fill="${fill}"/></svg>`;

describe('"Continue with …" in Chromium: a real upstream OpenID provider, its login form, back to the app (issue 5)', () => {
  let h: ExperienceHarness;
  let upstream: Upstream;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let acme: TestConnector;

  before(async () => {
    [h, upstream] = await Promise.all([startExperience(), startUpstream({ consent: 'prompt' })]);
    ({ browser, close: closeBrowser } = await launchChromium());
    acme = await addOidcConnector(h, upstream, { name: { en: 'Acme ID', th: 'แอคมี ไอดี' }, logo, logoDark });
    await mkdir(screenshots, { recursive: true });
  });
  after(async () => {
    await closeBrowser?.();
    await upstream?.stop();
    await h?.stop();
  });

  /** A context whose requests to the logo host and to the app's callback are answered locally (no network). */
  const newContext = async (options: { colorScheme?: 'light' | 'dark'; locale?: string } = {}) => {
    const context = await browser.newContext({
      viewport: { width: 420, height: 760 },
      colorScheme: options.colorScheme ?? 'light',
      locale: options.locale ?? 'en-US',
    });
    await context.route('https://logos.example.test/**', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'image/svg+xml',
        body: svg(route.request().url().includes('dark') ? '#ffffff' : '#5d34f2'),
      }),
    );
    await context.route(`${redirectUri}**`, (route) => route.fulfill({ status: 200, body: 'the app' }));
    return context;
  };

  const startSignIn = async (context: BrowserContext, params: Record<string, string> = {}) => {
    const page = await context.newPage();
    const { challenge, verifier } = pkcePair();
    const state = uniqueName('state');
    await page.goto(
      authorizationUrl(h.t, {
        client_id: h.app.id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid profile email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...params,
      }),
    );
    return { page, verifier, state };
  };

  const logoShown = (page: Page) =>
    page.locator(`button[data-connector="${acme.id}"] img`).evaluate((element) => {
      const image = element as unknown as { currentSrc: string; complete: boolean; naturalWidth: number };
      return { src: image.currentSrc, loaded: image.complete && image.naturalWidth > 0 };
    });

  it('shows the button with the admin’s name and logo; a person signs in upstream and comes back signed in to the app', async () => {
    const login = uniqueName('browser');
    upstream.accounts.set(login, {
      password: 'upstream browser passphrase',
      claims: { email: `${login}@upstream.example`, email_verified: true, name: 'Browser Person' },
    });
    const context = await newContext();
    const { page, verifier, state } = await startSignIn(context);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    const button = page.getByRole('button', { name: 'Continue with Acme ID' });
    assert.equal(await button.count(), 1, 'the button, named after the connector');
    assert.deepEqual(
      await logoShown(page),
      { src: logo, loaded: true },
      'the light logo, loaded (CSP allows it)',
    );
    await page.screenshot({ path: path.join(screenshots, 'sign-in-social-en.png') });

    await button.click();
    await page.waitForURL((url) => url.href.startsWith(upstream.issuer));
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password').fill('upstream browser passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(redirectUri));

    const callback = new URL(page.url()).searchParams;
    assert.equal(callback.get('state'), state);
    const tokens = await redeem(h.t, h.app, callback.get('code') ?? '', redirectUri, verifier);
    const claims = claimsOf(tokens.id_token);
    assert.equal(claims.email, `${login}@upstream.example`);
    assert.equal(claims.name, 'Browser Person');
    const identity = await h.t.registry.db.kysely
      .selectFrom('user_identities')
      .select(['user_id'])
      .where('target', '=', acme.target)
      .where('identity_id', '=', login)
      .executeTakeFirst();
    assert.equal(identity?.user_id, claims.sub, 'the identity is linked to the new user');
    await context.close();
  });

  it('shows the dark logo to a dark-mode browser when dark mode is on, and the Thai name in Thai', async () => {
    await setSignInExperience(h.t, h.api, { color: { primaryColor: '#5d34f2', isDarkModeEnabled: true } });
    const context = await newContext({ colorScheme: 'dark', locale: 'th-TH' });
    const { page } = await startSignIn(context);
    assert.equal(await page.getByRole('button', { name: 'ดำเนินการต่อด้วย แอคมี ไอดี' }).count(), 1);
    assert.deepEqual(await logoShown(page), { src: logoDark, loaded: true });
    await page.screenshot({ path: path.join(screenshots, 'sign-in-social-dark-th.png') });
    await context.close();
  });

  it('the upstream "Cancel" brings the person back to a page that says so, with a way back to sign in', async () => {
    const context = await newContext();
    const { page } = await startSignIn(context);
    await page.getByRole('button', { name: 'Continue with Acme ID' }).click();
    await page.waitForURL((url) => url.href.startsWith(upstream.issuer));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/callback/'));
    assert.match(
      (await page.locator('main p').first().textContent()) ?? '',
      /Signing in with Acme ID was cancelled/,
    );
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.equal(await page.getByRole('button', { name: 'Continue with Acme ID' }).count(), 1);
    await context.close();
  });
});
