import { ApiError } from '../../http/errors.ts';
import type { DomainDeps } from '../shared.ts';
import { createSignInExperienceQueries } from './sign-in-experience.queries.ts';
import {
  defaultSignInExperience,
  type SignInExperience,
  SignInExperienceSettings,
  signInExperienceProblems,
  type UpdateSignInExperience,
} from './sign-in-experience.schemas.ts';

/** The change bus topic that tells every instance to drop its cached settings. */
export const signInExperienceTopic = 'sign_in_experience';

type Key = keyof SignInExperienceSettings;
const keys = Object.keys(SignInExperienceSettings.shape) as Key[];

/**
 * Reads stored settings key by key: a key that is missing or no longer valid (stored by an older version)
 * takes its default, so a schema change never makes the sign-in pages fail.
 */
const fromStored = (stored: unknown): SignInExperienceSettings => {
  const record = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const parsed = SignInExperienceSettings.shape[key].safeParse(record[key]);
    settings[key] = parsed.success && record[key] !== undefined ? parsed.data : defaultSignInExperience[key];
  }
  return settings as SignInExperienceSettings;
};

const toSignInExperience = (tenantId: string, settings: SignInExperienceSettings): SignInExperience => ({
  tenantId,
  id: 'default',
  ...settings,
});

/**
 * The tenant's sign-in experience (SPEC §5): what the hosted pages offer. Read on every page, so it is cached
 * in memory; an update on any instance drops every instance's copy through the change bus.
 */
export const createSignInExperienceService = ({ db, changes, tenantId }: DomainDeps) => {
  const queries = createSignInExperienceQueries(db, tenantId);
  // Invalidation drops the promise itself, so a load that was under way when an update landed is not kept.
  let cached: Promise<SignInExperienceSettings> | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  const unsubscribe = changes.subscribe((change) => {
    if (change.topic === signInExperienceTopic || change.topic === '*') invalidate();
  });

  const settings = (): Promise<SignInExperienceSettings> => {
    if (cached) return cached;
    const loading = queries.find().then(fromStored);
    cached = loading;
    // A failed read is not cached: the next page view tries again.
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
    return loading;
  };

  return {
    /** The current settings (cached). */
    get: async (): Promise<SignInExperience> => toSignInExperience(tenantId, await settings()),

    /** Replaces the top-level keys given; refuses settings that do not work together. Answers the whole object. */
    update: async (patch: UpdateSignInExperience): Promise<SignInExperience> => {
      const merged = await db.transaction().execute(async (trx) => {
        const tx = createSignInExperienceQueries(trx, tenantId);
        await tx.lock();
        const next: Record<string, unknown> = { ...fromStored(await tx.find()) };
        for (const key of keys) if (patch[key] !== undefined) next[key] = patch[key];
        const candidate = next as SignInExperienceSettings;
        const problems = signInExperienceProblems(candidate);
        const first = problems[0];
        if (first) {
          throw new ApiError('sign_in_experience.invalid', { reason: first.message, issues: problems });
        }
        await tx.save(candidate);
        return candidate;
      });
      // After commit: this instance at once, the others through the bus.
      invalidate();
      await changes.publish({ topic: signInExperienceTopic });
      return toSignInExperience(tenantId, merged);
    },

    /** Stops listening to the change bus. */
    close: () => unsubscribe(),
  };
};

export type SignInExperienceService = ReturnType<typeof createSignInExperienceService>;
