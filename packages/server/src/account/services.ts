import { createConfiguredEmailSender } from '../connectors/email/email-sender.ts';
import { defaultTenantId } from '../db/schema.ts';
import { createAccountService } from '../domain/account/account.service.ts';
import { createAccountCenterService } from '../domain/account-center/account-center.service.ts';
import { createSignInExperienceService } from '../domain/sign-in-experience/sign-in-experience.service.ts';
import { createIdentityService } from '../domain/users/identities.service.ts';
import { passwordPolicyFromSettings } from '../domain/users/password-policy.ts';
import { createUserService } from '../domain/users/users.service.ts';
import { createVerificationCodeService } from '../domain/verification-codes/verification-codes.service.ts';
import { createVerificationService } from '../domain/verifications/verifications.service.ts';
import type { Registry } from '../registry.ts';
import { createLockout } from '../security/lockout.ts';
import { createRateLimiter } from '../security/rate-limiter.ts';
import { createAccessTokenChecker } from './access-token.ts';

/** The Account API's services, wired once per registry (every route file of the API shares them). */
const build = (registry: Registry) => {
  const tenantId = defaultTenantId;
  const db = registry.db.kysely;
  const { changes, passwords, vault, social, logger } = registry;
  const signInExperience = createSignInExperienceService({ db, changes, tenantId });
  const passwordPolicy = async () =>
    passwordPolicyFromSettings((await signInExperience.get()).passwordPolicy);
  const users = createUserService({ db, changes, tenantId, passwords, passwordPolicy });
  const identities = createIdentityService({ db, changes, tenantId, passwords, passwordPolicy });
  const { audit } = registry;
  const codes = createVerificationCodeService({
    db,
    tenantId,
    // The same key as the sign-in pages' codes: one table, one digest scheme.
    digestKey: vault.deriveKey('verification-codes'),
    email: createConfiguredEmailSender({
      smtpUrl: registry.config.smtp.url,
      from: registry.config.smtp.from,
      db,
      tenantId,
      vault,
      changes,
    }),
  });
  const verifications = createVerificationService({
    db,
    tenantId,
    vault,
    users,
    lockout: createLockout({ db, tenantId }),
    limiter: createRateLimiter({ db, tenantId }),
    codes,
    social,
    logger,
  });
  const identityTokens = registry.identityTokens;
  return {
    accountCenter: createAccountCenterService({ db, changes, tenantId }),
    verifications,
    account: createAccountService({
      db,
      changes,
      tenantId,
      passwords,
      users,
      identities,
      verifications,
      signInExperience,
      social,
      identityTokens,
      audit,
      logger,
    }),
    checkAccessToken: createAccessTokenChecker({ db, tenantId, findClient: registry.oidc.findClient }),
  };
};

export type AccountServices = ReturnType<typeof build>;

const wired = new WeakMap<Registry, AccountServices>();

export const accountServices = (registry: Registry): AccountServices => {
  let services = wired.get(registry);
  if (!services) {
    services = build(registry);
    wired.set(registry, services);
  }
  return services;
};
