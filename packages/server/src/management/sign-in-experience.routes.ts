import { defaultTenantId } from '../db/schema.ts';
import {
  SignInExperience,
  UpdateSignInExperience,
} from '../domain/sign-in-experience/sign-in-experience.schemas.ts';
import { createSignInExperienceService } from '../domain/sign-in-experience/sign-in-experience.service.ts';
import { get, ok, patch } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';

/** Management API: the sign-in experience settings (SPEC §5, §6), Logto's path and shape. */
export const signInExperienceRoutes = defineManagementRoutes('/api/sign-in-exp', (registry) => {
  const signInExperience = createSignInExperienceService({
    db: registry.db.kysely,
    changes: registry.changes,
    tenantId: defaultTenantId,
  });

  return [
    get(
      '',
      { response: SignInExperience, status: [200], summary: 'Get the sign-in experience settings' },
      async () => ok(await signInExperience.get()),
    ),
    patch(
      '',
      {
        body: UpdateSignInExperience,
        response: SignInExperience,
        status: [200, 400],
        summary: 'Update the sign-in experience (each top-level key given replaces the stored one)',
      },
      async ({ body }) => ok(await signInExperience.update(body)),
    ),
  ];
});
