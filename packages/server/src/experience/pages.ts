import { html, type SafeHtml } from './html.ts';
import type { Locale, MessageKey } from './i18n.ts';
import { banner, field, type PageContext, page } from './layout.ts';

/** The hosted pages (SPEC §5) as pure functions of what they show. Forms post to the same URL and get a 303. */

export type FormBase = { action: string; csrf: string; lang: Locale };

const hidden = (form: FormBase) =>
  html`<input type="hidden" name="_csrf" value="${form.csrf}"><input type="hidden" name="lang" value="${form.lang}">`;

/**
 * A form's opening tag and hidden fields: posting to `action` with the CSRF token, or in the console's preview
 * a form that goes nowhere and holds no token.
 */
const formStart = (ctx: PageContext, form: FormBase, action: string, attributes = html``) =>
  ctx.preview
    ? html`<form${attributes}>`
    : html`<form method="post" action="${action}"${attributes}>
${hidden(form)}`;

const withLang = (path: string, lang: Locale) => `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;

export const languageLinks = (ctx: PageContext, path: string) =>
  html`<nav class="languages" aria-label="${ctx.t('language.label')}">
<a href="${withLang(path, 'en')}" lang="en"${ctx.locale === 'en' ? html` aria-current="true"` : ''}>English</a>
<a href="${withLang(path, 'th')}" lang="th"${ctx.locale === 'th' ? html` aria-current="true"` : ''}>ไทย</a>
</nav>`;

const legal = (
  ctx: PageContext,
  links: { termsOfUseUrl?: string | undefined; privacyPolicyUrl?: string | undefined },
) => {
  if (!links.termsOfUseUrl && !links.privacyPolicyUrl) return '';
  const terms = links.termsOfUseUrl
    ? html`<a href="${links.termsOfUseUrl}">${ctx.t('terms.terms')}</a>`
    : html`${ctx.t('terms.terms')}`;
  const privacy = links.privacyPolicyUrl
    ? html`<a href="${links.privacyPolicyUrl}">${ctx.t('terms.privacy')}</a>`
    : html`${ctx.t('terms.privacy')}`;
  const [before = '', middle = '', after = ''] = ctx.t('terms.agree').split(/\{\{terms\}\}|\{\{privacy\}\}/);
  return html`<p class="legal">${before}${terms}${middle}${privacy}${after}</p>`;
};

export type SignInView = FormBase & {
  appName: string;
  identifierLabel: MessageKey;
  identifier?: string | undefined;
  error?: string | undefined;
  info?: string | undefined;
  registerHref?: string | undefined;
  forgotHref?: string | undefined;
  codeHref?: string | undefined;
  legal: { termsOfUseUrl?: string | undefined; privacyPolicyUrl?: string | undefined };
  social: SocialButtonView[];
  /** Whether the password form is shown (false: social sign-in only). */
  passwordForm: boolean;
};

/** A "Continue with …" button: the connector's name and logo, light and dark (SPEC §5, §6). */
export type SocialButtonView = {
  id: string;
  name: string;
  logo?: string | undefined;
  logoDark?: string | undefined;
};

const socialButtons = (ctx: PageContext, form: FormBase, buttons: SocialButtonView[]) =>
  buttons.length === 0
    ? ''
    : html`<div class="social">
${buttons.map(
  (
    button,
  ) => html`${formStart(ctx, form, '/sign-in/social')}${ctx.preview ? '' : html`<input type="hidden" name="connector" value="${button.id}">`}
<button type="submit" class="social-button" data-connector="${button.id}">${
    !button.logo
      ? ''
      : ctx.preview
        ? html`<img src="${ctx.preview.dark && ctx.branding.isDarkModeEnabled && button.logoDark ? button.logoDark : button.logo}" alt="">`
        : html`<picture>${button.logoDark && ctx.branding.isDarkModeEnabled ? html`<source srcset="${button.logoDark}" media="(prefers-color-scheme: dark)">` : ''}<img src="${button.logo}" alt=""></picture>`
  }<span>${ctx.t('social.continue_with', { name: button.name })}</span></button>
</form>`,
)}
</div>`;

export const signInPage = (ctx: PageContext, view: SignInView) =>
  page(ctx, {
    title: ctx.t('sign_in.title'),
    languageLinks: languageLinks(ctx, view.action),
    body: html`<h1>${ctx.t('sign_in.title')}</h1>
<p class="subtitle">${ctx.t('sign_in.subtitle', { app: view.appName })}</p>
${banner(view.error)}${banner(view.info, 'info')}
${socialButtons(ctx, view, view.social)}
${view.social.length > 0 && view.passwordForm ? html`<p class="divider">${ctx.t('social.or')}</p>` : ''}
${
  view.passwordForm
    ? html`${formStart(ctx, view, view.action, html` novalidate`)}
${field({ name: 'identifier', label: ctx.t(view.identifierLabel), autocomplete: view.identifierLabel === 'sign_in.identifier.email' ? 'email' : 'username', value: view.identifier, autofocus: !ctx.preview && !view.identifier, maxlength: 128 })}
${field({ name: 'password', label: ctx.t('sign_in.password'), type: 'password', autocomplete: 'current-password', autofocus: !ctx.preview && Boolean(view.identifier), maxlength: 256 })}
<button type="submit">${ctx.t('sign_in.submit')}</button>
</form>`
    : ''
}
<div class="links">
${view.forgotHref ? html`<a href="${view.forgotHref}">${ctx.t('sign_in.forgot_password')}</a>` : ''}
${view.codeHref ? html`<a href="${view.codeHref}">${ctx.t('sign_in.with_code')}</a>` : ''}
${view.registerHref ? html`<span>${ctx.t('sign_in.no_account')} <a href="${view.registerHref}">${ctx.t('sign_in.create_account')}</a></span>` : ''}
</div>
${legal(ctx, view.legal)}`,
  });

export type RegisterView = FormBase & {
  appName: string;
  fields: { username: boolean; email: boolean; password: boolean };
  values: { username?: string | undefined; email?: string | undefined };
  errors: {
    username?: string | undefined;
    email?: string | undefined;
    password?: string | undefined;
    form?: string | undefined;
  };
  minLength: number;
  signInHref?: string | undefined;
  legal: { termsOfUseUrl?: string | undefined; privacyPolicyUrl?: string | undefined };
};

export const registerPage = (ctx: PageContext, view: RegisterView) =>
  page(ctx, {
    title: ctx.t('register.title'),
    languageLinks: languageLinks(ctx, view.action),
    body: html`<h1>${ctx.t('register.title')}</h1>
<p class="subtitle">${ctx.t('register.subtitle', { app: view.appName })}</p>
${banner(view.errors.form)}
${formStart(ctx, view, view.action, html` novalidate`)}
${view.fields.username ? field({ name: 'username', label: ctx.t('register.username'), autocomplete: 'username', value: view.values.username, error: view.errors.username, autofocus: !ctx.preview, maxlength: 128 }) : ''}
${view.fields.email ? field({ name: 'email', label: ctx.t('register.email'), type: 'email', autocomplete: view.fields.username ? 'email' : 'username email', value: view.values.email, error: view.errors.email, autofocus: !ctx.preview && !view.fields.username, maxlength: 128 }) : ''}
${view.fields.password ? field({ name: 'password', label: ctx.t('register.password'), type: 'password', autocomplete: 'new-password', error: view.errors.password, hint: ctx.t('register.password_hint', { min: view.minLength }), maxlength: 256 }) : ''}
<button type="submit">${ctx.t('register.submit')}</button>
</form>
<div class="links">
${view.signInHref ? html`<span>${ctx.t('register.have_account')} <a href="${view.signInHref}">${ctx.t('register.sign_in')}</a></span>` : ''}
</div>
${legal(ctx, view.legal)}`,
  });

/** Asks for an email (to send a code to), or for the code sent to it. */
export const codePage = (
  ctx: PageContext,
  view: FormBase & {
    title: MessageKey;
    subtitle?: string | undefined;
    step: 'email' | 'code';
    email?: string | undefined;
    error?: string | undefined;
    backHref: string;
  },
) =>
  page(ctx, {
    title: ctx.t(view.title),
    languageLinks: languageLinks(ctx, view.action),
    body: html`<h1>${ctx.t(view.step === 'code' ? 'code.title' : view.title)}</h1>
<p class="subtitle">${view.step === 'code' ? ctx.t('code.subtitle', { email: view.email ?? '' }) : (view.subtitle ?? '')}</p>
${banner(view.error)}
<form method="post" action="${view.action}" novalidate>
${hidden(view)}
${
  view.step === 'email'
    ? field({
        name: 'email',
        label: ctx.t('code.email'),
        type: 'email',
        autocomplete: 'email',
        value: view.email,
        autofocus: true,
        maxlength: 128,
      })
    : field({
        name: 'code',
        label: ctx.t('code.code'),
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        autofocus: true,
        maxlength: 6,
      })
}
<button type="submit">${ctx.t(view.step === 'email' ? 'code.send' : 'code.submit')}</button>
</form>
<div class="links"><a href="${view.backHref}">${ctx.t('error.back')}</a></div>`,
  });

export const newPasswordPage = (
  ctx: PageContext,
  view: FormBase & { error?: string | undefined; minLength: number },
) =>
  page(ctx, {
    title: ctx.t('forgot.title'),
    body: html`<h1>${ctx.t('forgot.title')}</h1>
${banner(view.error)}
<form method="post" action="${view.action}" novalidate>
${hidden(view)}
${field({ name: 'password', label: ctx.t('forgot.new_password'), type: 'password', autocomplete: 'new-password', autofocus: true, hint: ctx.t('register.password_hint', { min: view.minLength }), maxlength: 256 })}
<button type="submit">${ctx.t('forgot.submit')}</button>
</form>`,
  });

export const consentPage = (
  ctx: PageContext,
  view: FormBase & { appName: string; userLabel: string; scopes: string[] },
) => {
  const scopeLabel = (scope: string): string => {
    const key = `scope.${scope}` as MessageKey;
    return key in
      {
        'scope.openid': 1,
        'scope.profile': 1,
        'scope.email': 1,
        'scope.phone': 1,
        'scope.offline_access': 1,
        'scope.custom_data': 1,
        'scope.identities': 1,
        'scope.roles': 1,
      }
      ? ctx.t(key)
      : ctx.t('scope.other', { scope });
  };
  return page(ctx, {
    title: ctx.t('consent.title', { app: view.appName }),
    languageLinks: languageLinks(ctx, view.action),
    body: html`<h1>${ctx.t('consent.title', { app: view.appName })}</h1>
<p class="subtitle">${ctx.t('consent.signed_in_as', { user: view.userLabel })}</p>
<p>${ctx.t('consent.scopes')}</p>
<ul class="scopes">${view.scopes.map((scope) => html`<li>${scopeLabel(scope)}</li>`)}</ul>
<form method="post" action="${view.action}">
${hidden(view)}
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">${ctx.t('consent.deny')}</button>
<button type="submit" name="decision" value="approve">${ctx.t('consent.approve')}</button>
</div>
</form>`,
  });
};

export const errorPage = (
  ctx: PageContext,
  view: { message: string; backHref?: string | undefined },
): SafeHtml =>
  page(ctx, {
    title: ctx.t('error.title'),
    body: html`<h1>${ctx.t('error.title')}</h1>
<p>${view.message}</p>
${view.backHref ? html`<div class="links"><a href="${view.backHref}">${ctx.t('error.back')}</a></div>` : ''}`,
  });

/** RP-initiated logout: the confirmation (posted with oidc-provider's xsrf token), then "signed out". */
export const signOutPage = (
  ctx: PageContext,
  view: { action: string; xsrf: string; appName?: string | undefined },
) =>
  page(ctx, {
    title: ctx.t('sign_out.title'),
    body: html`<h1>${ctx.t('sign_out.title')}</h1>
<p class="subtitle">${view.appName ? ctx.t('sign_out.question_app', { app: view.appName }) : ctx.t('sign_out.question')}</p>
<form method="post" action="${view.action}">
<input type="hidden" name="xsrf" value="${view.xsrf}">
<div class="actions">
<button type="submit" class="secondary">${ctx.t('sign_out.stay')}</button>
<button type="submit" name="logout" value="yes" autofocus>${ctx.t('sign_out.confirm')}</button>
</div>
</form>`,
  });

export const signedOutPage = (ctx: PageContext) =>
  page(ctx, {
    title: ctx.t('sign_out.done_title'),
    body: html`<h1>${ctx.t('sign_out.done_title')}</h1>
<p>${ctx.t('sign_out.done')}</p>`,
  });

/** An upstream identity whose verified email belongs to an existing account: link only after signing in to it. */
export const linkPage = (
  ctx: PageContext,
  view: FormBase & { connectorName: string; email: string; error?: string | undefined; cancelHref: string },
) =>
  page(ctx, {
    title: ctx.t('link.title', { name: view.connectorName }),
    body: html`<h1>${ctx.t('link.title', { name: view.connectorName })}</h1>
<p class="subtitle">${ctx.t('link.subtitle', { email: view.email, name: view.connectorName })}</p>
${banner(view.error)}
<form method="post" action="${view.action}" novalidate>
${hidden(view)}
<input type="hidden" name="identifier" value="${view.email}" autocomplete="username">
${field({ name: 'password', label: ctx.t('link.password'), type: 'password', autocomplete: 'current-password', autofocus: true, maxlength: 256 })}
<button type="submit">${ctx.t('link.submit')}</button>
</form>
<div class="links"><a href="${view.cancelHref}">${ctx.t('link.cancel')}</a></div>`,
  });
