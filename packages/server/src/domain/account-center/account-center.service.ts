import type { DomainDeps } from '../shared.ts';
import { createAccountCenterQueries } from './account-center.queries.ts';
import {
  type AccountCenter,
  type AccountCenterControl,
  type AccountCenterField,
  AccountCenterFields,
  type UpdateAccountCenter,
} from './account-center.schemas.ts';

/** The change bus topic that tells every instance to drop its cached Account API settings. */
export const accountCenterTopic = 'account_center';

type Settings = { enabled: boolean; fields: AccountCenterFields };

const defaults: Settings = { enabled: false, fields: {} };

/** Stored fields read leniently: a value an older version wrote that no longer parses counts as `Off`. */
const fromStored = (row: { enabled: boolean; fields: unknown } | undefined): Settings => {
  if (!row) return defaults;
  const stored = typeof row.fields === 'object' && row.fields !== null ? row.fields : {};
  const fields: AccountCenterFields = {};
  for (const [name, value] of Object.entries(stored)) {
    const parsed = AccountCenterFields.safeParse({ [name]: value });
    if (parsed.success) Object.assign(fields, parsed.data);
  }
  return { enabled: row.enabled, fields };
};

/** What a field allows, `Off` when not set. */
export const controlOf = (fields: AccountCenterFields, field: AccountCenterField): AccountCenterControl =>
  fields[field] ?? 'Off';

export const isReadable = (fields: AccountCenterFields, field: AccountCenterField) =>
  controlOf(fields, field) !== 'Off';

/**
 * The tenant's Account API settings (Logto's account center). Read on every Account API request, so cached in
 * memory; an update on any instance drops every instance's copy through the change bus.
 */
export const createAccountCenterService = ({ db, changes, tenantId }: DomainDeps) => {
  const queries = createAccountCenterQueries(db, tenantId);
  let cached: Promise<Settings> | undefined;
  changes.subscribe((change) => {
    if (change.topic === accountCenterTopic || change.topic === '*') cached = undefined;
  });

  const settings = () => {
    if (cached) return cached;
    const loading = queries.find().then(fromStored);
    cached = loading;
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
    return loading;
  };
  const toAccountCenter = (value: Settings): AccountCenter => ({ tenantId, id: 'default', ...value });

  return {
    get: async (): Promise<AccountCenter> => toAccountCenter(await settings()),

    update: async (patch: UpdateAccountCenter): Promise<AccountCenter> => {
      const next = await db.transaction().execute(async (trx) => {
        const tx = createAccountCenterQueries(trx, tenantId);
        await tx.lock();
        const current = fromStored(await tx.find());
        const merged: Settings = {
          enabled: patch.enabled ?? current.enabled,
          fields: patch.fields ?? current.fields,
        };
        await tx.save(merged);
        return merged;
      });
      cached = undefined;
      await changes.publish({ topic: accountCenterTopic });
      return toAccountCenter(next);
    },
  };
};

export type AccountCenterService = ReturnType<typeof createAccountCenterService>;
