import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type ApiClient, assertStatus, type Loose, managementClient } from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import { type CallbackServer, startCallbackServer } from './support/callback-server.ts';
import { logtoNodeClient } from './support/logto-node.ts';
import { createApplication } from './support/oidc.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The hosted sign-in pages (SPEC §5) in a real browser: Debian's Chromium driven by playwright-core, the official
 * @logto/node SDK as the relying party (SPEC §2), a tiny HTTP server as the app's callback. One server and one
 * browser for the whole file; the tests run in order and share the first browser context's session.
 */

// The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1 npm test -- experience-browser);
// otherwise they go to a temporary folder, so a test run leaves the work tree as it was.
const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(import.meta.dirname, '../../../docs/screenshots')
  : path.join(tmpdir(), 'gatehouse-screenshots');
const viewport = { width: 480, height: 800 };
const password = 'violet kettle orbit 2718';
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

type ConsoleError = { url: string; text: string };

// The few browser globals the page.evaluate callbacks use (the project compiles without the DOM library).
type BrowserElement = {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  labels?: { length: number } | null;
};
declare const document: { activeElement: BrowserElement | null; body: BrowserElement };
declare const getComputedStyle: (element: unknown) => {
  backgroundColor: string;
  color: string;
  outlineStyle: string;
  outlineWidth: string;
};

describe('the hosted sign-in pages in Chromium, with the official @logto/node SDK (SPEC §5)', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let app: CallbackServer;
  /** Console errors and uncaught exceptions of every page opened on Gatehouse's origin. */
  const consoleErrors: ConsoleError[] = [];

  before(async () => {
    [t, app] = await Promise.all([startTestServer(), startCallbackServer()]);
    api = await managementClient(t);
    ({ browser, close: closeBrowser } = await launchChromium());
    await mkdir(screenshots, { recursive: true });
  });
  after(async () => {
    await closeBrowser?.();
    await app?.close();
    await t?.stop();
  });

  const newContext = (options: { locale?: string; colorScheme?: 'light' | 'dark' } = {}) =>
    browser.newContext({
      viewport,
      locale: options.locale ?? 'en-US',
      colorScheme: options.colorScheme ?? 'light',
    });

  const openPage = async (context: BrowserContext) => {
    const page = await context.newPage();
    const onGatehouse = () => page.url().startsWith(t.url);
    page.on('console', (message) => {
      if (message.type() !== 'error' || !onGatehouse()) return;
      // A form re-rendered with its error is answered 400 on purpose, and Chromium reports every 4xx document.
      const deliberate400 = message.text().includes('status of 400') && message.location().url === page.url();
      if (!deliberate400) consoleErrors.push({ url: page.url(), text: message.text() });
    });
    page.on('pageerror', (error) => consoleErrors.push({ url: page.url(), text: String(error) }));
    return page;
  };

  /** The hosted pages' console stays clean (the logout pages under /oidc/session/end are ours too). */
  const assertNoConsoleErrors = () => {
    assert.deepEqual(consoleErrors, [], 'no console errors on the hosted pages');
  };

  const createApp = async (name: string, slug: string, isThirdParty = false) => {
    const redirectUri = `${app.url}/${slug}/callback`;
    const postLogoutRedirectUri = `${app.url}/${slug}/signed-out`;
    const created = await createApplication(t, {
      name,
      type: 'Traditional',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [postLogoutRedirectUri],
      isThirdParty,
    });
    return { ...created, redirectUri, postLogoutRedirectUri };
  };

  type App = Awaited<ReturnType<typeof createApp>>;

  /** A Logto SDK client with in-memory storage; `navigated()` is where it last sent the browser. */
  const sdkFor = (target: App) =>
    logtoNodeClient({
      endpoint: t.url,
      appId: target.id,
      appSecret: target.secret,
      scopes: ['email', 'profile'],
    });

  const isCallback = (target: App) => (url: URL) => url.href.startsWith(target.redirectUri);

  /** Clicks a submit button and waits until the browser lands on the app's callback. */
  const submitToCallback = async (page: Page, target: App, button = page.locator('button[type=submit]')) => {
    await Promise.all([page.waitForURL(isCallback(target)), button.click()]);
    assert.equal(await page.textContent('body'), 'callback');
    const landed = new URL(page.url());
    assert.ok(app.received.includes(landed.pathname + landed.search), 'the app received the callback');
    return page.url();
  };

  /** Every visible input is labelled and carries one of the expected `autocomplete` tokens; one submit button. */
  const assertFormConventions = async (page: Page, autocompletes: string[]) => {
    const inputs = await page.locator('form input:not([type=hidden])').evaluateAll((elements) =>
      elements.map((element) => ({
        autocomplete: element.getAttribute('autocomplete'),
        labelled: (element as unknown as BrowserElement).labels?.length ?? 0,
      })),
    );
    assert.deepEqual(
      inputs.map((input) => input.autocomplete),
      autocompletes,
    );
    assert.ok(
      inputs.every((input) => input.labelled === 1),
      'each input has a <label>',
    );
    assert.ok((await page.locator('form button[type=submit]').count()) >= 1, 'a button[type=submit]');
  };

  const userNamed = async (username: string): Promise<Loose> => {
    const response = await api.get(`/api/users?search=${encodeURIComponent(username)}`);
    assertStatus(response, 200);
    return (response.body as Loose[]).find((user) => user.username === username);
  };

  // Shared by the first tests: one person's browser, signed in once, then at other apps of the same Gatehouse.
  let session: BrowserContext;
  let sessionPage: Page;
  let first: App;
  let firstClient: ReturnType<typeof sdkFor>;
  const username = `mali_${Date.now().toString(36)}`;
  let userId = '';

  describe('signing up, out and in again with the SDK', () => {
    before(async () => {
      session = await newContext();
      sessionPage = await openPage(session);
      first = await createApp('Bookshelf', 'bookshelf');
    });

    it("signs up a new user with interactionMode 'signUp': /register, then authenticated with ID token claims and userinfo", async () => {
      firstClient = sdkFor(first);
      const { logto, navigated } = firstClient;
      await logto.signIn({ redirectUri: first.redirectUri, interactionMode: 'signUp' });
      assert.match(navigated(), /\/oidc\/auth\?.*interaction_mode=signUp/);

      const page = sessionPage;
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/register');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('h1').textContent(), 'Create your account');
      assert.match((await page.locator('.subtitle').textContent()) ?? '', /Bookshelf/);
      await assertFormConventions(page, ['username', 'new-password']);

      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      const callbackUrl = await submitToCallback(page, first);
      const params = new URL(callbackUrl).searchParams;
      assert.ok(params.get('code'), 'an authorization code');
      assert.equal(params.get('iss'), `${t.url}/oidc`);

      await logto.handleSignInCallback(callbackUrl);
      assert.equal(await logto.isAuthenticated(), true);
      const user = await userNamed(username);
      assert.ok(user, 'the user exists');
      assert.equal(user.hasPassword, true);
      userId = user.id;

      const claims = await logto.getIdTokenClaims();
      assert.equal(claims.sub, userId);
      assert.equal(claims.aud, first.id);
      assert.equal(claims.iss, `${t.url}/oidc`);
      assert.equal(claims.username, username);
      const userinfo = await logto.fetchUserInfo();
      assert.equal(userinfo.sub, userId);
      assert.equal(userinfo.username, username);
      assertNoConsoleErrors();
    });

    it('signs out through /oidc/session/end (confirmed in the browser) to the registered post-logout URI', async () => {
      const before = (await session.cookies(t.url)).find((cookie) => cookie.name === 'gh_session');
      assert.ok(before, 'signed in: a session cookie');
      assert.equal(before.httpOnly, true);
      assert.equal(before.sameSite, 'Lax');

      const { logto, navigated } = firstClient;
      assert.equal(await logto.isAuthenticated(), true);
      await logto.signOut(first.postLogoutRedirectUri);
      assert.equal(await logto.isAuthenticated(), false, 'the SDK forgets its tokens');
      assert.match(navigated(), new RegExp(`^${t.url}/oidc/session/end\\?`));

      const page = sessionPage;
      await page.goto(navigated());
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(first.postLogoutRedirectUri)),
        page.getByRole('button', { name: 'Sign out', exact: true }).click(),
      ]);
      const cookies = await session.cookies(t.url);
      assert.ok(!cookies.some((cookie) => cookie.name === 'gh_session'), 'the session cookie is gone');
    });

    it('signs in again on /sign-in with the password (and refuses a wrong one with the same message)', async () => {
      const { logto, navigated } = sdkFor(first);
      await logto.signIn({ redirectUri: first.redirectUri });
      const page = sessionPage;
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/sign-in', 'no session left: the sign-in form');
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      await assertFormConventions(page, ['username', 'current-password']);
      await page.screenshot({ path: path.join(screenshots, 'sign-in-en.png') });

      await page.getByLabel('Username or email').fill(username);
      await page.getByLabel('Password', { exact: true }).fill('not my password at all');
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/sign-in');
      assert.equal(await page.getByRole('alert').textContent(), 'The account or password is incorrect.');
      assert.equal(await page.getByLabel('Username or email').inputValue(), username, 'kept for the retry');

      await page.getByLabel('Password', { exact: true }).fill(password);
      await logto.handleSignInCallback(await submitToCallback(page, first));
      assert.equal(await logto.isAuthenticated(), true);
      assert.equal((await logto.getIdTokenClaims()).sub, userId);
      assertNoConsoleErrors();
    });
  });

  describe('single sign-on and consent', () => {
    it('a second app gets SSO: the browser goes straight to its callback, no page shown', async () => {
      const second = await createApp('Notebook', 'notebook');
      const { logto, navigated } = sdkFor(second);
      await logto.signIn({ redirectUri: second.redirectUri });
      const page = await openPage(session);
      const visited: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      await page.goto(navigated());
      assert.ok(page.url().startsWith(second.redirectUri), `ended at ${page.url()}`);
      assert.deepEqual(
        visited.filter((url) => url.startsWith(t.url)),
        [],
        'no hosted page in between',
      );
      await logto.handleSignInCallback(page.url());
      const claims = await logto.getIdTokenClaims();
      assert.equal(claims.sub, userId);
      assert.equal(claims.aud, second.id);
      await page.close();
    });

    it('a third-party app shows the consent page; Deny answers access_denied with iss and state', async () => {
      const partner = await createApp('Partner Reader', 'partner', true);
      const { logto, navigated } = sdkFor(partner);
      await logto.signIn({ redirectUri: partner.redirectUri });
      const state = new URL(navigated()).searchParams.get('state');
      const page = sessionPage;
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/consent');
      assert.equal(await page.locator('h1').textContent(), 'Partner Reader wants to access your account');
      assert.match((await page.locator('.subtitle').textContent()) ?? '', new RegExp(username));
      const scopes = await page.locator('ul.scopes li').allTextContents();
      for (const expected of ['See your name and picture', 'See your email address'])
        assert.ok(scopes.includes(expected), `lists "${expected}" in ${JSON.stringify(scopes)}`);
      await page.screenshot({ path: path.join(screenshots, 'consent.png') });

      const callbackUrl = await submitToCallback(page, partner, page.getByRole('button', { name: 'Deny' }));
      const params = new URL(callbackUrl).searchParams;
      assert.equal(params.get('error'), 'access_denied');
      assert.equal(params.get('iss'), `${t.url}/oidc`);
      assert.equal(params.get('state'), state);
      assert.equal(params.get('code'), null);
      assert.equal(await logto.isAuthenticated(), false);
      assertNoConsoleErrors();
    });

    it('a third-party app: Allow answers a code, and the SDK is authenticated', async () => {
      const partner = await createApp('Partner Writer', 'partner-writer', true);
      const { logto, navigated } = sdkFor(partner);
      await logto.signIn({ redirectUri: partner.redirectUri });
      const page = sessionPage;
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/consent');
      await logto.handleSignInCallback(
        await submitToCallback(page, partner, page.getByRole('button', { name: 'Allow' })),
      );
      assert.equal(await logto.isAuthenticated(), true);
      assert.equal((await logto.getIdTokenClaims()).sub, userId);
      assertNoConsoleErrors();
    });
  });

  describe('email verification', () => {
    let saved: Loose;
    before(async () => {
      saved = (await api.get('/api/sign-in-exp')).body;
      assertStatus(
        await api.patch('/api/sign-in-exp', {
          signUp: { identifiers: ['email'], password: true, verify: true },
          signIn: {
            methods: [
              { identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: true },
            ],
          },
        }),
        200,
      );
    });
    after(async () => {
      await api.patch('/api/sign-in-exp', { signUp: saved.signUp, signIn: saved.signIn });
    });

    it('registers with an email: the code comes from the outbox, is entered on /register/verify, email_verified', async () => {
      const target = await createApp('Mailroom', 'mailroom');
      const email = `somsri.${Date.now().toString(36)}@example.com`;
      const context = await newContext();
      const page = await openPage(context);
      const { logto, navigated } = sdkFor(target);
      await logto.signIn({ redirectUri: target.redirectUri, interactionMode: 'signUp' });
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/register');
      await assertFormConventions(page, ['username email', 'new-password']);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/register/verify'),
        page.locator('button[type=submit]').click(),
      ]);
      assert.equal(await page.locator('h1').textContent(), 'Check your email');
      assert.match(
        (await page.locator('.subtitle').textContent()) ?? '',
        new RegExp(email.replace('.', '\\.')),
      );
      await assertFormConventions(page, ['one-time-code']);
      assert.equal(await page.getByLabel('Verification code').getAttribute('inputmode'), 'numeric');
      await page.screenshot({ path: path.join(screenshots, 'verify-code.png') });
      assert.equal(await userNamed(email), undefined, 'no account before the code');

      const outbox = await api.get(`/api/outbox?to=${encodeURIComponent(email)}`);
      assertStatus(outbox, 200);
      const code = /\b(\d{6})\b/.exec(String(outbox.body[0]?.text))?.[1];
      assert.ok(code, `a six-digit code in ${JSON.stringify(outbox.body[0])}`);

      await page.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/register/verify');
      assert.equal(await page.getByRole('alert').textContent(), 'The code is incorrect or has expired.');

      await page.getByLabel('Verification code').fill(code);
      await logto.handleSignInCallback(await submitToCallback(page, target));
      const claims = await logto.getIdTokenClaims();
      assert.equal(claims.email, email);
      assert.equal(claims.email_verified, true);
      assert.equal((await logto.fetchUserInfo()).email, email);
      await context.close();
      assertNoConsoleErrors();
    });
  });

  describe('languages: English and Thai', () => {
    let target: App;
    before(async () => {
      target = await createApp('Bookshelf TH', 'bookshelf-th');
    });

    it('ui_locales=th gives a Thai page (lang="th"), whatever the browser language; the language links switch', async () => {
      const context = await newContext({ locale: 'en-US' });
      const page = await openPage(context);
      const { logto, navigated } = sdkFor(target);
      await logto.signIn({
        redirectUri: target.redirectUri,
        interactionMode: 'signUp',
        extraParams: { ui_locales: 'th' },
      });
      assert.match(navigated(), /ui_locales=th/);
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/register');
      assert.equal(await page.getAttribute('html', 'lang'), 'th');
      assert.equal(await page.locator('h1').textContent(), 'สร้างบัญชีของคุณ');
      assert.equal(await page.locator('button[type=submit]').textContent(), 'สร้างบัญชี');
      await assertFormConventions(page, ['username', 'new-password']);
      await page.screenshot({ path: path.join(screenshots, 'register-th.png') });

      // An invalid username is explained in Thai, next to the field.
      await page.getByLabel('ชื่อผู้ใช้').fill('9lives');
      await page.getByLabel('รหัสผ่าน', { exact: true }).fill(password);
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/register');
      assert.equal(await page.getAttribute('html', 'lang'), 'th');
      assert.equal(
        await page.locator('#field-username-error').textContent(),
        'ใช้ตัวอักษร ตัวเลข และขีดล่าง โดยไม่ขึ้นต้นด้วยตัวเลข',
      );
      assert.equal(await page.getByLabel('ชื่อผู้ใช้').getAttribute('aria-invalid'), 'true');

      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL((url) => url.searchParams.get('lang') === 'en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('h1').textContent(), 'Create your account');
      assert.equal(await page.getByRole('link', { name: 'English' }).getAttribute('aria-current'), 'true');

      await page.getByRole('link', { name: 'ไทย' }).click();
      await page.waitForURL((url) => url.searchParams.get('lang') === 'th');
      assert.equal(await page.locator('h1').textContent(), 'สร้างบัญชีของคุณ');
      await context.close();
      assertNoConsoleErrors();
    });

    it('a Thai browser (Accept-Language th-TH) gets the Thai sign-in page; the answer to a failed sign-in stays Thai', async () => {
      const context = await newContext({ locale: 'th-TH' });
      const page = await openPage(context);
      const { logto, navigated } = sdkFor(target);
      await logto.signIn({ redirectUri: target.redirectUri });
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      assert.equal(await page.getAttribute('html', 'lang'), 'th');
      assert.equal(await page.locator('h1').textContent(), 'เข้าสู่ระบบ');
      assert.equal(await page.getByRole('link', { name: 'ไทย' }).getAttribute('aria-current'), 'true');

      await page.getByLabel('ชื่อผู้ใช้หรืออีเมล').fill(username);
      await page.getByLabel('รหัสผ่าน', { exact: true }).fill('ผิดแน่นอน ผิดแน่นอน');
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/sign-in');
      assert.equal(await page.getByRole('alert').textContent(), 'บัญชีหรือรหัสผ่านไม่ถูกต้อง');

      await page.getByLabel('รหัสผ่าน', { exact: true }).fill(password);
      await logto.handleSignInCallback(await submitToCallback(page, target));
      assert.equal((await logto.getIdTokenClaims()).sub, userId);
      await context.close();
      assertNoConsoleErrors();
    });
  });

  describe('branding: dark mode and icon', () => {
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const buttonColour = (page: Page) =>
      page.locator('button[type=submit]').evaluate((element) => getComputedStyle(element).backgroundColor);
    /**
     * WCAG 2 contrast ratio of the submit button's text on its background (computed here: functions passed to
     * the page must not declare named helpers, which tsx would wrap in a `__name` the page does not have).
     */
    const buttonContrast = async (page: Page) => {
      const colours = await page
        .locator('button[type=submit]')
        .evaluate((element) => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor]);
      const luminance = (rgb: string) => {
        const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map((part) => {
          const c = Number(part) / 255;
          return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const [high = 0, low = 0] = colours.map(luminance).sort((a, b) => b - a);
      return (high + 0.05) / (low + 0.05);
    };
    const signInPageIn = async (
      colorScheme: 'light' | 'dark',
      prepare: (context: BrowserContext) => Promise<void> = async () => {},
    ) => {
      const target = await createApp('Bookshelf', `branding-${colorScheme}-${Date.now()}`);
      const context = await newContext({ colorScheme });
      await prepare(context);
      const page = await openPage(context);
      const { logto, navigated } = sdkFor(target);
      await logto.signIn({ redirectUri: target.redirectUri });
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      return { context, page };
    };

    it('stays light for a dark-mode browser while color.isDarkModeEnabled is off', async () => {
      const { context, page } = await signInPageIn('dark');
      assert.equal(await background(page), 'rgb(244, 245, 249)');
      assert.equal(await buttonColour(page), 'rgb(93, 52, 242)', 'the primary colour #5D34F2');
      assert.ok((await buttonContrast(page)) >= 4.5, 'button text readable (WCAG 1.4.3)');
      await context.close();
    });

    it('turns dark with isDarkModeEnabled for a browser that prefers dark, in darkPrimaryColor; light browsers stay light', async () => {
      assertStatus(
        await api.patch('/api/sign-in-exp', {
          color: { primaryColor: '#5D34F2', isDarkModeEnabled: true, darkPrimaryColor: '#9C86F8' },
        }),
        200,
      );
      const dark = await signInPageIn('dark');
      assert.equal(await background(dark.page), 'rgb(16, 17, 20)');
      assert.equal(await buttonColour(dark.page), 'rgb(156, 134, 248)', 'the dark primary colour #9C86F8');
      assert.ok(
        (await buttonContrast(dark.page)) >= 4.5,
        'button text readable on the light purple (WCAG 1.4.3)',
      );
      assert.equal(await dark.page.getAttribute('meta[name=color-scheme]', 'content'), 'light dark');
      await dark.page.screenshot({ path: path.join(screenshots, 'sign-in-dark.png') });
      await dark.context.close();

      const light = await signInPageIn('light');
      assert.equal(await background(light.page), 'rgb(244, 245, 249)');
      await light.context.close();
      assertNoConsoleErrors();
    });
    it('shows branding.favicon as the page icon; without one an empty icon, so no /favicon.ico 404', async () => {
      const plain = await signInPageIn('light');
      assert.equal(await plain.page.getAttribute('link[rel=icon]', 'href'), 'data:,');
      await plain.context.close();
      assertStatus(
        await api.patch('/api/sign-in-exp', { branding: { favicon: 'https://cdn.example.com/icon.png' } }),
        200,
      );
      // This machine has no network: the browser gets the icon from here (which shows it is requested at all).
      let requested = (_url: string) => {};
      const iconRequested = new Promise<string>((resolve) => {
        requested = resolve;
      });
      const branded = await signInPageIn('light', async (context) => {
        await context.route('https://cdn.example.com/**', (route) => {
          requested(route.request().url());
          return route.fulfill({ contentType: 'image/png', body: onePixelPng });
        });
      });
      assert.equal(
        await branded.page.getAttribute('link[rel=icon]', 'href'),
        'https://cdn.example.com/icon.png',
      );
      assert.equal(await iconRequested, 'https://cdn.example.com/icon.png', 'loaded: the page CSP allows it');
      await branded.context.close();
      await api.patch('/api/sign-in-exp', { branding: {} });
      assertNoConsoleErrors();
    });
  });

  describe('accessibility', () => {
    it('keyboard only: Tab reaches the inputs and the submit button with a visible focus outline, Enter signs in', async () => {
      const target = await createApp('Keyboard', 'keyboard');
      const context = await newContext();
      const page = await openPage(context);
      const { logto, navigated } = sdkFor(target);
      await logto.signIn({ redirectUri: target.redirectUri });
      await page.goto(navigated());
      assert.equal(new URL(page.url()).pathname, '/sign-in');

      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement;
          if (!element) return undefined;
          const style = getComputedStyle(element);
          return {
            tag: element.tagName.toLowerCase(),
            name: element.getAttribute('name') ?? element.getAttribute('type') ?? element.textContent,
            outline: `${style.outlineStyle} ${style.outlineWidth}`,
          };
        });
      assert.equal((await focused())?.name, 'identifier', 'the first input has the focus on load');
      await page.keyboard.type(username);
      const stops: Array<Awaited<ReturnType<typeof focused>>> = [];
      for (let i = 0; i < 2; i++) {
        await page.keyboard.press('Tab');
        stops.push(await focused());
        if (stops.at(-1)?.name === 'password') await page.keyboard.type(password);
      }
      assert.deepEqual(
        stops.map((stop) => `${stop?.tag}:${stop?.name}`),
        ['input:password', 'button:submit'],
      );
      for (const stop of stops) assert.equal(stop?.outline, 'solid 3px', `${stop?.name} shows its focus`);

      await Promise.all([page.waitForURL(isCallback(target)), page.keyboard.press('Enter')]);
      await logto.handleSignInCallback(page.url());
      assert.equal((await logto.getIdTokenClaims()).sub, userId);
      await context.close();
      assertNoConsoleErrors();
    });
  });
});
