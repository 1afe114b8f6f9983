import { z } from 'zod';
import { absoluteUriProblem, freeText, id, label } from '../shared.ts';

/** Request and response shapes of API resources and their scopes (Logto's Management API). */

/** RFC 8707 §2: an absolute URI without a fragment; the `aud` of access tokens for this API. */
export const Indicator = z
  .string()
  .min(1)
  .max(512)
  .superRefine((value, ctx) => {
    const problem = absoluteUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Lifetime of access tokens for the resource, in seconds. */
const AccessTokenTtl = z.int().min(60).max(86_400);

export const CreateResource = z.object({
  name: label(256),
  indicator: Indicator,
  accessTokenTtl: AccessTokenTtl.default(3600),
});
export type CreateResource = z.infer<typeof CreateResource>;

/** `indicator` is accepted only unchanged: tokens already issued carry it as their audience. */
export const UpdateResource = z.object({
  name: label(256).optional(),
  indicator: z.string().optional(),
  accessTokenTtl: AccessTokenTtl.optional(),
  /** At most one resource is the default (used when a token request names none); setting one clears the other. */
  isDefault: z.boolean().optional(),
});
export type UpdateResource = z.infer<typeof UpdateResource>;

export const SetDefaultResource = z.object({ isDefault: z.boolean() });

export const Resource = z.object({
  id: z.string(),
  name: z.string(),
  indicator: z.string(),
  isDefault: z.boolean(),
  accessTokenTtl: z.number(),
});
export type Resource = z.infer<typeof Resource>;

export const ResourceParams = z.object({ id: id() });

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII but space, `"` and `\`. */
export const ScopeName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be printable ASCII without spaces, quotes or backslashes');

export const CreateScope = z.object({
  name: ScopeName,
  description: freeText(4096).nullable().optional(),
});
export type CreateScope = z.infer<typeof CreateScope>;

export const UpdateScope = z.object({
  name: ScopeName.optional(),
  description: freeText(4096).nullable().optional(),
});
export type UpdateScope = z.infer<typeof UpdateScope>;

export const Scope = z.object({
  id: z.string(),
  resourceId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.number(),
});
export type Scope = z.infer<typeof Scope>;

export const ScopeParams = z.object({ id: id(), scopeId: id() });
