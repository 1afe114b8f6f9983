import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import {
  builtInRoleIds,
  type Paged,
  type Resource,
  type Role,
  type RoleScope,
  type Scope,
} from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { useAttempt, useLoad } from '../ui/hooks.ts';
import { ActionCard, DetailsPending, ItemsTable } from '../ui/parts.tsx';
import { rolesBase, useRoleTypeLabel } from './roles-shared.ts';
import './roles.css';

const pageSize = 20;
/** The Management API scope (SPEC §4): built-in roles keep it, the server refuses to take it away. */
const managementScopeId = 'management-api-all';

const phrases = definePhrases({
  en: {
    back: '← Roles',
    loading: 'Loading…',
    roleId: 'Role ID',
    builtIn: 'Built-in role: it cannot be deleted, and it keeps the Management API scope.',
    adminRole:
      'Holders of this role administer Gatehouse through this console. It always keeps at least one user: remove the last one and the first-run page would open again.',
    scopes: 'Permissions (scopes)',
    noScopes: 'This role grants no scope yet.',
    colResource: 'API resource',
    colScope: 'Scope',
    colDescription: 'Description',
    colActions: 'Actions',
    remove: 'Remove',
    removeScopeLabel: 'Remove scope {name}',
    confirmRemoveScope: 'Stop granting {name} through this role?',
    resource: 'API resource',
    chooseResource: 'Choose an API resource',
    scope: 'Scope',
    chooseScope: 'Choose a scope',
    noScopeLeft: 'Every scope of this resource is granted already.',
    addScope: 'Add scope',
    users: 'Assigned users',
    noUsers: 'No user has this role.',
    usersNoun: 'users',
    colUser: 'User',
    colEmail: 'Email',
    removeUserLabel: 'Remove {name} from this role',
    confirmRemoveUser: 'Remove {name} from this role?',
    searchUsers: 'Find users to assign',
    searchUsersPlaceholder: 'Username, email, phone or name',
    applications: 'Assigned applications',
    noApplications: 'No application has this role.',
    applicationsNoun: 'applications',
    colApplication: 'Application',
    colAppId: 'App ID',
    removeAppLabel: 'Remove {name} from this role',
    confirmRemoveApp: 'Remove the application {name} from this role? Its next tokens lose the scopes.',
    searchApps: 'Find machine-to-machine applications to assign',
    searchAppsPlaceholder: 'Application name',
    search: 'Search',
    assign: 'Assign',
    assignLabel: 'Assign {name}',
    noMatch: 'Nothing matches.',
    assigned: 'Assigned',
    deleteTitle: 'Delete role',
    deleteText: 'Users and applications that have it lose its scopes.',
    delete: 'Delete role',
    confirmDelete: 'Delete the role {name} for good?',
  },
  th: {
    back: '← บทบาท',
    loading: 'กำลังโหลด…',
    roleId: 'รหัสบทบาท',
    builtIn: 'บทบาทในตัวระบบ: ลบไม่ได้ และจะคงขอบเขตของ Management API ไว้เสมอ',
    adminRole:
      'ผู้ที่มีบทบาทนี้ดูแล Gatehouse ผ่านคอนโซลนี้ บทบาทนี้ต้องมีผู้ใช้อย่างน้อยหนึ่งคนเสมอ หากนำคนสุดท้ายออก หน้าตั้งค่าครั้งแรกจะเปิดขึ้นอีก',
    scopes: 'สิทธิ์ (ขอบเขต)',
    noScopes: 'บทบาทนี้ยังไม่มอบขอบเขตใด',
    colResource: 'ทรัพยากร API',
    colScope: 'ขอบเขต',
    colDescription: 'คำอธิบาย',
    colActions: 'การดำเนินการ',
    remove: 'นำออก',
    removeScopeLabel: 'นำขอบเขต {name} ออก',
    confirmRemoveScope: 'เลิกมอบ {name} ผ่านบทบาทนี้หรือไม่?',
    resource: 'ทรัพยากร API',
    chooseResource: 'เลือกทรัพยากร API',
    scope: 'ขอบเขต',
    chooseScope: 'เลือกขอบเขต',
    noScopeLeft: 'มอบทุกขอบเขตของทรัพยากรนี้แล้ว',
    addScope: 'เพิ่มขอบเขต',
    users: 'ผู้ใช้ที่ได้รับบทบาท',
    noUsers: 'ยังไม่มีผู้ใช้ที่มีบทบาทนี้',
    usersNoun: 'ผู้ใช้',
    colUser: 'ผู้ใช้',
    colEmail: 'อีเมล',
    removeUserLabel: 'นำ {name} ออกจากบทบาทนี้',
    confirmRemoveUser: 'นำ {name} ออกจากบทบาทนี้หรือไม่?',
    searchUsers: 'ค้นหาผู้ใช้เพื่อมอบบทบาท',
    searchUsersPlaceholder: 'ชื่อผู้ใช้ อีเมล โทรศัพท์ หรือชื่อ',
    applications: 'แอปพลิเคชันที่ได้รับบทบาท',
    noApplications: 'ยังไม่มีแอปพลิเคชันที่มีบทบาทนี้',
    applicationsNoun: 'แอปพลิเคชัน',
    colApplication: 'แอปพลิเคชัน',
    colAppId: 'รหัสแอป',
    removeAppLabel: 'นำ {name} ออกจากบทบาทนี้',
    confirmRemoveApp: 'นำแอปพลิเคชัน {name} ออกจากบทบาทนี้หรือไม่? โทเค็นถัดไปของแอปจะไม่มีขอบเขตเหล่านี้',
    searchApps: 'ค้นหาแอปพลิเคชันเครื่องต่อเครื่องเพื่อมอบบทบาท',
    searchAppsPlaceholder: 'ชื่อแอปพลิเคชัน',
    search: 'ค้นหา',
    assign: 'มอบบทบาท',
    assignLabel: 'มอบบทบาทให้ {name}',
    noMatch: 'ไม่พบรายการที่ตรงกัน',
    assigned: 'ได้รับแล้ว',
    deleteTitle: 'ลบบทบาท',
    deleteText: 'ผู้ใช้และแอปพลิเคชันที่มีบทบาทนี้จะเสียขอบเขตของบทบาทไป',
    delete: 'ลบบทบาท',
    confirmDelete: 'ลบบทบาท {name} อย่างถาวรหรือไม่?',
  },
});

type Translate = (key: keyof (typeof phrases)['en'], vars?: Record<string, string | number>) => string;

/** One role: its scopes (from any API resource), its users or machine-to-machine apps, deletion. */
export const RoleDetails = ({ api, id }: { api: ManagementApi; id: string }) => {
  const t = useT(phrases);
  const typeLabel = useRoleTypeLabel();
  const [role, setRole] = useState<Role>();
  const [error, setError] = useState<unknown>();
  const back = <a {...linkTo(rolesBase)}>{t('back')}</a>;

  useEffect(() => {
    api.getRole(id).then(setRole, setError);
  }, [api, id]);

  if (!role) return <DetailsPending back={back} error={error} loading={t('loading')} />;
  const builtIn = builtInRoleIds.includes(role.id);
  return (
    <section className="stack roles-screen">
      <p>{back}</p>
      <h1>{role.name}</h1>
      <p className="muted">
        <span data-testid="role-type">{typeLabel(role.type)}</span> · {t('roleId')} <code>{role.id}</code>
      </p>
      <p>{role.description}</p>
      {builtIn ? <p className="card">{t('builtIn')}</p> : null}
      {role.id === 'console-administrator' ? <p className="card">{t('adminRole')}</p> : null}
      <RoleScopes api={api} role={role} builtIn={builtIn} />
      {role.type === 'User' ? (
        <RoleUsers api={api} role={role} />
      ) : (
        <RoleApplications api={api} role={role} />
      )}
      {builtIn ? null : <DeleteRole api={api} role={role} />}
    </section>
  );
};

const RoleScopes = ({ api, role, builtIn }: { api: ManagementApi; role: Role; builtIn: boolean }) => {
  const t = useT(phrases);
  const [resources, setResources] = useState<Resource[]>([]);
  const [resourceId, setResourceId] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [scopeId, setScopeId] = useState('');
  const fetch = useCallback(async () => (await api.listRoleScopes(role.id)).items, [api, role.id]);
  const { value: granted, error, setError, change } = useLoad(fetch, { clearError: false });
  useEffect(() => {
    api.listResources(1, 100).then((list) => setResources(list.items), setError);
  }, [api, setError]);
  useEffect(() => {
    setScopeId('');
    if (!resourceId) {
      setScopes([]);
      return;
    }
    api.listResourceScopes(resourceId).then((list) => setScopes(list.items), setError);
  }, [api, resourceId, setError]);

  const grantedIds = new Set(granted?.map((scope) => scope.id));
  const available = scopes.filter((scope) => !grantedIds.has(scope.id));

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!scopeId) return;
    await change(async () => {
      await api.grantRoleScopes(role.id, [scopeId]);
      setScopeId('');
    });
  };
  const remove = async (scope: RoleScope) => {
    if (!window.confirm(t('confirmRemoveScope', { name: scope.name }))) return;
    await change(() => api.revokeRoleScope(role.id, scope.id));
  };

  return (
    <div className="card stack" data-testid="role-scopes">
      <h2>{t('scopes')}</h2>
      <ItemsTable
        items={granted}
        columns={[t('colResource'), t('colScope'), t('colDescription'), t('colActions')]}
        empty={t('noScopes')}
        row={(scope: RoleScope) => (
          <tr key={scope.id}>
            <td>
              {scope.resource.name} <code>{scope.resource.indicator}</code>
            </td>
            <td>
              <code>{scope.name}</code>
            </td>
            <td>{scope.description ?? ''}</td>
            <td>
              {builtIn && scope.id === managementScopeId ? null : (
                <button
                  type="button"
                  aria-label={t('removeScopeLabel', { name: scope.name })}
                  onClick={() => remove(scope)}
                >
                  {t('remove')}
                </button>
              )}
            </td>
          </tr>
        )}
      />
      <form className="row" onSubmit={add} aria-label={t('addScope')}>
        <label htmlFor="grant-resource">{t('resource')}</label>
        <select
          id="grant-resource"
          value={resourceId}
          onChange={(event) => setResourceId(event.target.value)}
        >
          <option value="">{t('chooseResource')}</option>
          {resources.map((resource) => (
            <option key={resource.id} value={resource.id}>
              {resource.name} ({resource.indicator})
            </option>
          ))}
        </select>
        <label htmlFor="grant-scope">{t('scope')}</label>
        <select
          id="grant-scope"
          value={scopeId}
          disabled={!resourceId || available.length === 0}
          onChange={(event) => setScopeId(event.target.value)}
        >
          <option value="">{t('chooseScope')}</option>
          {available.map((scope) => (
            <option key={scope.id} value={scope.id}>
              {scope.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!scopeId}>
          {t('addScope')}
        </button>
      </form>
      {resourceId && scopes.length > 0 && available.length === 0 ? (
        <p className="muted">{t('noScopeLeft')}</p>
      ) : null}
      <ErrorMessage error={error} />
    </div>
  );
};

/** A member of a role, as both member lists show it. */
type Member = { id: string; label: string; detail: string };

/**
 * The members of a role (users or apps): a paged list with a remove button each, and a search whose results can
 * be assigned one by one.
 */
const Members = ({
  title,
  testId,
  columns,
  empty,
  noun,
  searchLabel,
  searchPlaceholder,
  removeLabel,
  confirmRemove,
  list,
  search,
  assign,
  remove,
}: {
  title: string;
  testId: string;
  columns: [string, string];
  empty: string;
  noun: string;
  searchLabel: string;
  searchPlaceholder: string;
  removeLabel: (name: string) => string;
  confirmRemove: (name: string) => string;
  list: (page: number) => Promise<Paged<Member>>;
  search: (text: string) => Promise<Member[]>;
  assign: (id: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}) => {
  const t = useT(phrases);
  const [page, setPage] = useState(1);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Member[]>();
  const [assigned, setAssigned] = useState<Set<string>>(new Set());
  const fetch = useCallback(() => list(page), [list, page]);
  const { value: members, error, attempt, change } = useLoad(fetch, { clearError: false });

  const find = async (event: FormEvent) => {
    event.preventDefault();
    await attempt(async () => setResults(await search(query.trim())));
  };
  const add = async (member: Member) => {
    await change(async () => {
      await assign(member.id);
      setAssigned(new Set([...assigned, member.id]));
    });
  };
  const drop = async (member: Member) => {
    if (!window.confirm(confirmRemove(member.label))) return;
    await change(async () => {
      await remove(member.id);
      setAssigned(new Set([...assigned].filter((id) => id !== member.id)));
    });
  };
  const memberIds = new Set(members?.items.map((member) => member.id));
  const searchId = `${testId}-search`;

  return (
    <div className="card stack" data-testid={testId}>
      <h2>{title}</h2>
      {members === undefined ? null : members.items.length === 0 && page === 1 ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{columns[0]}</th>
                <th scope="col">{columns[1]}</th>
                <th scope="col">{t('colActions')}</th>
              </tr>
            </thead>
            <tbody>
              {members.items.map((member) => (
                <tr key={member.id}>
                  <td>{member.label}</td>
                  <td>{member.detail}</td>
                  <td>
                    <button type="button" aria-label={removeLabel(member.label)} onClick={() => drop(member)}>
                      {t('remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={pageSize} total={members.total} noun={noun} onPage={setPage} />
        </>
      )}
      <form className="row" onSubmit={find}>
        <label htmlFor={searchId}>{searchLabel}</label>
        <input
          id={searchId}
          type="search"
          value={query}
          placeholder={searchPlaceholder}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">{t('search')}</button>
      </form>
      {results === undefined ? null : results.length === 0 ? (
        <p className="muted">{t('noMatch')}</p>
      ) : (
        <ul className="search-results">
          {results.map((member) => (
            <li key={member.id}>
              <span>
                {member.label} <span className="muted">{member.detail}</span>
              </span>
              {memberIds.has(member.id) || assigned.has(member.id) ? (
                <span className="muted">{t('assigned')}</span>
              ) : (
                <button
                  type="button"
                  aria-label={t('assignLabel', { name: member.label })}
                  onClick={() => add(member)}
                >
                  {t('assign')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={error} />
    </div>
  );
};

const userMember = (user: {
  id: string;
  username: string | null;
  primaryEmail: string | null;
  name: string | null;
}): Member => ({
  id: user.id,
  label: user.username ?? user.primaryEmail ?? user.name ?? user.id,
  detail: user.primaryEmail ?? '',
});

const RoleUsers = ({ api, role }: { api: ManagementApi; role: Role }) => {
  const t = useT(phrases);
  const list = useCallback(
    async (page: number) => {
      const { items, total } = await api.listRoleUsers(role.id, page, pageSize);
      return { items: items.map(userMember), total };
    },
    [api, role.id],
  );
  return (
    <Members
      {...memberTexts(t, 'users')}
      testId="role-users"
      list={list}
      search={async (text) => (await api.listUsers(1, 10, text)).items.map(userMember)}
      assign={async (userId) => {
        await api.assignRoleUsers(role.id, [userId]);
      }}
      remove={(userId) => api.removeRoleUser(role.id, userId)}
    />
  );
};

const appMember = (app: { id: string; name: string }): Member => ({
  id: app.id,
  label: app.name,
  detail: app.id,
});

const RoleApplications = ({ api, role }: { api: ManagementApi; role: Role }) => {
  const t = useT(phrases);
  const list = useCallback(
    async (page: number) => {
      const { items, total } = await api.listRoleApplications(role.id, page, pageSize);
      return { items: items.map(appMember), total };
    },
    [api, role.id],
  );
  return (
    <Members
      {...memberTexts(t, 'applications')}
      testId="role-applications"
      list={list}
      search={async (text) => (await api.searchMachineApps(text)).items.map(appMember)}
      assign={async (applicationId) => {
        await api.assignRoleApplications(role.id, [applicationId]);
      }}
      remove={(applicationId) => api.removeRoleApplication(role.id, applicationId)}
    />
  );
};

const memberTexts = (t: Translate, kind: 'users' | 'applications') =>
  kind === 'users'
    ? {
        title: t('users'),
        columns: [t('colUser'), t('colEmail')] as [string, string],
        empty: t('noUsers'),
        noun: t('usersNoun'),
        searchLabel: t('searchUsers'),
        searchPlaceholder: t('searchUsersPlaceholder'),
        removeLabel: (name: string) => t('removeUserLabel', { name }),
        confirmRemove: (name: string) => t('confirmRemoveUser', { name }),
      }
    : {
        title: t('applications'),
        columns: [t('colApplication'), t('colAppId')] as [string, string],
        empty: t('noApplications'),
        noun: t('applicationsNoun'),
        searchLabel: t('searchApps'),
        searchPlaceholder: t('searchAppsPlaceholder'),
        removeLabel: (name: string) => t('removeAppLabel', { name }),
        confirmRemove: (name: string) => t('confirmRemoveApp', { name }),
      };

const DeleteRole = ({ api, role }: { api: ManagementApi; role: Role }) => {
  const t = useT(phrases);
  const { error, attempt } = useAttempt();
  const remove = async () => {
    if (!window.confirm(t('confirmDelete', { name: role.name }))) return;
    await attempt(async () => {
      await api.deleteRole(role.id);
      navigate(rolesBase);
    });
  };
  return (
    <ActionCard
      title={t('deleteTitle')}
      text={t('deleteText')}
      button={t('delete')}
      danger
      error={error}
      onClick={remove}
    />
  );
};
