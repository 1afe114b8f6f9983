import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { SocialSignInError } from '../connectors/social/connector.ts';
import type { SocialProfile, SocialTokens } from '../connectors/social/schemas.ts';
import type { Registry } from '../registry.ts';
import { FlowStepRefused, type FlowStore } from './flow-state.ts';
import { form, formBody, text } from './forms.ts';
import type { SafeHtml } from './html.ts';
import type { Locale } from './i18n.ts';
import type { PageContext } from './layout.ts';
import { errorPage, type FormBase, linkPage } from './pages.ts';
import type { ExperienceServices, ExperienceSettings, ExperienceUser, SocialConnection } from './services.ts';

type Interaction = Awaited<ReturnType<Registry['oidc']['interactionDetails']>>;
type Handler = (
  ctx: Context,
  interaction: Interaction,
  settings: ExperienceSettings,
  page: PageContext,
) => Promise<void>;

/** What the social sign-in needs from the hosted pages' router (routes.ts). */
export type SocialSignInKit = {
  router: Router;
  registry: Registry;
  services: ExperienceServices;
  flows: FlowStore;
  withInteraction: (handler: Handler) => (ctx: Context) => Promise<void>;
  send: (ctx: Context, status: number, body: SafeHtml) => void;
  redirect303: (ctx: Context, location: string) => void;
  finishSignIn: (ctx: Context, userId: string) => Promise<void>;
  base: (ctx: Context, interaction: Interaction, page: PageContext, action: string) => FormBase;
  verifyPassword: (
    ctx: Context,
    user: ExperienceUser | undefined,
    identifier: string,
    password: string,
  ) => Promise<ExperienceUser | undefined>;
  socialName: (connection: SocialConnection, locale: Locale) => string;
};

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const random = () => randomBytes(32).toString('base64url');

/** The callback parameters as strings (repeated or odd values dropped), bounded in number and size. */
const callbackParams = (source: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(source)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0].length <= 64)
      .slice(0, 32)
      .map(([name, value]) => [name, value.slice(0, 4096)]),
  );

/**
 * The profile kept in the flow between the callback and the link step, sealed (it holds an email and claims, and
 * the provider's tokens when the connector stores them: SPEC §7, never in plaintext, not even in the flow).
 */
type PendingLink = { connectorId: string; email: string; profile: SocialProfile; tokens?: SocialTokens };

/**
 * "Continue with …" (SPEC §6, issue 5 item 4, SECURITY-TESTS C1-C10) on the hosted pages:
 *
 * 1. `POST /sign-in/social {connector}` (or `direct_sign_in=social:<target>`): a fresh `state`, `nonce` and PKCE
 *    verifier, kept in this browser's interaction flow (the state as a digest, the rest sealed by the vault),
 *    then 303 to the provider.
 * 2. `GET /callback/<connectorId>` (a `form_post` POST is turned into this GET by a 303, so the SameSite=Lax
 *    interaction cookie comes along): the flow must be at the upstream step of this connector with this state;
 *    the state is used up before anything else happens (replays refused). The connector exchanges the code and
 *    verifies the ID token. Any failure: a page, nothing stored.
 * 3. A linked identity (target, upstream subject) signs its user in; an unknown one creates an account when
 *    sign-up is open — unless its verified email belongs to an existing account: then the person must sign in to
 *    that account first to link the identity (never silently, the lesson of Logto CVE-2026-15611).
 */
export const createSocialSignIn = (kit: SocialSignInKit) => {
  const { router, registry, services, flows } = kit;
  const callbackUri = (connectorId: string) =>
    `${registry.config.endpoint}/callback/${encodeURIComponent(connectorId)}`;

  const start = async (interaction: Interaction, connection: SocialConnection) => {
    const state = random();
    const nonce = random();
    const verifier = random();
    await flows.start(interaction.jti, 'social', {
      connectorId: connection.id,
      state: sha256(state).toString('base64url'),
      secrets: services.seal(JSON.stringify({ nonce, verifier }), interaction.jti),
    });
    return connection.connector.authorizationUrl({
      redirectUri: callbackUri(connection.id),
      state,
      nonce,
      codeChallenge: sha256(verifier).toString('base64url'),
    });
  };

  const failure = (ctx: Context, page: PageContext, status: number, message: string) =>
    kit.send(ctx, status, errorPage(page, { message, backHref: `/sign-in?fallback=1&lang=${page.locale}` }));

  router.post(
    '/sign-in/social',
    form,
    kit.withInteraction(async (ctx, interaction, settings, page) => {
      const id = text(formBody(ctx).connector, 64);
      const connection = id ? await services.socialConnection(id) : undefined;
      if (!connection || !settings.social.targets.includes(connection.target)) {
        return failure(ctx, page, 400, page.t('error.generic'));
      }
      kit.redirect303(ctx, await start(interaction, connection));
    }),
  );

  // response_mode=form_post: the provider's page posts here cross-site, without our SameSite=Lax cookies. The
  // parameters go on to the GET below, a top-level navigation that carries them (RFC 6749 §4.1.2 in a query).
  router.post('/callback/:connectorId', form, (ctx) => {
    const params = new URLSearchParams(callbackParams(formBody(ctx)));
    kit.redirect303(ctx, `/callback/${encodeURIComponent(ctx.params.connectorId ?? '')}?${params}`);
  });

  router.get(
    '/callback/:connectorId',
    kit.withInteraction(async (ctx, interaction, settings, page) => {
      const params = callbackParams(ctx.query);
      const connectorId = ctx.params.connectorId ?? '';
      let flow: Awaited<ReturnType<typeof flows.expect<'social'>>>;
      try {
        flow = await flows.expect(interaction.jti, 'social', 'upstream');
      } catch (error) {
        if (!(error instanceof FlowStepRefused)) throw error;
        // No sign-in with a provider is waiting in this browser: replayed, or another browser's callback (C1).
        registry.logger.warn({ connectorId }, 'social callback without a pending social sign-in');
        return failure(ctx, page, 400, page.t('error.generic'));
      }
      // The state is used up first: whatever happens next, this callback cannot be replayed (C1).
      await flows.advance(interaction.jti, flow, 'callback', { connectorId: flow.data.connectorId });
      const expected = Buffer.from(String(flow.data.state ?? ''), 'base64url');
      const presented = sha256(params.state ?? '');
      const stateMatches =
        params.state !== undefined &&
        expected.length === presented.length &&
        timingSafeEqual(expected, presented);
      const connection =
        flow.data.connectorId === connectorId ? await services.socialConnection(connectorId) : undefined;
      if (!stateMatches || !connection) {
        registry.logger.warn(
          { connectorId, reason: connection ? 'state_mismatch' : 'other_connector' },
          'social callback refused',
        );
        return failure(ctx, page, 400, page.t('error.generic'));
      }
      const name = kit.socialName(connection, page.locale);
      const { nonce, verifier } = JSON.parse(services.open(String(flow.data.secrets), interaction.jti)) as {
        nonce: string;
        verifier: string;
      };

      let profile: SocialProfile;
      let tokens: SocialTokens;
      try {
        ({ profile, tokens } = await connection.connector.finish({
          params,
          redirectUri: callbackUri(connection.id),
          nonce,
          codeVerifier: verifier,
        }));
      } catch (error) {
        if (!(error instanceof SocialSignInError)) throw error;
        registry.logger.warn(
          {
            connector: connection.target,
            code: error.code,
            reason: error.reason,
            upstreamError: error.upstreamError,
          },
          'social sign-in failed',
        );
        const denied = error.code === 'social.upstream_error' && error.upstreamError === 'access_denied';
        return failure(ctx, page, 400, page.t(denied ? 'social.denied' : 'social.failed', { name }));
      }

      const linked = await services.findUserByIdentity(connection.target, profile.id);
      if (linked) {
        if (linked.isSuspended) return failure(ctx, page, 400, page.t('social.failed', { name }));
        await services.syncIdentity(linked.id, connection.target, profile, connection.syncProfile);
        await keepTokens(connection, linked.id, tokens);
        return signIn(ctx, interaction, flow, linked.id);
      }

      // A verified upstream email that an account here already has: link only after signing in to it (B8, C9).
      const owner = profile.email ? await services.findUser('email', profile.email) : undefined;
      if (owner && profile.email) {
        const pending: PendingLink = {
          connectorId: connection.id,
          email: profile.email,
          profile,
          ...(connection.enableTokenStorage && { tokens }),
        };
        await flows.advance(interaction.jti, { ...flow, step: 'callback' }, 'link', {
          pending: services.seal(JSON.stringify(pending), interaction.jti),
        });
        return kit.redirect303(ctx, `/sign-in/social/link?lang=${page.locale}`);
      }

      if (!settings.social.signUp) return failure(ctx, page, 403, page.t('social.no_account', { name }));
      const created = await services.signUpWithIdentity(connection.target, profile);
      if ('conflict' in created) return failure(ctx, page, 409, page.t('social.failed', { name }));
      await keepTokens(connection, created.id, tokens);
      return signIn(ctx, interaction, flow, created.id);
    }),
  );

  /** SPEC §7: with token storage on, the provider's tokens are kept (sealed) once the user is known. */
  const keepTokens = async (
    connection: SocialConnection,
    userId: string,
    tokens: SocialTokens | undefined,
  ) => {
    if (connection.enableTokenStorage && tokens) {
      await services.storeIdentityTokens(userId, connection.target, tokens);
    }
  };

  const signIn = async (
    ctx: Context,
    interaction: Interaction,
    flow: Awaited<ReturnType<typeof flows.expect<'social'>>>,
    userId: string,
  ) => {
    await flows.advance(interaction.jti, { ...flow, step: 'callback' }, 'done');
    await flows.clear(interaction.jti);
    await kit.finishSignIn(ctx, userId);
  };

  // ---- link an upstream identity to the existing account with its email -----------------------------------------
  const pendingLink = async (interaction: Interaction) => {
    const flow = await flows.expect(interaction.jti, 'social', 'link');
    const pending = JSON.parse(services.open(String(flow.data.pending), interaction.jti)) as PendingLink;
    const connection = await services.socialConnection(pending.connectorId);
    if (!connection) throw new FlowStepRefused('social', 'link');
    return { flow, pending, connection };
  };

  const renderLink = (
    ctx: Context,
    interaction: Interaction,
    page: PageContext,
    input: { connection: SocialConnection; email: string; status?: number; error?: string },
  ) =>
    kit.send(
      ctx,
      input.status ?? 200,
      linkPage(page, {
        ...kit.base(ctx, interaction, page, '/sign-in/social/link'),
        connectorName: kit.socialName(input.connection, page.locale),
        email: input.email,
        error: input.error,
        cancelHref: `/sign-in?fallback=1&lang=${page.locale}`,
      }),
    );

  router.get(
    '/sign-in/social/link',
    kit.withInteraction(async (ctx, interaction, _settings, page) => {
      const { pending, connection } = await pendingLink(interaction);
      renderLink(ctx, interaction, page, { connection, email: pending.email });
    }),
  );

  router.post(
    '/sign-in/social/link',
    form,
    kit.withInteraction(async (ctx, interaction, _settings, page) => {
      const { flow, pending, connection } = await pendingLink(interaction);
      const password = text(formBody(ctx).password, 1024);
      // The same checks, lockout and answer as the sign-in form (B3, B5).
      const owner = await services.findUser('email', pending.email);
      const signedIn = await kit.verifyPassword(ctx, owner, pending.email, password);
      if (!signedIn) {
        return renderLink(ctx, interaction, page, {
          connection,
          email: pending.email,
          status: 400,
          error: page.t('sign_in.failed'),
        });
      }
      await services.linkIdentity(signedIn.id, connection.target, pending.profile);
      await keepTokens(connection, signedIn.id, pending.tokens);
      await flows.advance(interaction.jti, flow, 'done');
      await flows.clear(interaction.jti);
      await kit.finishSignIn(ctx, signedIn.id);
    }),
  );

  return { start };
};
