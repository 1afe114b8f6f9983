import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { consolePassword, createApplicationInConsole, openConsolePage } from './support/console.ts';
import {
  freePort,
  type GatehouseProcess,
  spawnCollecting,
  spawnGatehouse,
  stopGatehouse,
  waitReady,
} from './support/process.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';

/**
 * Issue 7's "done means", as a new administrator lives it: `npm start`'s command on a fresh data directory, then
 * only the console and the README's sample app. Create the first administrator, create "Bookstore" (Traditional
 * web) and copy its id and secret into the sample app (examples/sample-app.mjs, the official @logto/node SDK), sign
 * a user in to it; add an OpenID Connect connector pointing at a local upstream provider, show it on the sign-in
 * page, and "Continue with …" into the sample app in a second browser; open the new user in the console, see the
 * social identity and its token status, unlink it.
 *
 * Screenshots of each screen land in docs/screenshots with UPDATE_SCREENSHOTS=1 (the README shows them).
 */

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.join(repoRoot, 'docs/screenshots')
  : path.join(tmpdir(), 'gatehouse-screenshots');
const adminName = 'bookstore_admin';

/** The README's sample app as its own process, with the id and secret the console showed. */
const startSampleApp = async (env: { endpoint: string; appId: string; appSecret: string }) => {
  const port = await freePort();
  const { child, output } = spawnCollecting(
    process.execPath,
    [path.join(repoRoot, 'examples/sample-app.mjs')],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        GATEHOUSE_ENDPOINT: env.endpoint,
        APP_ID: env.appId,
        APP_SECRET: env.appSecret,
        PORT: String(port),
      },
    },
  );
  const deadline = Date.now() + 20_000;
  while (!output().includes('Sample app on')) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`sample app did not start:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://localhost:${port}`,
    output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
};

describe('from a fresh server to "Continue with …" in a sample app, through the console only (issue 7)', () => {
  let dataDir: string;
  let gatehouse: GatehouseProcess;
  let endpoint: string;
  let upstream: Upstream;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let sampleApp: Awaited<ReturnType<typeof startSampleApp>> | undefined;
  const errors: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-walkthrough-'));
    mkdirSync(screenshots, { recursive: true });
    gatehouse = await spawnGatehouse({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    // The README's address: ENDPOINT defaults to http://localhost:<PORT>.
    endpoint = gatehouse.url.replace('127.0.0.1', 'localhost');
    [upstream] = await Promise.all([startUpstream({ consent: 'prompt' }), waitReady(gatehouse, 120_000)]);
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  after(async () => {
    await closeBrowser?.();
    await sampleApp?.stop();
    await upstream?.stop();
    if (gatehouse) await stopGatehouse(gatehouse);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A screenshot of the page's top, or of the part around `focus`. */
  const shot = async (page: Page, name: string, focus?: Locator) => {
    if (focus) await focus.scrollIntoViewIfNeeded();
    else await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(screenshots, name) });
  };
  /** The generated connector form's input for a label (required ones end with " *"; the first of repeated ones). */
  const field = (page: Page, label: string) =>
    page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`)).first();

  let admin: Page;
  let bookstore: { id: string; secret: string };

  it('creates the first administrator on the one-time page and signs in through the hosted page', async () => {
    admin = await openConsolePage(browser, errors);
    await admin.goto(`${endpoint}/console`);
    await admin.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await shot(admin, 'console-first-admin.png');
    await admin.getByLabel('Username').fill(adminName);
    await admin.getByLabel('Password', { exact: true }).fill(consolePassword);
    await admin.getByLabel('Confirm password').fill(consolePassword);
    await admin.getByRole('button', { name: 'Create administrator' }).click();
    await admin.getByRole('button', { name: 'Continue to sign-in' }).click();
    await Promise.all([
      admin.waitForURL((url) => url.pathname === '/sign-in'),
      admin.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await admin.locator('input[autocomplete=username]').fill(adminName);
    await admin.locator('input[type=password]').first().fill(consolePassword);
    await Promise.all([
      admin.waitForURL((url) => url.pathname === '/console/applications'),
      admin.locator('button[type=submit]').click(),
    ]);
    await admin.getByRole('heading', { name: 'Applications', exact: true }).waitFor();
  });

  it('creates "Bookstore" (Traditional web), copies its endpoint, id and secret, and adds the sample app\'s URIs', async () => {
    await createApplicationInConsole(admin, 'Bookstore', /Traditional web/, /Express \(Node\.js\)/);
    assert.equal(await admin.getByTestId('app-endpoint').inputValue(), endpoint);
    bookstore = {
      id: await admin.getByTestId('app-id').inputValue(),
      secret: await admin.getByTestId('app-secret').inputValue(),
    };
    assert.ok(bookstore.id && bookstore.secret.length >= 20, 'an app id and a secret');
    sampleApp = await startSampleApp({ endpoint, appId: bookstore.id, appSecret: bookstore.secret });
    await admin.getByLabel('Redirect URIs (one per line)', { exact: true }).fill(`${sampleApp.url}/callback`);
    await admin.getByLabel('Post sign-out redirect URIs (one per line)').fill(sampleApp.url);
    await admin.getByRole('button', { name: 'Save URIs' }).click();
    await admin.getByText('Saved.').waitFor();
    await shot(admin, 'console-application.png');
  });

  it('signs a new user up and in to the sample app (the official @logto/node SDK) with the copied id and secret', async () => {
    assert.ok(sampleApp);
    const person = await openConsolePage(browser, errors);
    await person.goto(sampleApp.url);
    await person.getByRole('link', { name: 'Create an account' }).click();
    await person.waitForURL((url) => url.pathname === '/register');
    await person.locator('input[autocomplete=username]').fill('first_reader');
    for (const input of await person.locator('input[type=password]').all()) await input.fill(consolePassword);
    await Promise.all([
      person.waitForURL((url) => url.href.startsWith(sampleApp?.url ?? '-')),
      person.locator('button[type=submit]').click(),
    ]);
    await person.getByRole('heading', { name: 'Hello, first_reader' }).waitFor();
    assert.match((await person.locator('pre').textContent()) ?? '', new RegExp(`"aud": "${bookstore.id}"`));
    await person.context().close();
  });

  let connectorId: string;

  it('adds an OpenID Connect connector for the upstream provider and shows it on the sign-in page', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await admin.getByRole('heading', { name: 'Connectors', exact: true }).waitFor();
    await admin.getByRole('link', { name: 'Add connector' }).click();
    await admin.getByRole('button', { name: /\(oidc\)$/ }).click();
    await admin.getByRole('heading', { name: /^New .* connector$/ }).waitFor();
    const clientSecret = 'walkthrough upstream client secret';
    await field(admin, 'Target (IdP name)').fill('acme');
    await field(admin, 'Button name (English)').fill('Acme ID');
    await field(admin, 'Client ID').fill('gatehouse-bookstore');
    await field(admin, 'Client secret').fill(clientSecret);
    await field(admin, 'Authorization endpoint').fill(upstream.authorizationEndpoint);
    await field(admin, 'Token endpoint').fill(upstream.tokenEndpoint);
    await field(admin, 'JWKS URI').fill(upstream.jwksUri);
    await field(admin, 'Issuer').fill(upstream.issuer);
    await field(admin, 'Scope').fill('openid profile email offline_access');
    await admin.getByRole('checkbox', { name: /Store the provider's tokens/ }).check();
    await admin.getByRole('button', { name: 'Create connector' }).click();
    await admin.getByRole('heading', { name: 'Acme ID' }).waitFor();
    connectorId = decodeURIComponent(new URL(admin.url()).pathname.split('/').pop() ?? '');
    const callbackUri = await admin.getByTestId('connector-callback-uri').inputValue();
    assert.equal(callbackUri, `${endpoint}/callback/${connectorId}`);
    await shot(admin, 'console-connector.png');

    // The administrator registers Gatehouse at the provider with the callback URI the console showed.
    await upstream.registerClient({
      client_id: 'gatehouse-bookstore',
      client_secret: clientSecret,
      redirect_uris: [callbackUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    });

    await admin.getByRole('link', { name: '← Connectors' }).click();
    await admin.getByRole('checkbox', { name: 'Show Acme ID on the sign-in page' }).check();
    await admin.getByText('Shown', { exact: true }).waitFor();
    await shot(admin, 'console-connectors.png');
  });

  it('signs a person in to the sample app with "Continue with Acme ID" in a second browser context', async () => {
    assert.ok(sampleApp);
    upstream.accounts.set('reader-42', {
      password: 'upstream reader passphrase',
      claims: { email: 'reader42@upstream.example', email_verified: true, name: 'Reader Forty-Two' },
    });
    const person = await openConsolePage(browser, errors);
    await person.goto(sampleApp.url);
    await person.getByRole('link', { name: 'Sign in' }).click();
    await person.getByRole('button', { name: 'Continue with Acme ID' }).click();
    await person.waitForURL((url) => url.href.startsWith(upstream.issuer));
    await person.getByLabel('Username').fill('reader-42');
    await person.getByLabel('Password').fill('upstream reader passphrase');
    await person.getByRole('button', { name: 'Sign in' }).click();
    await Promise.all([
      person.waitForURL((url) => url.href.startsWith(sampleApp?.url ?? '-')),
      person.getByRole('button', { name: 'Allow' }).click(),
    ]);
    await person.getByRole('heading', { name: /^Hello, / }).waitFor();
    assert.match((await person.locator('pre').textContent()) ?? '', /"email": "reader42@upstream\.example"/);
    await person.context().close();
  });

  it("shows the new user's social identity and the stored token status, and unlinks it", async () => {
    const dialogs: string[] = [];
    admin.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await admin.getByRole('link', { name: /reader42@upstream\.example|Reader Forty-Two/ }).click();
    const identity = admin.getByTestId('identity-acme');
    await identity.waitFor();
    await identity.locator('code', { hasText: 'reader-42' }).waitFor();
    const status = (await identity.getByTestId('token-status').textContent()) ?? '';
    assert.match(status, /stored/);
    assert.match(status, /scope: .*openid/, 'with the scope the provider granted');
    await shot(admin, 'console-user.png', identity);

    // Unlinked (confirmed): the user keeps the verified email the provider gave, to sign in with a code or reset.
    await identity.getByRole('button', { name: /acme/ }).click();
    await admin.getByTestId('identity-acme').waitFor({ state: 'detached' });
    assert.match(dialogs.at(-1) ?? '', /acme/);
    assert.deepEqual(errors, [], 'no page errors or CSP violations');
  });

  it('opens every other screen from the main navigation, each with its heading and no page error', async () => {
    const screens = [
      { link: 'API resources', file: 'console-resources.png' },
      { link: 'Roles', file: 'console-roles.png' },
      { link: 'Sign-in experience', file: 'console-sign-in-experience.png' },
      { link: 'Audit logs', file: 'console-audit-logs.png' },
    ];
    for (const screen of screens) {
      await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen.link }).click();
      await admin.getByRole('heading', { name: screen.link, exact: true }).waitFor();
      await admin.locator('[aria-busy=true]').first().waitFor({ state: 'detached' });
      if (screen.link === 'Sign-in experience') {
        // The live preview shows the hosted page, with the connector's button.
        await admin
          .frameLocator('iframe[title="Preview of the hosted page"]')
          .getByRole('button', { name: 'Continue with Acme ID' })
          .waitFor();
      }
      await shot(admin, screen.file);
    }
    // The audit log has the unlink the previous step made.
    await admin.getByTestId('log-row').first().waitFor();
    assert.deepEqual(errors, [], 'no page errors or CSP violations');
  });
});
