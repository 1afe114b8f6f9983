import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import type { Role } from '../roles-api.ts';
import { linkTo } from '../router.ts';
import { useLoad } from '../ui/hooks.ts';
import { ItemsTable } from '../ui/parts.tsx';
import { rolePath, useRoleTypeLabel } from './roles-shared.ts';
import './roles.css';

const phrases = definePhrases({
  en: {
    title: 'Roles',
    none: 'This user has no role.',
    colRole: 'Role',
    colDescription: 'Description',
    colActions: 'Actions',
    remove: 'Remove',
    removeLabel: 'Remove the role {name}',
    confirmRemove: 'Remove the role {name} from this user? Their next tokens lose its scopes.',
    role: 'User role',
    choose: 'Choose a role',
    assign: 'Assign role',
    noneLeft: 'The user has every user role already.',
  },
  th: {
    title: 'บทบาท',
    none: 'ผู้ใช้นี้ยังไม่มีบทบาท',
    colRole: 'บทบาท',
    colDescription: 'คำอธิบาย',
    colActions: 'การดำเนินการ',
    remove: 'นำออก',
    removeLabel: 'นำบทบาท {name} ออก',
    confirmRemove: 'นำบทบาท {name} ออกจากผู้ใช้นี้หรือไม่? โทเค็นถัดไปของผู้ใช้จะไม่มีขอบเขตของบทบาทนี้',
    role: 'บทบาทผู้ใช้',
    choose: 'เลือกบทบาท',
    assign: 'มอบบทบาท',
    noneLeft: 'ผู้ใช้มีบทบาทผู้ใช้ครบทุกบทบาทแล้ว',
  },
});

/** The user details page's roles section: the user's roles, assign a `User` role, remove one. */
export const UserRoles = ({ api, userId }: { api: ManagementApi; userId: string }) => {
  const t = useT(phrases);
  const typeLabel = useRoleTypeLabel();
  const [candidates, setCandidates] = useState<Role[]>([]);
  const [roleId, setRoleId] = useState('');
  const fetch = useCallback(async () => (await api.listUserRoles(userId)).items, [api, userId]);
  const { value: roles, error, setError, change } = useLoad(fetch, { clearError: false });
  useEffect(() => {
    api.listRoles(1, 100, { type: 'User' }).then((list) => setCandidates(list.items), setError);
  }, [api, setError]);

  const held = new Set(roles?.map((role) => role.id));
  const available = candidates.filter((role) => !held.has(role.id));

  const assign = async (event: FormEvent) => {
    event.preventDefault();
    if (!roleId) return;
    await change(async () => {
      await api.assignUserRoles(userId, [roleId]);
      setRoleId('');
    });
  };
  const remove = async (role: Role) => {
    if (!window.confirm(t('confirmRemove', { name: role.name }))) return;
    await change(() => api.removeUserRole(userId, role.id));
  };

  return (
    <div className="card stack roles-screen" data-testid="user-roles">
      <h2>{t('title')}</h2>
      <ItemsTable
        items={roles}
        columns={[t('colRole'), t('colDescription'), t('colActions')]}
        empty={t('none')}
        row={(role: Role) => (
          <tr key={role.id}>
            <td>
              <a {...linkTo(rolePath(role.id))}>{role.name}</a>{' '}
              <span className="muted">{typeLabel(role.type)}</span>
            </td>
            <td>{role.description}</td>
            <td>
              <button
                type="button"
                aria-label={t('removeLabel', { name: role.name })}
                onClick={() => remove(role)}
              >
                {t('remove')}
              </button>
            </td>
          </tr>
        )}
      />
      <form className="row" onSubmit={assign} aria-label={t('assign')}>
        <label htmlFor="user-role-choice">{t('role')}</label>
        <select
          id="user-role-choice"
          value={roleId}
          disabled={available.length === 0}
          onChange={(event) => setRoleId(event.target.value)}
        >
          <option value="">{t('choose')}</option>
          {available.map((role) => (
            <option key={role.id} value={role.id}>
              {role.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!roleId}>
          {t('assign')}
        </button>
      </form>
      {roles !== undefined && candidates.length > 0 && available.length === 0 ? (
        <p className="muted">{t('noneLeft')}</p>
      ) : null}
      <ErrorMessage error={error} />
    </div>
  );
};
