import { z } from 'zod';
import { Resource, Scope } from '../resources/resources.schemas.ts';
import { freeText, id, idList, label } from '../shared.ts';

/** Request and response shapes of roles and their links to scopes, users and applications (Logto's shapes). */

/** `User` roles are granted to users; `MachineToMachine` roles to machine-to-machine apps. */
export const RoleType = z.enum(['User', 'MachineToMachine']);
export type RoleType = z.infer<typeof RoleType>;

export const RoleFilter = z.object({
  type: RoleType.optional(),
  /** Part of the role name, case-insensitive. */
  search: freeText(256).optional(),
});
export type RoleFilter = z.infer<typeof RoleFilter>;

export const CreateRole = z.object({
  name: label(128),
  description: freeText(1024).min(1),
  type: RoleType.default('User'),
  /** A default role is given to every new user; only `User` roles can be default. */
  isDefault: z.boolean().default(false),
  scopeIds: z
    .array(id())
    .max(100)
    .transform((ids) => [...new Set(ids)])
    .default([]),
});
export type CreateRole = z.infer<typeof CreateRole>;

/** `type` is accepted only unchanged, so a client may send back the object it read. */
export const UpdateRole = z.object({
  name: label(128).optional(),
  description: freeText(1024).min(1).optional(),
  type: RoleType.optional(),
  isDefault: z.boolean().optional(),
});
export type UpdateRole = z.infer<typeof UpdateRole>;

export const Role = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  type: RoleType,
  isDefault: z.boolean(),
});
export type Role = z.infer<typeof Role>;

/** A scope granted by a role, with the API resource it belongs to. */
export const RoleScope = Scope.extend({ resource: Resource });
export type RoleScope = z.infer<typeof RoleScope>;

/** The user fields shown in role listings. */
export const UserSummary = z.object({
  id: z.string(),
  username: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  name: z.string().nullable(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const RoleParams = z.object({ id: id() });
export const RoleScopeParams = z.object({ id: id(), scopeId: id() });
export const RoleUserParams = z.object({ id: id(), userId: id() });
export const RoleApplicationParams = z.object({ id: id(), applicationId: id() });
export const ApplicationRoleParams = z.object({ id: id(), roleId: id() });

export const ScopeIds = z.object({ scopeIds: idList() });
export const UserIds = z.object({ userIds: idList() });
export const ApplicationIds = z.object({ applicationIds: idList() });
export const RoleIds = z.object({ roleIds: idList() });
export const UserRoleParams = z.object({ userId: id(), roleId: id() });
export const UserParams = z.object({ userId: id() });
