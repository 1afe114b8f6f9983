/**
 * The Sign-in experience screen's part of the Management API (docs/sign-in-experience.md), spread into
 * `createManagementApi`: the settings, and the live preview of the hosted page (HTML, not JSON).
 */
import { failureOf } from './api.ts';
import type { PreviewLanguage, SignInExperience, SignInExperiencePatch } from './sign-in-experience-logic.ts';

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

export type PreviewRequest = SignInExperiencePatch & {
  language: PreviewLanguage;
  mode: 'light' | 'dark';
  page: 'sign-in' | 'register';
  appName: string;
};

export const signInExperienceEndpoints = (call: Call, token: () => Promise<string>) => ({
  getSignInExperience: async () => (await call<SignInExperience>('/api/sign-in-exp')).body,
  updateSignInExperience: async (patch: SignInExperiencePatch) =>
    (await call<SignInExperience>('/api/sign-in-exp', { method: 'PATCH', body: patch })).body,
  /** The hosted page for unsaved settings, inert (`POST /api/sign-in-exp/preview` answers text/html). */
  previewSignInExperience: async (input: PreviewRequest, signal?: AbortSignal): Promise<string> => {
    const response = await fetch('/api/sign-in-exp/preview', {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'content-type': 'application/json',
        authorization: `Bearer ${await token()}`,
      },
      body: JSON.stringify(input),
      signal: signal ?? null,
    });
    if (response.ok) return response.text();
    throw await failureOf(response);
  },
});
