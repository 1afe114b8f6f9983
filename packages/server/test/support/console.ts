import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from './server.ts';

/** Shared steps of the console's browser tests (issue 7): the first administrator, a watched page, signing in. */

export const consolePassword = 'amber lantern harbor 4096';

/** Creates the first administrator through the one-time endpoint, as the first-run page does. */
export const createFirstAdmin = async (t: TestServer, username: string, password = consolePassword) => {
  const response = await fetch(`${t.url}/api/console/first-admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { id: string; username: string };
};

/**
 * A page in a fresh browser context whose script errors and console errors (CSP violations among them) are
 * collected in `errors`; a 4xx of an API probe is expected and not counted.
 */
export const openConsolePage = async (
  browser: Browser,
  errors: string[],
  options: { colorScheme?: 'light' | 'dark'; locale?: string } = {},
): Promise<Page> => {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
  });
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
  await page.locator('input[autocomplete=username]').fill(username);
  const passwordInput = page.locator('input[type=password]').first();
  await passwordInput.fill(password);
  // The password form's own submit button: social buttons ("Continue with …") are submit buttons of other forms.
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith('/console') && url.pathname !== '/console/callback'),
    passwordInput.locator('xpath=ancestor::form').locator('button[type=submit]').click(),
  ]);
  // The console is ready (its first Management API call answered) once the main navigation shows. Leaving the
  // page earlier could cut off the SDK's first refresh-token exchange: the server would have rotated the refresh
  // token the page never stored, and the next load would present the old one (refused as a reuse).
  await page.getByRole('navigation', { name: /^(Main|เมนูหลัก)$/ }).waitFor();
};

/** Clicks a screen in the console's main navigation and waits for its heading. */
export const openScreen = async (page: Page, link: string, heading = link) => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
};
