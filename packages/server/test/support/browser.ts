import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags keep it off the network: this
 * machine has none but loopback, and Chromium's background services would otherwise keep trying.
 */
export const launchChromium = async (): Promise<{ browser: Browser; close: () => Promise<void> }> => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    // playwright gives the browser a fresh temporary profile and removes it on close.
    close: () => browser.close(),
  };
};

/** A fresh browser context (its own cookies), with a locale and colour scheme. */
export const newContext = (
  browser: Browser,
  options: { locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> =>
  browser.newContext({ locale: options.locale ?? 'en-US', colorScheme: options.colorScheme ?? 'light' });
