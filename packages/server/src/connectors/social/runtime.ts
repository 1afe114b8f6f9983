import type { Kysely } from 'kysely';
import type { ChangeBus } from '../../db/changes.ts';
import type { Database } from '../../db/schema.ts';
import { createConnectorService, type SignInConnector } from '../../domain/connectors/connectors.service.ts';
import type { OutboundFetch } from '../../net/outbound.ts';
import type { Vault } from '../../vault/vault.ts';
import {
  createJwksCache,
  createOAuth2Connector,
  createOidcConnector,
  type SocialConnector,
} from './connector.ts';

/** A stored social connector with its protocol code, ready for a sign-in, a link or a token refresh. */
export type SocialConnection = {
  id: string;
  target: string;
  /** Per language, as the admin set it (`en` at least, or the one name given). */
  name: Record<string, string>;
  logo?: string | undefined;
  logoDark?: string | undefined;
  /** true: name and avatar refreshed at every sign-in; false: taken at sign-up only (SPEC §6). */
  syncProfile: boolean;
  /** Whether the provider's tokens are kept in the vault at each sign-in or link (SPEC §7). */
  enableTokenStorage: boolean;
  /** Where the browser is sent (its origin goes into the page's CSP form-action). */
  authorizationEndpoint: string;
  connector: SocialConnector;
};

/** What a "Continue with …" button needs: no secret, no protocol code. */
export type SocialButton = Pick<
  SocialConnection,
  'id' | 'target' | 'name' | 'logo' | 'logoDark' | 'authorizationEndpoint'
>;

export type SocialConnections = {
  /**
   * The buttons of `targets`, in that order; unknown targets are skipped. Every sign-in page shows them, so this
   * reads one query's rows and opens no secret.
   */
  buttons(targets: readonly string[]): Promise<SocialButton[]>;
  /** A social connector by id or target. */
  get(idOrTarget: string): Promise<SocialConnection | undefined>;
};

/**
 * Social connectors as the rest of the server uses them: the stored configuration (secrets opened) turned into
 * the OIDC or OAuth 2.0 relying-party code, every request through the SSRF-guarded `outbound` fetch, and one JWKS
 * cache for the server (an unknown `kid` refetches a provider's keys at most once a minute, SECURITY-TESTS C7).
 */
export const createSocialConnections = (deps: {
  db: Kysely<Database>;
  changes: ChangeBus;
  tenantId: string;
  vault: Vault;
  outbound: OutboundFetch;
}): SocialConnections => {
  const connectors = createConnectorService(deps);
  const jwks = createJwksCache({ fetch: deps.outbound });
  const toConnection = (found: SignInConnector | undefined): SocialConnection | undefined => {
    if (!found) return undefined;
    const connector =
      found.connectorId === 'oidc'
        ? createOidcConnector(found.config, { fetch: deps.outbound, jwks })
        : createOAuth2Connector(found.config, { fetch: deps.outbound });
    return {
      id: found.id,
      target: found.target,
      name: found.name,
      logo: found.logo ?? undefined,
      logoDark: found.logoDark ?? undefined,
      syncProfile: found.syncProfile,
      enableTokenStorage: found.enableTokenStorage,
      authorizationEndpoint: found.config.authorizationEndpoint,
      connector,
    };
  };
  return {
    buttons: async (targets) =>
      (await connectors.listSocialButtons(targets)).map((summary) => ({
        id: summary.id,
        target: summary.target,
        name: summary.name,
        logo: summary.logo ?? undefined,
        logoDark: summary.logoDark ?? undefined,
        authorizationEndpoint: summary.authorizationEndpoint,
      })),
    get: async (idOrTarget) => toConnection(await connectors.getForSignIn(idOrTarget)),
  };
};
