import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { type ApiClient, managementClient } from './api-client.ts';
import { launchChromium } from './browser.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * Shared steps of the console's browser tests (issue 7): a server with its first administrator and a browser, a
 * watched page, signing in, the screens' common forms.
 */

export const consolePassword = 'amber lantern harbor 4096';

/** The one-time first-admin request as it is sent, its answer unchecked; a string body is sent as it is. */
export const postFirstAdmin = (t: TestServer, body: unknown, contentType = 'application/json') =>
  fetch(`${t.url}/api/console/first-admin`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Creates the first administrator through the one-time endpoint, as the first-run page does. */
export const createFirstAdmin = async (t: TestServer, username: string, password = consolePassword) => {
  const response = await postFirstAdmin(t, { username, password });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { id: string; username: string };
};

export type ConsoleHarness = {
  t: TestServer;
  api: ApiClient;
  browser: Browser;
  /** The first administrator (password `consolePassword`), created through the one-time endpoint. */
  admin: { id: string; username: string };
  stop(): Promise<void>;
};

/** A fresh test server with a management client and its first administrator, and Debian's Chromium. */
export const startConsole = async (adminName: string): Promise<ConsoleHarness> => {
  const t = await startTestServer();
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const api = await managementClient(t);
    chromium = await launchChromium();
    const admin = await createFirstAdmin(t, adminName);
    const { browser, close } = chromium;
    return {
      t,
      api,
      browser,
      admin,
      stop: async () => {
        await close();
        await t.stop();
      },
    };
  } catch (error) {
    await chromium?.close();
    await t.stop();
    throw error;
  }
};

/** Accepts every confirmation dialog the page opens; the returned list collects their messages. */
export const acceptDialogs = (page: Page) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  });
  return dialogs;
};

/**
 * A page in a fresh browser context whose script errors and console errors (CSP violations among them) are
 * collected in `errors`; a 4xx of an API probe is expected and not counted.
 */
export const openConsolePage = async (
  browser: Browser,
  errors: string[],
  options: {
    colorScheme?: 'light' | 'dark';
    locale?: string;
    /** Browser permissions granted to one origin (the clipboard, for a "Copy" button). */
    grant?: { permissions: string[]; origin: string };
  } = {},
): Promise<Page> => {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
  });
  if (options.grant)
    await context.grantPermissions(options.grant.permissions, { origin: options.grant.origin });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('status of 4')) errors.push(message.text());
  });
  return page;
};

/** Opens the console, follows "Sign in" to the hosted page, signs in and waits to be back in the console. */
export const signInToConsole = async (
  page: Page,
  t: TestServer,
  username: string,
  password = consolePassword,
) => {
  await page.goto(`${t.url}/console`);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/sign-in'),
    page.getByRole('button', { name: /^(Sign in|ลงชื่อเข้าใช้)$/ }).click(),
  ]);
  const submit = await fillPasswordForm(page, username, password);
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith('/console') && url.pathname !== '/console/callback'),
    submit.click(),
  ]);
  // The console is ready once its first Management API call has answered: the main navigation shows (or, for a
  // user without the role, the refusal). Leaving the page earlier could cut off the SDK's first refresh-token
  // exchange: the server would have rotated a refresh token the page never stored, and the next load would
  // present the old one (refused as a reuse).
  await page
    .getByRole('navigation', { name: /^(Main|เมนูหลัก)$/ })
    .or(page.getByRole('heading', { name: /^(You are not an administrator|คุณไม่ใช่ผู้ดูแลระบบ)$/ }))
    .waitFor();
};

/** Fills the hosted sign-in page's username and password; answers the password form's submit button. */
export const fillPasswordForm = async (page: Page, username: string, password = consolePassword) => {
  await page.locator('input[autocomplete=username]').fill(username);
  const passwordInput = page.locator('input[type=password]').first();
  await passwordInput.fill(password);
  // The password form's own submit button: social buttons ("Continue with …") are submit buttons of other forms.
  return passwordInput.locator('xpath=ancestor::form').locator('button[type=submit]');
};

/**
 * On the Applications screen: creates an app of `type` (its card's label), with the framework guide `guide` if
 * given, and waits for the app's page.
 */
export const createApplicationInConsole = async (page: Page, name: string, type: RegExp, guide?: RegExp) => {
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.getByRole('radio', { name: type }).check();
  if (guide) await page.getByRole('radio', { name: guide }).check();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
};

/** A form field by its label, exactly, whether or not it carries the required mark. */
export const consoleField = (page: Page, label: string) =>
  page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));

/** Clicks a screen in the console's main navigation and waits for its heading. */
export const openScreen = async (page: Page, link: string, heading = link) => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
};
