import { managementApi } from '../../db/schema.ts';
import { ApiError } from '../../http/errors.ts';
import { newId } from '../ids.ts';
import { type DomainDeps, epochMs, isForeignKeyViolation, isUniqueViolation, type Page } from '../shared.ts';
import {
  createResourceQueries,
  type ResourceQueries,
  type ResourceRow,
  type ScopeRow,
} from './resources.queries.ts';
import type {
  CreateResource,
  CreateScope,
  Resource,
  Scope,
  UpdateResource,
  UpdateScope,
} from './resources.schemas.ts';

export const toResource = (row: ResourceRow): Resource => ({
  id: row.id,
  name: row.name,
  indicator: row.indicator,
  isDefault: row.is_default,
  accessTokenTtl: row.access_token_ttl,
});

export const toScope = (row: Omit<ScopeRow, 'tenant_id'>): Scope => ({
  id: row.id,
  resourceId: row.resource_id,
  name: row.name,
  description: row.description,
  createdAt: epochMs(row.created_at),
});

/**
 * API resources (RFC 8707 indicators) and their scopes. The built-in Management API resource (SPEC §4) is
 * listed like any other, but it cannot be deleted nor made the default, and its `all` scope is fixed: the
 * management guard and the bootstrap admin app depend on them.
 */
export const createResourceService = ({ db, changes, tenantId }: DomainDeps) => {
  const queries = createResourceQueries(db, tenantId);
  const inTransaction = <T>(work: (tx: ResourceQueries) => Promise<T>) =>
    db.transaction().execute((trx) => work(createResourceQueries(trx, tenantId)));
  // After commit only. Scopes feed the roles' grants, so a scope change also concerns role caches.
  const published = async <T>(id: string, result: T, { scopes = false } = {}) => {
    await changes.publish({ topic: 'resources', key: id });
    if (scopes) await changes.publish({ topic: 'roles' });
    return result;
  };
  const notFound = (id: string) => new ApiError('resource.not_found', { id });
  const scopeNotFound = (id: string) => new ApiError('scope.not_found', { id });

  const findOrFail = async (id: string) => {
    const row = await queries.findById(id);
    if (!row) throw notFound(id);
    return row;
  };
  const assertScopeChangeable = (scopeId: string, action: string) => {
    if (scopeId === managementApi.scopeId) {
      throw new ApiError('scope.protected', { name: managementApi.scope, action });
    }
  };

  return {
    count: () => queries.count(),

    list: async (page: Page) => (await queries.list(page)).map(toResource),

    get: async (id: string) => toResource(await findOrFail(id)),

    create: async (input: CreateResource) => {
      const row = await queries
        .insert({
          id: newId(),
          name: input.name,
          indicator: input.indicator,
          accessTokenTtl: input.accessTokenTtl,
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error, 'resources__indicator')) {
            throw new ApiError('resource.indicator_taken', { indicator: input.indicator });
          }
          throw error;
        });
      return published(row.id, toResource(row));
    },

    update: async (id: string, patch: UpdateResource) => {
      if (id === managementApi.resourceId && patch.isDefault === true) {
        // A default resource receives tokens requested without `resource`: never the Management API.
        throw new ApiError('resource.protected', { id, action: 'made the default resource' });
      }
      const row = await inTransaction(async (tx) => {
        if (patch.isDefault === true) await tx.lockDefault();
        const current = await tx.findById(id);
        if (!current) throw notFound(id);
        if (patch.indicator !== undefined && patch.indicator !== current.indicator) {
          throw new ApiError('resource.indicator_immutable', { id });
        }
        if (patch.isDefault === true) await tx.clearDefaultExcept(id);
        return tx.update(id, {
          name: patch.name,
          accessTokenTtl: patch.accessTokenTtl,
          isDefault: patch.isDefault,
        });
      });
      if (!row) throw notFound(id);
      return published(id, toResource(row));
    },

    /** Deletes the resource with its scopes, which leave every role that granted them (foreign keys cascade). */
    remove: async (id: string) => {
      if (id === managementApi.resourceId)
        throw new ApiError('resource.protected', { id, action: 'deleted' });
      if (!(await queries.delete(id))) throw notFound(id);
      await published(id, undefined, { scopes: true });
    },

    countScopes: async (resourceId: string) => {
      await findOrFail(resourceId);
      return queries.scopes.count(resourceId);
    },

    listScopes: async (resourceId: string, page: Page) =>
      (await queries.scopes.list(resourceId, page)).map(toScope),

    createScope: async (resourceId: string, input: CreateScope) => {
      await findOrFail(resourceId);
      const row = await queries.scopes
        .insert({ id: newId(), resourceId, name: input.name, description: input.description ?? null })
        .catch((error: unknown) => {
          if (isUniqueViolation(error, 'scopes__resource_name')) {
            throw new ApiError('scope.name_taken', { name: input.name });
          }
          // The resource was deleted between the check above and the insert.
          if (isForeignKeyViolation(error)) throw notFound(resourceId);
          throw error;
        });
      return published(resourceId, toScope(row), { scopes: true });
    },

    updateScope: async (resourceId: string, scopeId: string, patch: UpdateScope) => {
      await findOrFail(resourceId);
      assertScopeChangeable(scopeId, 'changed');
      const row = await queries.scopes
        .update(resourceId, scopeId, { name: patch.name, description: patch.description })
        .catch((error: unknown) => {
          if (isUniqueViolation(error, 'scopes__resource_name')) {
            throw new ApiError('scope.name_taken', { name: patch.name });
          }
          throw error;
        });
      if (!row) throw scopeNotFound(scopeId);
      return published(resourceId, toScope(row), { scopes: true });
    },

    deleteScope: async (resourceId: string, scopeId: string) => {
      await findOrFail(resourceId);
      assertScopeChangeable(scopeId, 'deleted');
      if (!(await queries.scopes.delete(resourceId, scopeId))) throw scopeNotFound(scopeId);
      await published(resourceId, undefined, { scopes: true });
    },
  };
};

export type ResourceService = ReturnType<typeof createResourceService>;
