/** Names and paths shared by the resources, roles and user-roles screens, in the console's languages. */
import { definePhrases, useT } from '../i18n.ts';
import type { RoleType } from '../roles-api.ts';

const phrases = definePhrases({
  en: { User: 'User', MachineToMachine: 'Machine-to-machine' },
  th: { User: 'ผู้ใช้', MachineToMachine: 'เครื่องต่อเครื่อง (M2M)' },
});

export const roleTypes: RoleType[] = ['User', 'MachineToMachine'];

/** A role type's name in the console's language. */
export const useRoleTypeLabel = () => {
  const t = useT(phrases);
  return (type: RoleType) => t(type);
};

export const resourcesBase = '/console/resources';
export const resourcePath = (id: string) => `${resourcesBase}/${encodeURIComponent(id)}`;
export const rolesBase = '/console/roles';
export const rolePath = (id: string) => `${rolesBase}/${encodeURIComponent(id)}`;
