import { html, type SafeHtml } from './html.ts';
import type { Locale, Translate } from './i18n.ts';

export type Branding = {
  logoUrl?: string | undefined;
  darkLogoUrl?: string | undefined;
  favicon?: string | undefined;
  primaryColor: string;
  darkPrimaryColor: string;
  isDarkModeEnabled: boolean;
};

export type PageContext = {
  locale: Locale;
  t: Translate;
  branding: Branding;
  assetsVersion: string;
  /**
   * The console's live preview (docs/sign-in-experience.md, "Preview"): an inert page (no form posts anywhere, no
   * CSRF token, nothing focusable), its colours from the previewed settings, and light or dark as asked (dark only
   * when dark mode is on, as visitors would see it).
   */
  preview?: { dark: boolean } | undefined;
};

/** The branding stylesheet's URL: the stored colours, or in a preview the previewed ones (`#RRGGBB`, validated). */
const brandingHref = (ctx: PageContext) =>
  ctx.preview
    ? `/assets/branding.css?primary=${ctx.branding.primaryColor.slice(1)}&dark=${ctx.branding.darkPrimaryColor.slice(1)}`
    : `/assets/branding.css?v=${ctx.assetsVersion}`;

/**
 * One server-rendered page: no script, one stylesheet (ours, same origin, so the page CSP stays `style-src
 * 'self'`), branding colours through a generated stylesheet. Works without JavaScript (SPEC §5).
 */
export const page = (
  ctx: PageContext,
  input: { title: string; body: SafeHtml; languageLinks?: SafeHtml },
) => {
  const { branding, locale, preview } = ctx;
  // A preview shows the mode asked for, whatever the admin's own system prefers: its dark mode is a class.
  const previewDark = Boolean(preview?.dark && branding.isDarkModeEnabled);
  const logo = !branding.logoUrl
    ? ''
    : preview
      ? html`<img class="logo" src="${previewDark && branding.darkLogoUrl ? branding.darkLogoUrl : branding.logoUrl}" alt="">`
      : html`<picture>${branding.darkLogoUrl && branding.isDarkModeEnabled ? html`<source srcset="${branding.darkLogoUrl}" media="(prefers-color-scheme: dark)">` : ''}<img class="logo" src="${branding.logoUrl}" alt=""></picture>`;
  const colorScheme = preview
    ? previewDark
      ? 'dark'
      : 'light'
    : branding.isDarkModeEnabled
      ? 'light dark'
      : 'light';
  const bodyAttributes = preview
    ? html`${previewDark ? html` class="preview-dark"` : ''} inert`
    : branding.isDarkModeEnabled
      ? html` class="auto-dark"`
      : '';
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="${colorScheme}">
<title>${input.title}</title>
${
  // The documented `branding.favicon`; without one an empty icon, so browsers do not request /favicon.ico
  // (a 404 and a console error on every first visit).
  html`<link rel="icon" href="${branding.favicon || 'data:,'}">`
}
<link rel="stylesheet" href="/assets/experience.css?v=${ctx.assetsVersion}">
<link rel="stylesheet" href="${brandingHref(ctx)}">
</head>
<body${bodyAttributes}>
<main class="card">
${logo}
${input.body}
</main>
${input.languageLinks ?? ''}
</body>
</html>`;
};

export const field = (input: {
  name: string;
  label: string;
  type?: string;
  autocomplete: string;
  value?: string | undefined;
  required?: boolean;
  autofocus?: boolean;
  error?: string | undefined;
  hint?: string | undefined;
  inputmode?: string;
  maxlength?: number;
}) => {
  const id = `field-${input.name}`;
  const describedBy = [input.hint ? `${id}-hint` : '', input.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="field">
<label for="${id}">${input.label}</label>
<input id="${id}" name="${input.name}" type="${input.type ?? 'text'}" autocomplete="${input.autocomplete}"${input.value ? html` value="${input.value}"` : ''}${input.required === false ? '' : html` required`}${input.autofocus ? html` autofocus` : ''}${input.inputmode ? html` inputmode="${input.inputmode}"` : ''}${input.maxlength ? html` maxlength="${String(input.maxlength)}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${input.error ? html` aria-invalid="true"` : ''}>
${input.hint ? html`<p class="hint" id="${id}-hint">${input.hint}</p>` : ''}
${input.error ? html`<p class="error" id="${id}-error" role="alert">${input.error}</p>` : ''}
</div>`;
};

export const banner = (message: string | undefined, kind: 'error' | 'info' = 'error') =>
  message
    ? html`<p class="banner ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>`
    : '';

/** WCAG 2 relative luminance of a `#RRGGBB` colour. */
const luminance = (hex: string) => {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((at) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

/**
 * The text colour for a button filled with `hex`: white or the dark background colour, whichever contrasts more.
 * Fix: the text was always white, which on the default dark-mode primary #9C86F8 is 2.9:1, below WCAG 1.4.3's 4.5:1.
 */
export const textOn = (hex: string) => {
  const background = luminance(hex) + 0.05;
  const dark = luminance('#101114') + 0.05;
  return 1.05 / background >= background / dark ? '#ffffff' : '#101114';
};

/** The brandable colour stylesheet: validated `#RRGGBB` colours only, so they are safe inside CSS. */
export const brandingStylesheet = (primaryColor: string, darkPrimaryColor: string) =>
  `:root{--primary:${primaryColor};--primary-dark:${darkPrimaryColor};--on-primary:${textOn(primaryColor)};--on-primary-dark:${textOn(darkPrimaryColor)}}`;

const darkColours =
  '--primary: var(--primary-dark, #8f73ff); --on-primary: var(--on-primary-dark, #fff); --bg: #101114; --card: #1c1d22; --text: #eceef4; --muted: #b3b6c2; --border: #4a4d57; --danger: #ffb4ab; --focus: #8ab4f8;';

export const stylesheet = `
:root { --primary: #5d34f2; --bg: #f4f5f9; --card: #ffffff; --text: #1b1b21; --muted: #5c5f6b; --border: #c4c6d0; --danger: #b3261e; --focus: #1a73e8; }
@media (prefers-color-scheme: dark) {
  body.auto-dark { ${darkColours} }
}
body.preview-dark { ${darkColours} }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 1rem;
  background: var(--bg); color: var(--text); font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans Thai", "Noto Sans", sans-serif; padding: 1rem; }
.card { width: 100%; max-width: 26rem; background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 2rem 1.5rem; }
.logo { display: block; max-height: 3rem; margin: 0 auto 1rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .25rem; }
.subtitle { color: var(--muted); margin: 0 0 1.5rem; }
form { display: flex; flex-direction: column; gap: 1rem; margin: 0; }
.field { display: flex; flex-direction: column; gap: .25rem; }
label { font-weight: 600; }
input { font: inherit; color: var(--text); background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: .65rem .75rem; min-height: 2.75rem; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input[aria-invalid="true"] { border-color: var(--danger); }
button { font: inherit; font-weight: 600; border: 0; border-radius: 8px; min-height: 2.75rem; padding: .65rem 1rem; cursor: pointer; background: var(--primary); color: var(--on-primary, #fff); }
button.secondary { background: transparent; color: var(--text); border: 1px solid var(--border); }
.actions { display: flex; gap: .75rem; }
.actions button { flex: 1; }
.hint { color: var(--muted); font-size: .875rem; margin: 0; }
.error { color: var(--danger); font-size: .875rem; margin: 0; }
.banner { border-radius: 8px; padding: .75rem; margin: 0 0 1rem; }
.banner.error { color: var(--danger); border: 1px solid var(--danger); }
.banner.info { border: 1px solid var(--border); }
.links { display: flex; flex-direction: column; gap: .5rem; margin-top: 1.25rem; font-size: .95rem; }
a { color: var(--primary); }
ul.scopes { padding-left: 1.25rem; }
nav.languages { font-size: .875rem; display: flex; gap: .75rem; }
.legal { color: var(--muted); font-size: .8rem; margin-top: 1rem; }
.social { display: flex; flex-direction: column; gap: .5rem; }
.social form { gap: 0; }
button.social-button { display: flex; align-items: center; justify-content: center; gap: .6rem; background: transparent; color: var(--text); border: 1px solid var(--border); }
.social-button img { width: 1.25rem; height: 1.25rem; object-fit: contain; }
.divider { text-align: center; color: var(--muted); font-size: .875rem; margin: 1rem 0; }
`;
