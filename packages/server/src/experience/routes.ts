import Router from '@koa/router';
import type { Context } from 'koa';
import { ApiError } from '../http/errors.ts';
import { cspSourceFor, usePageCsp } from '../http/security-headers.ts';
import type { Registry } from '../registry.ts';
import { csrfToken, csrfValid } from './csrf.ts';
import { createFlowStore, type FlowState, FlowStepRefused } from './flow-state.ts';
import { emailPattern, form, formBody, text } from './forms.ts';
import type { SafeHtml } from './html.ts';
import { type Locale, type MessageKey, pickLocale, supportedLocales, translator } from './i18n.ts';
import { brandingStylesheet, type PageContext, stylesheet } from './layout.ts';
import {
  codePage,
  consentPage,
  errorPage,
  newPasswordPage,
  registerPage,
  signedOutPage,
  signInPage,
  signOutPage,
} from './pages.ts';
import { identifierLabel } from './preview.ts';
import type {
  ExperienceServices,
  ExperienceSettings,
  ExperienceUser,
  PolicyViolation,
  SocialConnection,
} from './services.ts';
import { createSocialSignIn } from './social.ts';

/**
 * The hosted sign-in experience (SPEC §5): server-rendered pages reached through /oidc/auth. Every form POST
 * checks a CSRF token and answers 303 on success (SECURITY-TESTS A5, B6); failures re-render the form with the
 * same status and message whatever the reason (no user enumeration, B5).
 */

type Interaction = Awaited<ReturnType<Registry['oidc']['interactionDetails']>>;

const usernamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The forms whose POST computes a password hash (a verification or a new hash). */
const hashingPaths = new Set([
  '/sign-in',
  '/register',
  '/register/verify',
  '/forgot-password/new',
  '/sign-in/social/link',
]);

const policyMessage: Record<PolicyViolation, MessageKey> = {
  too_short: 'policy.too_short',
  too_long: 'policy.too_long',
  breached: 'policy.breached',
  personal: 'policy.personal',
  character_types: 'policy.character_types',
  invalid: 'policy.invalid',
};

export const createExperienceRouter = (registry: Registry, services: ExperienceServices) => {
  const router = new Router();
  const flowsStore = createFlowStore(registry.db.kysely, 'default');
  const csrfKey = () => registry.oidc.cookieKeys[0] ?? '';

  const localeOf = (ctx: Context, settings: ExperienceSettings, interaction?: Interaction): Locale => {
    const chosen = text(formBody(ctx).lang) || text(ctx.query.lang);
    if ((supportedLocales as string[]).includes(chosen)) return chosen as Locale;
    if (!settings.autoDetectLanguage) return settings.fallbackLanguage;
    return pickLocale(
      interaction?.params.ui_locales,
      ctx.get('accept-language') || undefined,
      settings.fallbackLanguage,
    );
  };

  const pageContext = (settings: ExperienceSettings, locale: Locale): PageContext => ({
    locale,
    t: translator(locale),
    branding: settings.branding,
    assetsVersion: settings.version,
  });

  const send = (
    ctx: Context,
    status: number,
    body: SafeHtml,
    sources: { formAction?: string[]; images?: string[] } = {},
  ) => {
    const interaction = ctx.state.interaction as Interaction | undefined;
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    // A successful POST ends, through redirects, at the client's redirect URI: form-action must allow it (and
    // a social button's POST leads to the upstream provider first).
    const redirectUri = interaction ? cspSourceFor(String(interaction.params.redirect_uri ?? '')) : undefined;
    usePageCsp(ctx, [...(redirectUri ? [redirectUri] : []), ...(sources.formAction ?? [])], sources.images);
    ctx.body = body.toString();
  };

  const redirect303 = (ctx: Context, location: string) => {
    ctx.status = 303;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(location);
    ctx.status = 303;
  };

  /** Loads this browser's interaction or answers the "expired" page. */
  const withInteraction =
    (
      handler: (
        ctx: Context,
        interaction: Interaction,
        settings: ExperienceSettings,
        page: PageContext,
      ) => Promise<void>,
    ) =>
    async (ctx: Context) => {
      const settings = await services.settings();
      // SECURITY-TESTS F (a login flood is shed): while the password hasher's queue is full, a form that needs
      // it is refused before any database work, so the flood does not slow the token endpoint down.
      if (ctx.method === 'POST' && hashingPaths.has(ctx.path) && services.hasherSaturated()) {
        ctx.set('Retry-After', '1');
        const page = pageContext(settings, localeOf(ctx, settings));
        return send(ctx, 429, errorPage(page, { message: page.t('error.rate_limited'), backHref: ctx.path }));
      }
      let interaction: Interaction;
      try {
        interaction = await registry.oidc.interactionDetails(ctx.req, ctx.res);
      } catch {
        const page = pageContext(settings, localeOf(ctx, settings));
        return send(ctx, 400, errorPage(page, { message: page.t('error.session') }));
      }
      ctx.state.interaction = interaction;
      const page = pageContext(settings, localeOf(ctx, settings, interaction));
      if (ctx.method === 'POST') {
        const formError = ctx.state.formError as number | undefined;
        if (formError) {
          const message = page.t(formError === 413 ? 'error.too_large' : 'error.generic');
          return send(ctx, formError, errorPage(page, { message, backHref: '/sign-in' }));
        }
        const body = formBody(ctx);
        if (!csrfValid(csrfKey(), interaction.jti, body._csrf)) {
          return send(ctx, 403, errorPage(page, { message: page.t('error.csrf'), backHref: '/sign-in' }));
        }
        const limited = await services.throttle(String(ctx.state.clientIp ?? ''), ctx.path);
        if (!limited.allowed) {
          ctx.set('Retry-After', String(limited.retryAfterSeconds));
          return send(
            ctx,
            429,
            errorPage(page, { message: page.t('error.rate_limited'), backHref: ctx.path }),
          );
        }
      }
      try {
        await handler(ctx, interaction, settings, page);
      } catch (error) {
        if (error instanceof FlowStepRefused) {
          return send(ctx, 409, errorPage(page, { message: page.t('error.generic'), backHref: '/sign-in' }));
        }
        // Load shedding (the password hasher's queue is full): an HTML answer with Retry-After, not an API body.
        if (error instanceof ApiError && error.status === 429) {
          ctx.set('Retry-After', error.headers?.['Retry-After'] ?? '1');
          return send(
            ctx,
            429,
            errorPage(page, { message: page.t('error.rate_limited'), backHref: ctx.path }),
          );
        }
        throw error;
      }
    };

  const base = (_ctx: Context, interaction: Interaction, page: PageContext, action: string) => ({
    action,
    csrf: csrfToken(csrfKey(), interaction.jti),
    lang: page.locale,
  });

  const appName = async (interaction: Interaction) =>
    (await registry.oidc.findClient(String(interaction.params.client_id ?? '')))?.name ?? '';

  const legal = (settings: ExperienceSettings) => ({
    termsOfUseUrl: settings.termsOfUseUrl,
    privacyPolicyUrl: settings.privacyPolicyUrl,
  });

  const renderSignIn = async (
    ctx: Context,
    interaction: Interaction,
    settings: ExperienceSettings,
    page: PageContext,
    extra: { status?: number; error?: string; info?: string; identifier?: string } = {},
  ) => {
    const connections = await services.socialButtons(settings.social.targets);
    const sources = (urls: Array<string | undefined>) =>
      [...new Set(urls.map((url) => (url ? cspSourceFor(url) : undefined)))].filter(
        (source): source is string => source !== undefined,
      );
    send(
      ctx,
      extra.status ?? 200,
      signInPage(page, {
        social: connections.map((connection) => ({
          id: connection.id,
          name: socialName(connection, page.locale),
          logo: connection.logo,
          logoDark: connection.logoDark,
        })),
        passwordForm: settings.passwordSignIn || connections.length === 0,
        ...base(ctx, interaction, page, '/sign-in'),
        appName: await appName(interaction),
        identifierLabel: identifierLabel(settings),
        identifier: extra.identifier ?? text(interaction.params.login_hint, 128),
        error: extra.error,
        info: extra.info,
        registerHref: settings.signUp.enabled ? `/register?lang=${page.locale}` : undefined,
        forgotHref:
          settings.passwordSignIn && settings.signInIdentifiers.includes('email')
            ? `/forgot-password?lang=${page.locale}`
            : undefined,
        codeHref: settings.codeSignIn ? `/sign-in/code?lang=${page.locale}` : undefined,
        legal: legal(settings),
      }),
      {
        formAction: sources(connections.map((connection) => connection.authorizationEndpoint)),
        images: sources(connections.flatMap((connection) => [connection.logo, connection.logoDark])),
      },
    );
  };

  const identifierKind = (value: string): 'email' | 'phone' | 'username' =>
    value.includes('@') ? 'email' : /^\+?[0-9][0-9 ()-]{5,}$/.test(value) ? 'phone' : 'username';

  /** Signs the user in: finishes the interaction (oidc-provider issues a new session id) and redirects. */
  const finishSignIn = async (ctx: Context, userId: string) => {
    await services.touchSignIn(userId);
    // This browser is now a known device of the account (SECURITY-TESTS B3, see security/device-cookies.ts).
    ctx.append('Set-Cookie', services.devices.issue(ctx.cookies.get(services.devices.name), userId));
    const to = await registry.oidc.finishInteraction(ctx.req, ctx.res, { accountId: userId });
    redirect303(ctx, to);
  };

  /**
   * One password attempt on `user` (found by `identifier`), with every rule of B3 and B5: unknown, suspended and
   * locked accounts get a dummy check of the same cost, and the same `undefined`. Answers the user when the
   * password is theirs. The attempt is counted before it is evaluated (reserve, then check).
   */
  const verifyPassword = async (
    ctx: Context,
    user: ExperienceUser | undefined,
    identifier: string,
    password: string,
  ): Promise<ExperienceUser | undefined> => {
    // SECURITY-TESTS B5 (timing): the attempt is also counted for no account, as a write of the same kind, so
    // the lockout's write does not make an existing account measurably slower (1.5-7 ms, depending on load).
    const active = user !== undefined && !user.isSuspended ? user : undefined;
    // A browser this account signed in from before has a lockout bucket of its own (B3: whoever locks the
    // account by failing on purpose does not lock its owner's devices out).
    const deviceId = active && services.devices.trustedFor(ctx.cookies.get(services.devices.name), active.id);
    const allowed = active
      ? await (deviceId
          ? services.reserveDeviceAttempt(active.id, deviceId)
          : services.reserveAttempt(active.id))
      : await services.reserveNoAccountAttempt(identifier).then(() => false);
    const matches = await services.passwordMatches(allowed ? active?.id : undefined, password);
    if (!allowed || !matches || !active) return undefined;
    await (deviceId
      ? services.deviceAttemptSucceeded(active.id, deviceId)
      : services.attemptSucceeded(active.id));
    return active;
  };

  const socialName = (connection: Pick<SocialConnection, 'name' | 'target'>, locale: Locale) =>
    connection.name[locale] ?? connection.name.en ?? Object.values(connection.name)[0] ?? connection.target;

  const social = createSocialSignIn({
    router,
    registry,
    services,
    flows: flowsStore,
    withInteraction,
    send,
    redirect303,
    finishSignIn,
    base,
    verifyPassword,
    socialName,
  });

  // ---- sign in with a password -------------------------------------------------------------------------------
  router.get(
    ['/sign-in', '/register'],
    withInteraction(async (ctx, interaction, settings, page) => {
      if (interaction.prompt.name === 'consent') return redirect303(ctx, '/consent');
      // `direct_sign_in=social:<target>`: straight to that provider, unless the browser came back from it.
      const direct = /^social:(.+)$/.exec(String(interaction.params.direct_sign_in ?? ''))?.[1];
      if (direct && ctx.query.fallback !== '1' && settings.social.targets.includes(direct)) {
        const connection = await services.socialConnection(direct);
        if (connection) return redirect303(ctx, await social.start(interaction, connection));
      }
      if (ctx.path === '/register') return renderRegister(ctx, interaction, settings, page);
      await renderSignIn(ctx, interaction, settings, page, {
        info: ctx.query.reset === '1' ? page.t('forgot.done') : undefined,
      });
    }),
  );

  router.post(
    '/sign-in',
    form,
    withInteraction(async (ctx, interaction, settings, page) => {
      const body = formBody(ctx);
      const identifier = text(body.identifier, 128).trim();
      const password = text(body.password, 1024);
      const kind = identifierKind(identifier);
      const user =
        identifier && settings.passwordSignIn && settings.signInIdentifiers.includes(kind)
          ? await services.findUser(kind, identifier)
          : undefined;
      const signedIn = await verifyPassword(ctx, user, identifier, password);
      if (!signedIn) {
        return renderSignIn(ctx, interaction, settings, page, {
          status: 400,
          error: page.t('sign_in.failed'),
          identifier,
        });
      }
      await finishSignIn(ctx, signedIn.id);
    }),
  );

  // ---- register ----------------------------------------------------------------------------------------------
  const renderRegister = async (
    ctx: Context,
    interaction: Interaction,
    settings: ExperienceSettings,
    page: PageContext,
    extra: {
      status?: number;
      values?: { username?: string; email?: string };
      errors?: { username?: string; email?: string; password?: string; form?: string };
    } = {},
  ) => {
    if (!settings.signUp.enabled) {
      // Social-only sign-up (no identifiers): the sign-in page's buttons are the way to register.
      const socialOnly = settings.social.signUp && settings.social.targets.length > 0;
      return renderSignIn(ctx, interaction, settings, page, {
        info: socialOnly ? undefined : page.t('register.disabled'),
      });
    }
    send(
      ctx,
      extra.status ?? 200,
      registerPage(page, {
        ...base(ctx, interaction, page, '/register'),
        appName: await appName(interaction),
        fields: {
          username: settings.signUp.username,
          email: settings.signUp.email,
          password: settings.signUp.password,
        },
        values: extra.values ?? {},
        errors: extra.errors ?? {},
        minLength: settings.passwordMinLength,
        signInHref: `/sign-in?lang=${page.locale}`,
        legal: legal(settings),
      }),
    );
  };

  router.post(
    '/register',
    form,
    withInteraction(async (ctx, interaction, settings, page) => {
      if (!settings.signUp.enabled) return renderRegister(ctx, interaction, settings, page, { status: 403 });
      const body = formBody(ctx);
      const username = settings.signUp.username ? text(body.username, 128).trim() : undefined;
      const email = settings.signUp.email ? text(body.email, 128).trim().toLowerCase() : undefined;
      const password = settings.signUp.password ? text(body.password, 1024) : undefined;
      const errors: { username?: string; email?: string; password?: string } = {};
      if (username !== undefined && !usernamePattern.test(username))
        errors.username = page.t(username ? 'field.username' : 'field.required');
      if (email !== undefined && !emailPattern.test(email))
        errors.email = page.t(email ? 'field.email' : 'field.required');
      if (password !== undefined) {
        const [violation] = await services.checkPassword(
          password,
          [username ?? '', email ?? ''].filter(Boolean),
        );
        if (violation)
          errors.password = page.t(policyMessage[violation], { min: settings.passwordMinLength, max: 256 });
      }
      const values = { username: username ?? '', email: email ?? '' };
      if (Object.keys(errors).length)
        return renderRegister(ctx, interaction, settings, page, { status: 400, values, errors });
      if (settings.signUp.verify && email) {
        // The password waits for the code sealed by the vault, bound to this interaction (D2: never in plaintext).
        const sealedPassword = password === undefined ? undefined : services.seal(password, interaction.jti);
        await flowsStore.start(interaction.jti, 'register', { username, email, sealedPassword });
        const state = await flowsStore.expect(interaction.jti, 'register', 'details');
        if (!(await services.sendCode('Register', email, page.locale)).sent) {
          return renderRegister(ctx, interaction, settings, page, {
            status: 429,
            values,
            errors: { form: page.t('error.rate_limited') },
          });
        }
        await flowsStore.advance(interaction.jti, state, 'verify');
        return redirect303(ctx, `/register/verify?lang=${page.locale}`);
      }
      const created = await services.createUser({ username, email, password });
      if ('conflict' in created) {
        return renderRegister(ctx, interaction, settings, page, {
          status: 400,
          values,
          errors: { form: page.t('register.taken') },
        });
      }
      await finishSignIn(ctx, created.id);
    }),
  );

  const renderCodeStep = async (
    ctx: Context,
    interaction: Interaction,
    page: PageContext,
    input: {
      action: string;
      title: MessageKey;
      email: string;
      status?: number;
      error?: string;
      backHref?: string;
    },
  ) =>
    send(
      ctx,
      input.status ?? 200,
      codePage(page, {
        ...base(ctx, interaction, page, input.action),
        title: input.title,
        step: 'code',
        email: input.email,
        error: input.error,
        backHref: input.backHref ?? '/sign-in',
      }),
    );

  router.get(
    '/register/verify',
    withInteraction(async (ctx, interaction, _settings, page) => {
      const state = await flowsStore.expect(interaction.jti, 'register', 'verify');
      await renderCodeStep(ctx, interaction, page, {
        action: '/register/verify',
        title: 'code.title',
        email: String(state.data.email),
        backHref: '/register',
      });
    }),
  );

  router.post(
    '/register/verify',
    form,
    withInteraction(async (ctx, interaction, settings, page) => {
      const state = await flowsStore.expect(interaction.jti, 'register', 'verify');
      const body = formBody(ctx);
      const email = String(state.data.email);
      if (!(await services.verifyCode('Register', email, text(body.code, 16).trim()))) {
        return renderCodeStep(ctx, interaction, page, {
          action: '/register/verify',
          title: 'code.title',
          email,
          status: 400,
          error: page.t('code.invalid'),
          backHref: '/register',
        });
      }
      await flowsStore.advance(interaction.jti, state, 'done');
      const sealed = state.data.sealedPassword as string | undefined;
      const created = await services.createUser({
        username: state.data.username as string | undefined,
        email,
        password: sealed === undefined ? undefined : services.open(sealed, interaction.jti),
      });
      await flowsStore.clear(interaction.jti);
      if ('conflict' in created) {
        return renderRegister(ctx, interaction, settings, page, {
          status: 400,
          values: { username: String(state.data.username ?? ''), email },
          errors: { form: page.t('register.taken') },
        });
      }
      await finishSignIn(ctx, created.id);
    }),
  );

  /**
   * SECURITY-TESTS B5 (no enumeration, timing included, on reset too): a sign-in or reset code goes only to an
   * existing, active account. Sent before answering, it made the answer slower exactly when the account exists (a
   * database transaction and the outbox: ~5-10 ms; with SMTP a whole mail exchange). It is sent once the answer is
   * out; `sendCode` keeps its own refusals (rate limits, mail errors) to the logs, as before.
   */
  const sendCodeAfterAnswer = (
    ctx: Context,
    purpose: 'SignIn' | 'ForgotPassword',
    email: string,
    locale: Locale,
  ) => {
    ctx.res.once('close', () => {
      services
        .sendCode(purpose, email, locale)
        .catch((error: unknown) =>
          registry.logger.error({ err: error, purpose }, 'verification code not sent'),
        );
    });
  };

  // ---- sign in with an email code (passwordless) ----------------------------------------------------------------
  const renderEmailStep = (
    ctx: Context,
    interaction: Interaction,
    page: PageContext,
    input: {
      action: string;
      title: MessageKey;
      subtitle?: string;
      email?: string;
      status?: number;
      error?: string;
    },
  ) =>
    send(
      ctx,
      input.status ?? 200,
      codePage(page, {
        ...base(ctx, interaction, page, input.action),
        title: input.title,
        subtitle: input.subtitle,
        step: 'email',
        email: input.email,
        error: input.error,
        backHref: '/sign-in',
      }),
    );

  /**
   * The two email-code flows (passwordless sign-in, password reset) share their shape: ask for an email, send a
   * code to it if an active account has it (same answer either way, B5), then check the code. What differs is
   * declared here; what happens after a verified code is `verified`.
   */
  const emailCodeFlow = <F extends 'codeSignIn' | 'resetPassword'>(input: {
    path: string;
    flow: F;
    purpose: 'SignIn' | 'ForgotPassword';
    title: MessageKey;
    subtitle?: MessageKey;
    /** Whether the settings offer this flow; when not, both steps send the browser back to /sign-in. */
    enabled: (settings: ExperienceSettings) => boolean;
    /** Whether a suspended account is refused at the code step too. */
    refuseSuspended: boolean;
    verified: (
      ctx: Context,
      interaction: Interaction,
      page: PageContext,
      state: FlowState<F>,
      user: ExperienceUser,
    ) => Promise<void>;
  }) => {
    const verifyPath = `${input.path}/verify`;
    const emailStep = (
      ctx: Context,
      interaction: Interaction,
      page: PageContext,
      extra: { email?: string; status?: number; error?: string } = {},
    ) =>
      renderEmailStep(ctx, interaction, page, {
        action: input.path,
        title: input.title,
        subtitle: input.subtitle ? page.t(input.subtitle) : undefined,
        ...extra,
      });
    const codeStep = (
      ctx: Context,
      interaction: Interaction,
      page: PageContext,
      email: string,
      extra: { status?: number; error?: string } = {},
    ) =>
      renderCodeStep(ctx, interaction, page, {
        action: verifyPath,
        title: 'code.title',
        email,
        backHref: input.path,
        ...extra,
      });

    router.get(
      input.path,
      withInteraction(async (ctx, interaction, settings, page) => {
        if (!input.enabled(settings)) return redirect303(ctx, '/sign-in');
        emailStep(ctx, interaction, page);
      }),
    );

    router.post(
      input.path,
      form,
      withInteraction(async (ctx, interaction, settings, page) => {
        if (!input.enabled(settings)) return redirect303(ctx, '/sign-in');
        const email = text(formBody(ctx).email, 128).trim().toLowerCase();
        if (!emailPattern.test(email)) {
          return emailStep(ctx, interaction, page, { email, status: 400, error: page.t('field.email') });
        }
        await flowsStore.start(interaction.jti, input.flow, { email });
        const state = await flowsStore.expect(interaction.jti, input.flow, 'email');
        // A code goes out only to an existing, active account, but the answer is the same either way (B5).
        const user = await services.findUser('email', email);
        if (user && !user.isSuspended) sendCodeAfterAnswer(ctx, input.purpose, email, page.locale);
        await flowsStore.advance(interaction.jti, state, 'verify');
        redirect303(ctx, `${verifyPath}?lang=${page.locale}`);
      }),
    );

    router.get(
      verifyPath,
      withInteraction(async (ctx, interaction, _settings, page) => {
        const state = await flowsStore.expect(interaction.jti, input.flow, 'verify');
        await codeStep(ctx, interaction, page, String(state.data.email));
      }),
    );

    router.post(
      verifyPath,
      form,
      withInteraction(async (ctx, interaction, _settings, page) => {
        const state = await flowsStore.expect(interaction.jti, input.flow, 'verify');
        const email = String(state.data.email);
        const code = text(formBody(ctx).code, 16).trim();
        const user = await services.findUser('email', email);
        const refused = !user || (input.refuseSuspended && user.isSuspended);
        if (refused || !(await services.verifyCode(input.purpose, email, code))) {
          return codeStep(ctx, interaction, page, email, { status: 400, error: page.t('code.invalid') });
        }
        await input.verified(ctx, interaction, page, state, user);
      }),
    );
  };

  // ---- sign in with an email code (passwordless) ----------------------------------------------------------------
  emailCodeFlow({
    path: '/sign-in/code',
    flow: 'codeSignIn',
    purpose: 'SignIn',
    title: 'code.request_title',
    enabled: (settings) => settings.codeSignIn,
    refuseSuspended: true,
    verified: async (ctx, interaction, _page, state, user) => {
      await flowsStore.advance(interaction.jti, state, 'done');
      await flowsStore.clear(interaction.jti);
      await finishSignIn(ctx, user.id);
    },
  });

  // ---- reset a forgotten password --------------------------------------------------------------------------------
  emailCodeFlow({
    path: '/forgot-password',
    flow: 'resetPassword',
    purpose: 'ForgotPassword',
    title: 'forgot.title',
    subtitle: 'forgot.subtitle',
    enabled: () => true,
    refuseSuspended: false,
    verified: async (ctx, interaction, page, state, user) => {
      await flowsStore.advance(interaction.jti, state, 'password', {
        email: state.data.email,
        userId: user.id,
      });
      redirect303(ctx, `/forgot-password/new?lang=${page.locale}`);
    },
  });

  const renderNewPassword = (
    ctx: Context,
    interaction: Interaction,
    settings: ExperienceSettings,
    page: PageContext,
    status = 200,
    error?: string,
  ) =>
    send(
      ctx,
      status,
      newPasswordPage(page, {
        ...base(ctx, interaction, page, '/forgot-password/new'),
        minLength: settings.passwordMinLength,
        error,
      }),
    );

  router.get(
    '/forgot-password/new',
    withInteraction(async (ctx, interaction, settings, page) => {
      await flowsStore.expect(interaction.jti, 'resetPassword', 'password');
      renderNewPassword(ctx, interaction, settings, page);
    }),
  );

  router.post(
    '/forgot-password/new',
    form,
    withInteraction(async (ctx, interaction, settings, page) => {
      const state = await flowsStore.expect(interaction.jti, 'resetPassword', 'password');
      const password = text(formBody(ctx).password, 1024);
      const user = await services.findUserById(String(state.data.userId));
      if (!user) throw new FlowStepRefused('resetPassword', 'password');
      const [violation] = await services.checkPassword(
        password,
        [user.username ?? '', user.primaryEmail ?? ''].filter(Boolean),
      );
      if (violation) {
        return renderNewPassword(
          ctx,
          interaction,
          settings,
          page,
          400,
          page.t(policyMessage[violation], { min: settings.passwordMinLength, max: 256 }),
        );
      }
      await services.setPassword(user.id, password);
      // B3: the owner proved their email and chose a new password; guesses at the old one no longer lock them out.
      await services.attemptSucceeded(user.id);
      await flowsStore.advance(interaction.jti, state, 'done');
      await flowsStore.clear(interaction.jti);
      // Resetting a password does not sign in (nor bypass MFA later): the user signs in with the new password.
      redirect303(ctx, `/sign-in?reset=1&lang=${page.locale}`);
    }),
  );

  // ---- consent (third-party apps) ---------------------------------------------------------------------------------
  const requestedScopes = (interaction: Interaction) => {
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    return [
      ...new Set([
        ...(details.missingOIDCScope ?? []),
        ...Object.values(details.missingResourceScopes ?? {}).flat(),
      ]),
    ];
  };

  router.get(
    '/consent',
    withInteraction(async (ctx, interaction, _settings, page) => {
      if (interaction.prompt.name !== 'consent') return redirect303(ctx, '/sign-in');
      const user = await services.findUserById(String(interaction.session?.accountId ?? ''));
      send(
        ctx,
        200,
        consentPage(page, {
          ...base(ctx, interaction, page, '/consent'),
          appName: await appName(interaction),
          userLabel: user?.primaryEmail ?? user?.username ?? '',
          scopes: requestedScopes(interaction),
        }),
      );
    }),
  );

  router.post(
    '/consent',
    form,
    withInteraction(async (ctx, interaction) => {
      if (interaction.prompt.name !== 'consent') throw new FlowStepRefused('consent', 'consent');
      const decision = text(formBody(ctx).decision, 16);
      const to = await registry.oidc.finishConsent(ctx.req, ctx.res, { approve: decision === 'approve' });
      redirect303(ctx, to);
    }),
  );

  // ---- sign-out (RP-initiated logout: oidc-provider asks, our pages answer) ----------------------------------------
  const logoutPageContext = async (ctx: Context) => {
    const settings = await services.settings();
    const oidc = (ctx as Context & { oidc?: { params?: Record<string, unknown> } }).oidc;
    const chosen = text(ctx.query.lang);
    const locale = (supportedLocales as string[]).includes(chosen)
      ? (chosen as Locale)
      : settings.autoDetectLanguage
        ? pickLocale(
            oidc?.params?.ui_locales,
            ctx.get('accept-language') || undefined,
            settings.fallbackLanguage,
          )
        : settings.fallbackLanguage;
    ctx.state.ownPage = true;
    ctx.set('Cache-Control', 'no-store');
    return { page: pageContext(settings, locale), oidc };
  };
  registry.oidc.useLogoutPages({
    confirm: async (ctx, form) => {
      const { page, oidc } = await logoutPageContext(ctx as unknown as Context);
      // oidc-provider's own form names the confirmation URL and its anti-CSRF value; our page posts both.
      const action = /action="([^"]+)"/.exec(form)?.[1] ?? '';
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
      // The confirmed sign-out ends, through a redirect, at the app's post-logout URI: form-action allows it.
      const postLogout = cspSourceFor(String(oidc?.params?.post_logout_redirect_uri ?? ''));
      usePageCsp(ctx as unknown as Context, postLogout ? [postLogout] : []);
      const client = ctx.oidc.client;
      return signOutPage(page, { action, xsrf, appName: client?.clientName }).toString();
    },
    done: async (ctx) => {
      const { page } = await logoutPageContext(ctx as unknown as Context);
      usePageCsp(ctx as unknown as Context);
      return signedOutPage(page).toString();
    },
  });

  // ---- assets --------------------------------------------------------------------------------------------------
  router.get('/assets/experience.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = stylesheet;
  });
  router.get('/assets/branding.css', async (ctx) => {
    ctx.type = 'text/css';
    // The console's preview names its colours (`?primary=RRGGBB&dark=RRGGBB`): the same answer for ever.
    const hex = (value: unknown) =>
      typeof value === 'string' && /^[0-9A-Fa-f]{6}$/.test(value) ? `#${value}` : undefined;
    const primary = hex(ctx.query.primary);
    const dark = hex(ctx.query.dark);
    if (primary && dark) {
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.body = brandingStylesheet(primary, dark);
      return;
    }
    const { branding } = await services.settings();
    ctx.set('Cache-Control', 'public, max-age=300');
    // Colours are validated as #RRGGBB by the settings schema, so they are safe inside CSS.
    // The button text colour follows each primary colour, so it stays readable (WCAG 1.4.3; see textOn).
    ctx.body = brandingStylesheet(branding.primaryColor, branding.darkPrimaryColor);
  });

  return router;
};
