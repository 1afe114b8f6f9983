import { type FormEvent, useCallback, useState } from 'react';
import type { ManagementApi, User } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { linkTo, navigate } from '../router.ts';
import { usePaged } from '../ui/hooks.ts';
import { CreateForm, ListHeading, PagedTable, TextField } from '../ui/parts.tsx';

const pageSize = 20;

const phrases = definePhrases({
  en: {
    title: 'Users',
    createUser: 'Create user',
    searchForm: 'User search',
    searchLabel: 'Search users',
    searchPlaceholder: 'Username, email, phone or name',
    search: 'Search',
    clear: 'Clear',
    user: 'User',
    email: 'Email',
    name: 'Name',
    status: 'Status',
    suspended: 'Suspended',
    active: 'Active',
    noMatch: 'No user matches “{search}”.',
    noUsers: 'No users yet.',
    users: 'users',
    loading: 'Loading…',
    createTitle: 'Create a user',
    createHint: 'A username or an email is needed; the password is optional.',
    username: 'Username',
    password: 'Password',
    create: 'Create',
    cancel: 'Cancel',
  },
  th: {
    title: 'ผู้ใช้',
    createUser: 'สร้างผู้ใช้',
    searchForm: 'การค้นหาผู้ใช้',
    searchLabel: 'ค้นหาผู้ใช้',
    searchPlaceholder: 'ชื่อผู้ใช้ อีเมล โทรศัพท์ หรือชื่อ',
    search: 'ค้นหา',
    clear: 'ล้าง',
    user: 'ผู้ใช้',
    email: 'อีเมล',
    name: 'ชื่อ',
    status: 'สถานะ',
    suspended: 'ถูกระงับ',
    active: 'ใช้งานอยู่',
    noMatch: 'ไม่มีผู้ใช้ที่ตรงกับ “{search}”',
    noUsers: 'ยังไม่มีผู้ใช้',
    users: 'ผู้ใช้',
    loading: 'กำลังโหลด…',
    createTitle: 'สร้างผู้ใช้ใหม่',
    createHint: 'ต้องมีชื่อผู้ใช้หรืออีเมล ส่วนรหัสผ่านจะใส่หรือไม่ก็ได้',
    username: 'ชื่อผู้ใช้',
    password: 'รหัสผ่าน',
    create: 'สร้าง',
    cancel: 'ยกเลิก',
  },
});

/** The users of this Gatehouse, searchable and paged, with a form to create one. */
export const Users = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const fetchPage = useCallback((page: number) => api.listUsers(page, pageSize, search), [api, search]);
  const paged = usePaged(fetchPage, pageSize);
  const { error, setPage } = paged;
  const [creating, setCreating] = useState(false);

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setSearch(query.trim());
  };

  return (
    <section>
      <ListHeading
        title={t('title')}
        create={t('createUser')}
        creating={creating}
        onCreate={() => setCreating(true)}
      />
      {creating ? <CreateUser api={api} onCancel={() => setCreating(false)} /> : null}
      <form className="row" aria-label={t('searchForm')} onSubmit={submitSearch}>
        <label htmlFor="user-search">{t('searchLabel')}</label>
        <input
          id="user-search"
          type="search"
          value={query}
          placeholder={t('searchPlaceholder')}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">{t('search')}</button>
        {search ? (
          <button
            type="button"
            onClick={() => {
              setQuery('');
              setSearch('');
              setPage(1);
            }}
          >
            {t('clear')}
          </button>
        ) : null}
      </form>
      <ErrorMessage error={error} />
      <PagedTable
        paged={paged}
        columns={[t('user'), t('email'), t('name'), t('status')]}
        row={(user: User) => (
          <tr key={user.id}>
            <td>
              <a {...linkTo(`/console/users/${encodeURIComponent(user.id)}`)}>{displayName(user)}</a>
            </td>
            <td>{user.primaryEmail ?? ''}</td>
            <td>{user.name ?? ''}</td>
            <td>{user.isSuspended ? t('suspended') : t('active')}</td>
          </tr>
        )}
        empty={search ? t('noMatch', { search }) : t('noUsers')}
        loading={t('loading')}
        noun={t('users')}
      />
    </section>
  );
};

/** What names a user in a list: the username, else the email, phone or id. */
export const displayName = (user: User) =>
  user.username ?? user.primaryEmail ?? user.primaryPhone ?? user.name ?? user.id;

const CreateUser = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <CreateForm
      id="create-user"
      title={t('createTitle')}
      submit={t('create')}
      cancel={t('cancel')}
      onCancel={onCancel}
      create={async () => {
        const created = await api.createUser({
          ...(username.trim() && { username: username.trim() }),
          ...(email.trim() && { primaryEmail: email.trim() }),
          ...(password && { password }),
        });
        navigate(`/console/users/${encodeURIComponent(created.id)}`);
      }}
    >
      <p className="muted">{t('createHint')}</p>
      <TextField
        id="new-username"
        label={t('username')}
        autoComplete="off"
        value={username}
        onChange={(event) => setUsername(event.target.value)}
      />
      <TextField
        id="new-email"
        label={t('email')}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <TextField
        id="new-password"
        label={t('password')}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
    </CreateForm>
  );
};
