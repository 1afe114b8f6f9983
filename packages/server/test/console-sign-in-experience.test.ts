import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  isDirty,
  move,
  type SignInExperience,
  toForm,
  toggleTarget,
  toPatch,
} from '../../console/src/sign-in-experience-logic.ts';
import { assertStatus } from './support/api-client.ts';
import {
  type ConsoleHarness,
  openConsolePage,
  openScreen,
  signInToConsole,
  startConsole,
} from './support/console.ts';
import { addDisplayedConnector, defaultSignInExperienceAnswer } from './support/sign-in-experience.ts';

/**
 * The console's Sign-in experience screen (issue 7, "Sign-in experience"; docs/console.md): the form's conversion
 * to and from the settings (plain functions), then in Debian's Chromium a new admin edits the settings, watches the
 * live preview follow before saving, reorders the social buttons, meets the server's refusal, and previews the
 * dark Thai page.
 */

const defaults: SignInExperience = defaultSignInExperienceAnswer;

describe("the Sign-in experience screen's form logic (issue 7)", () => {
  it('reads the saved settings back unchanged: form → PATCH body is what was read', () => {
    const { tenantId: _t, id: _i, ...settings } = defaults;
    assert.deepEqual(toPatch(toForm(defaults)), {
      ...settings,
      branding: { logoUrl: '', darkLogoUrl: '', favicon: '' },
      termsOfUseUrl: '',
      privacyPolicyUrl: '',
    });
    assert.equal(isDirty(toForm(defaults), defaults), false);
  });

  it('lists every identifier once, the saved ones first and on, the others off', () => {
    const form = toForm(defaults);
    assert.deepEqual(
      form.methods.map((method) => [method.identifier, method.enabled]),
      [
        ['username', true],
        ['email', true],
        ['phone', false],
      ],
    );
    const withPhone = toPatch({
      ...form,
      methods: form.methods.map((method) =>
        method.identifier === 'phone' ? { ...method, enabled: true } : method,
      ),
    });
    assert.deepEqual(
      withPhone.signIn.methods.map((method) => method.identifier),
      ['username', 'email', 'phone'],
    );
  });

  it('says which of password and code comes first only when both are on', () => {
    const form = toForm({
      ...defaults,
      signIn: {
        methods: [{ identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: false }],
      },
    });
    const email = form.methods.find((method) => method.identifier === 'email');
    assert.equal(email?.first, 'code');
    assert.deepEqual(toPatch(form).signIn.methods, [
      { identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: false },
    ]);
    const codeOnly = toPatch({
      ...form,
      methods: form.methods.map((method) =>
        method.identifier === 'email' ? { ...method, password: false } : method,
      ),
    });
    assert.equal(codeOnly.signIn.methods[0]?.isPasswordPrimary, true, 'the flag only matters with both');
  });

  it('sends a social-only sign-up (no identifiers) without password or verification', () => {
    const form = { ...toForm(defaults), signUpIdentifiers: [], signUpPassword: true, signUpVerify: true };
    assert.deepEqual(toPatch(form).signUp, { identifiers: [], password: false, verify: false });
  });

  it('sends the minimum length as typed, a number when it is one, for the server to judge', () => {
    assert.equal(toPatch({ ...toForm(defaults), minLength: ' 12 ' }).passwordPolicy.length.min, 12);
    assert.equal(toPatch({ ...toForm(defaults), minLength: '300' }).passwordPolicy.length.min, 300);
    assert.equal(toPatch({ ...toForm(defaults), minLength: 'ten' }).passwordPolicy.length.min, 'ten');
  });

  it('notices unsaved changes, and colours written in either case are the same colour', () => {
    const form = toForm(defaults);
    assert.equal(isDirty({ ...form, primaryColor: '#5d34f2' }, defaults), false);
    assert.equal(isDirty({ ...form, primaryColor: '#0a7a3b' }, defaults), true);
    assert.equal(isDirty({ ...form, socialTargets: ['a'] }, defaults), true);
    assert.equal(toPatch({ ...form, primaryColor: '#0a7a3b' }).color.primaryColor, '#0A7A3B');
  });

  it('moves a social button up or down, and not past either end', () => {
    assert.deepEqual(move(['a', 'b', 'c'], 1, -1), ['b', 'a', 'c']);
    assert.deepEqual(move(['a', 'b', 'c'], 1, 1), ['a', 'c', 'b']);
    assert.deepEqual(move(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(move(['a', 'b', 'c'], 2, 1), ['a', 'b', 'c']);
    assert.deepEqual(toggleTarget(['a', 'b'], 'a', true), ['b', 'a'], 'a button shown again goes last');
    assert.deepEqual(toggleTarget(['a', 'b'], 'a', false), ['b']);
  });
});

// What the page functions below read in the browser (the tests compile without the DOM library).
declare const document: { activeElement: { getAttribute(name: string): string | null } | null };
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };

/** Waits until `read` answers `expected` (the preview follows the form after a pause and a round trip). */
const eventually = async <T>(read: () => Promise<T>, expected: T, what: string) => {
  let last: T | undefined;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      last = await read();
      if (last === expected) return;
    } catch {
      // The frame is being replaced: read again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: expected ${String(expected)}, last saw ${String(last)}`);
};

describe("the admin console's Sign-in experience screen in Chromium (issue 7)", () => {
  let c: ConsoleHarness;
  const errors: string[] = [];

  before(async () => {
    c = await startConsole('first_admin');
    await addDisplayedConnector(c.api, 'north-idp', { en: 'North', th: 'บัญชี North' });
    await addDisplayedConnector(c.api, 'south-idp', { en: 'South', th: 'บัญชี South' });
    assertStatus(
      await c.api.patch('/api/sign-in-exp', { socialSignInConnectorTargets: ['north-idp', 'south-idp'] }),
      200,
    );
  });
  after(() => c?.stop());

  const openSignInExperience = async (): Promise<Page> => {
    const page = await openConsolePage(c.browser, errors);
    await signInToConsole(page, c.t, 'first_admin');
    await openScreen(page, 'Sign-in experience');
    await page.getByLabel('Primary colour', { exact: true }).waitFor();
    return page;
  };
  const previewOf = (page: Page): FrameLocator =>
    page.frameLocator('iframe[title="Preview of the hosted page"]');
  const submitColour = (frame: FrameLocator) =>
    frame
      .locator('button[type=submit]')
      .last()
      .evaluate((button) => getComputedStyle(button).backgroundColor);

  it('previews a new primary colour and email code sign-in before saving, then saves them', async () => {
    const page = await openSignInExperience();
    const preview = previewOf(page);
    // The preview runs nothing: a sandbox with no permission at all, and a page without scripts.
    const frame = page.locator('iframe[title="Preview of the hosted page"]');
    assert.equal(await frame.getAttribute('sandbox'), '');
    assert.doesNotMatch(String(await frame.getAttribute('srcdoc')), /<script|action=|_csrf/i);
    await eventually(() => submitColour(preview), 'rgb(93, 52, 242)', 'the saved colour first');
    assert.equal(await preview.getByText('Sign in with an email code').count(), 0);

    await page.getByLabel('Primary colour', { exact: true }).fill('#0a7a3b');
    await page
      .getByRole('group', { name: 'Email: sign in with' })
      .getByLabel('Verification code', { exact: true })
      .check();
    await page.getByText('Unsaved changes', { exact: false }).waitFor();

    // The preview follows the form; the stored settings do not change yet.
    await eventually(() => submitColour(preview), 'rgb(10, 122, 59)', 'the previewed colour');
    await preview.getByText('Sign in with an email code').waitFor();
    const before = (await c.api.get('/api/sign-in-exp')).body;
    assert.equal(before.color.primaryColor, '#5D34F2');

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. The hosted pages show these settings.').waitFor();
    const saved = (await c.api.get('/api/sign-in-exp')).body;
    assert.equal(saved.color.primaryColor, '#0A7A3B');
    assert.deepEqual(
      saved.signIn.methods.find((method: { identifier: string }) => method.identifier === 'email'),
      { identifier: 'email', password: true, verificationCode: true, isPasswordPrimary: true },
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reorders the social buttons with the keyboard and saves the order', async () => {
    const page = await openSignInExperience();
    const preview = previewOf(page);
    const buttonOrder = () =>
      preview
        .locator('.social-button')
        .allTextContents()
        .then((texts) => texts.map((text) => text.trim()).join(' | '));
    await eventually(buttonOrder, 'Continue with North | Continue with South', 'the saved order');

    await page.getByRole('button', { name: 'Move South up' }).focus();
    await page.keyboard.press('Enter');
    await eventually(buttonOrder, 'Continue with South | Continue with North', 'the previewed order');
    // The keyboard stays on the moved button (now the first: "up" is disabled, focus goes to its "down").
    await eventually(
      () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''),
      'Move South down',
      'the focus after moving',
    );
    assert.deepEqual((await c.api.get('/api/sign-in-exp')).body.socialSignInConnectorTargets, [
      'north-idp',
      'south-idp',
    ]);

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. The hosted pages show these settings.').waitFor();
    assert.deepEqual((await c.api.get('/api/sign-in-exp')).body.socialSignInConnectorTargets, [
      'south-idp',
      'north-idp',
    ]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("shows the server's error for an invalid minimum length and saves nothing", async () => {
    const before = (await c.api.get('/api/sign-in-exp')).body;
    const page = await openSignInExperience();
    await page.getByLabel('Minimum length', { exact: true }).fill('300');
    await page.getByLabel('Reject passwords found in data breaches').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    const alert = page.locator('.sie-actions [role=alert]');
    await alert.waitFor();
    assert.match(String(await alert.textContent()), /request\.invalid_body/);
    assert.match(String(await alert.textContent()), /passwordPolicy\.length\.min/);
    await page.getByText('Unsaved changes', { exact: false }).waitFor();
    assert.deepEqual((await c.api.get('/api/sign-in-exp')).body, before, 'nothing saved');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('previews the dark Thai page, and the screen itself speaks Thai', async () => {
    const page = await openSignInExperience();
    await page.getByLabel('Follow the visitor’s dark mode').check();
    await page.getByRole('group', { name: 'Appearance' }).getByLabel('Dark').check();
    await page.getByRole('group', { name: 'Language', exact: true }).getByLabel('ไทย').check();
    const preview = previewOf(page);
    await eventually(() => preview.locator('h1').textContent(), 'เข้าสู่ระบบ', 'the Thai heading');
    await eventually(
      () => preview.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor),
      'rgb(16, 17, 20)',
      'the dark background',
    );
    await preview.getByText('ดำเนินการต่อด้วย', { exact: false }).first().waitFor();

    await page.getByRole('group', { name: 'Page', exact: true }).getByLabel('Create account').check();
    await eventually(() => preview.locator('h1').textContent(), 'สร้างบัญชีของคุณ', 'the Thai sign-up page');

    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('th');
    await page.getByRole('heading', { name: 'ประสบการณ์การเข้าสู่ระบบ', exact: true }).waitFor();
    await page.getByRole('button', { name: 'บันทึกการเปลี่ยนแปลง' }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
