import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertStatus, type Loose } from './support/api-client.ts';
import { launchChromium } from './support/browser.ts';
import {
  consoleField,
  createFirstAdmin,
  openConsolePage,
  openScreen,
  signInToConsole,
} from './support/console.ts';
import {
  beginAuthorization,
  createUserWithPassword,
  type ExperienceHarness,
  emailSettings,
  setSignInExperience,
  startExperience,
  uniqueName,
} from './support/experience.ts';
import { type SmtpTestServer, startSmtpServer } from './support/smtp.ts';

/**
 * The Connectors screen's email side (issue 7, "Connectors: email/SMS connectors, the development outbox";
 * docs/console.md) in Debian's Chromium: the development outbox shows the verification code a user asked for on
 * the hosted page; the SMTP connector is added through its generated form, edited without retyping its password
 * (the masked password is kept: the next code reaches the SMTP server, authenticated), and deleted; the screen
 * reads in Thai.
 */

const adminName = 'email_connector_admin';
const mask = '********';

const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await probe();
    if (found) return found;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const field = consoleField;

describe('the Connectors screen: the email connector and the development outbox, in Chromium (issue 7)', () => {
  let h: ExperienceHarness;
  let smtp: SmtpTestServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const errors: string[] = [];

  before(async () => {
    [h, smtp] = await Promise.all([startExperience(), startSmtpServer()]);
    await createFirstAdmin(h.t, adminName);
    await setSignInExperience(h.t, h.api, emailSettings);
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  after(async () => {
    await closeBrowser?.();
    await smtp?.close();
    await h?.stop();
  });

  /** A user with an email asks for a sign-in code on the hosted page. */
  const askSignInCode = async () => {
    const email = `${uniqueName('mail')}@example.com`;
    await createUserWithPassword(h.api, { primaryEmail: email, password: 'a long passphrase 1' });
    const flow = await beginAuthorization(h.t, h.app);
    const sent = await flow.browser.post('/sign-in/code', { _csrf: flow.page.csrf ?? '', email });
    assert.equal(sent.status, 303, sent.html.slice(0, 500));
    return email;
  };

  it('shows the development outbox: an empty state, then the verification code email a user asked for', async () => {
    const page = await openConsolePage(browser, errors);
    await signInToConsole(page, h.t, adminName);
    await openScreen(page, 'Connectors');
    await page.getByText('No email connector: verification codes go through SMTP_URL').waitFor();
    await page
      .getByRole('navigation', { name: 'Connector sections' })
      .getByRole('link', { name: 'Development outbox' })
      .click();
    await page.getByRole('heading', { name: 'Development outbox', exact: true }).waitFor();
    await page.getByText('The outbox is empty.').waitFor();

    const email = await askSignInCode();
    const [kept] = (await h.api.get(`/api/outbox?to=${encodeURIComponent(email)}`)).body as Loose[];
    assert.ok(kept, 'the message in the outbox');
    const code = /\b(\d{6})\b/.exec(kept.text)?.[1];
    assert.ok(code, 'a six-digit code in the message');

    await page.getByRole('button', { name: 'Refresh' }).click();
    const message = page.getByRole('article', { name: kept.subject });
    await message.waitFor();
    await message.getByText(email, { exact: true }).waitFor();
    await message.getByText(code).waitFor();
    assert.match((await message.locator('time').getAttribute('datetime')) ?? '', /^\d{4}-\d\d-\d\dT/);

    // Emptied after a confirmation.
    await page.getByRole('button', { name: 'Empty the outbox' }).click();
    await page.getByRole('button', { name: 'Yes, empty it' }).click();
    await page.getByText('The outbox is empty.').waitFor();
    assert.deepEqual((await h.api.get('/api/outbox')).body, []);
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('adds the SMTP connector with its form, keeps the masked password on edit, and deletes it', async () => {
    const page = await openConsolePage(browser, errors);
    await signInToConsole(page, h.t, adminName);
    await openScreen(page, 'Connectors');
    await page.getByRole('link', { name: 'Add email connector' }).click();
    await page.getByRole('button', { name: /\(smtp\)$/ }).click();
    await page.getByRole('heading', { name: 'New SMTP connector' }).waitFor();
    // An email connector has no sign-in button settings.
    assert.equal(await page.getByLabel('Target (IdP name)').count(), 0);

    await field(page, 'URL').fill('http://mail.example.com');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByText(/^URL must look like smtp:\/\//).waitFor();
    await field(page, 'URL').fill(smtp.url);
    await field(page, 'From').fill('Gatehouse <id@example.com>');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: 'SMTP email connector' }).waitFor();

    const [connector] = ((await h.api.get('/api/connectors')).body as Loose[]).filter(
      (candidate) => candidate.type === 'Email',
    );
    assert.ok(connector, 'the email connector');
    assert.equal(connector.connectorId, 'smtp');
    assert.equal(connector.config.url, `smtp://mailer:${mask}@127.0.0.1:${smtp.port}`);
    // The form shows the URL with the password masked, never the password itself.
    assert.equal(await field(page, 'URL').inputValue(), `smtp://mailer:${mask}@127.0.0.1:${smtp.port}`);
    assert.ok(!(await page.content()).includes(smtp.url.split(':')[2]?.split('@')[0] ?? 'x'));
    // No callback URI and no "Test" for an email connector.
    assert.equal(await page.getByTestId('connector-callback-uri').count(), 0);

    // Edit the sender without retyping the password: the stored password is kept.
    await field(page, 'From').fill('id2@example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const edited = await h.api.get(`/api/connectors/${connector.id}`);
    assertStatus(edited, 200);
    assert.equal(edited.body.config.from, 'id2@example.com');
    assert.equal(edited.body.config.url, `smtp://mailer:${mask}@127.0.0.1:${smtp.port}`);
    const email = await askSignInCode();
    const mail = await waitFor(
      () => smtp.received.find((received) => received.to.includes(email)),
      'the code at the SMTP server',
    );
    assert.equal(mail.user, 'mailer', 'authenticated with the kept password');
    assert.match(mail.raw, /^From: id2@example\.com/m);

    // The list shows it (server, sender); the outbox says new messages go through it.
    await page.getByRole('link', { name: '← Connectors' }).click();
    const row = page.getByRole('row', { name: /SMTP email connector/ });
    await row.getByText(`127.0.0.1:${smtp.port}`).waitFor();
    await page.getByRole('link', { name: 'Development outbox' }).click();
    await page.getByText('An email connector is configured').waitFor();
    await page.getByRole('link', { name: 'Connectors', exact: true }).last().click();

    await page.getByRole('button', { name: 'Delete SMTP email connector' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No email connector: verification codes go through SMTP_URL').waitFor();
    assert.equal((await h.api.get(`/api/connectors/${connector.id}`)).status, 404);
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });

  it('reads in Thai: the list, the add page, the outbox and the form messages', async () => {
    const page = await openConsolePage(browser, errors, { locale: 'th-TH' });
    await signInToConsole(page, h.t, adminName);
    await page.getByRole('navigation', { name: 'เมนูหลัก' }).getByRole('link', { name: 'ตัวเชื่อมต่อ' }).click();
    await page.getByRole('heading', { name: 'ตัวเชื่อมต่อ', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'เข้าสู่ระบบด้วยโซเชียล' }).waitFor();
    await page.getByText('ยังไม่มีตัวเชื่อมต่อโซเชียล').waitFor();
    await page.getByRole('link', { name: 'กล่องจดหมายสำหรับการพัฒนา' }).click();
    await page.getByText('กล่องจดหมายว่างเปล่า', { exact: false }).waitFor();
    await page.getByRole('link', { name: 'ตัวเชื่อมต่อ', exact: true }).last().click();
    await page.getByRole('link', { name: 'เพิ่มตัวเชื่อมต่อ', exact: true }).first().click();
    await page.getByRole('button', { name: /\(oidc\)$/ }).click();
    await page.getByRole('heading', { name: 'ตัวเชื่อมต่อ OIDC ใหม่' }).waitFor();
    await page.getByRole('button', { name: 'สร้างตัวเชื่อมต่อ' }).click();
    await page.getByText('เป้าหมาย (ชื่อ IdP) ต้องกรอก').waitFor();
    await page.getByText('Client ID ต้องกรอก').waitFor();
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await page.context().close();
  });
});
