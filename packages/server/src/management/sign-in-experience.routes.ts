import { z } from 'zod';
import { defaultTenantId } from '../db/schema.ts';
import {
  Language,
  SignInExperience,
  UpdateSignInExperience,
} from '../domain/sign-in-experience/sign-in-experience.schemas.ts';
import { createSignInExperienceService } from '../domain/sign-in-experience/sign-in-experience.service.ts';
import { renderPreview } from '../experience/preview.ts';
import { experienceSettingsOf } from '../experience/settings.ts';
import { get, ok, patch, post } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';

/**
 * `POST /api/sign-in-exp/preview`: settings in PATCH's shape and rules (merged over the stored ones, nothing
 * saved), and how to show them.
 */
export const PreviewSignInExperience = UpdateSignInExperience.extend({
  language: Language.default('en'),
  mode: z.enum(['light', 'dark']).default('light'),
  page: z.enum(['sign-in', 'register']).default('sign-in'),
  /** The app name the page's subtitle shows ("to continue to …"). */
  appName: z.string().trim().min(1).max(128).default('Bookstore'),
});

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
    post(
      '/preview',
      {
        body: PreviewSignInExperience,
        status: [200, 400],
        summary:
          'Render the hosted sign-in or sign-up page (text/html, inert) for settings merged over the stored ones, without saving them',
      },
      async ({ body }) => {
        const { language, mode, page, appName, ...changes } = body;
        const { tenantId: _tenant, id: _id, ...stored } = await signInExperience.get();
        const merged: Record<string, unknown> = { ...stored };
        for (const [key, value] of Object.entries(changes)) if (value !== undefined) merged[key] = value;
        const settings = experienceSettingsOf(merged as typeof stored);
        const buttons = await registry.social.buttons(settings.social.targets);
        return {
          status: 200,
          body: renderPreview(settings, buttons, { language, mode, page, appName }).toString(),
          // Never a page of its own: the API's CSP (nothing loads) stays; the console shows it in a sandbox.
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        };
      },
    ),
  ];
});
