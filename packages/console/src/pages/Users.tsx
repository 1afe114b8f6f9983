import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi, User } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { linkTo, navigate } from '../router.ts';

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
  const [page, setPage] = useState(1);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [list, setList] = useState<{ items: User[]; total: number }>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setList(await api.listUsers(page, pageSize, search));
    } catch (failure) {
      setError(failure);
    }
  }, [api, page, search]);
  useEffect(() => {
    void load();
  }, [load]);

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setSearch(query.trim());
  };

  return (
    <section>
      <div className="heading-row">
        <h1>{t('title')}</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
          {t('createUser')}
        </button>
      </div>
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
      {list ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('user')}</th>
                <th scope="col">{t('email')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((user) => (
                <tr key={user.id}>
                  <td>
                    <a {...linkTo(`/console/users/${encodeURIComponent(user.id)}`)}>{displayName(user)}</a>
                  </td>
                  <td>{user.primaryEmail ?? ''}</td>
                  <td>{user.name ?? ''}</td>
                  <td>{user.isSuspended ? t('suspended') : t('active')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.items.length === 0 ? (
            <p className="muted">{search ? t('noMatch', { search }) : t('noUsers')}</p>
          ) : null}
          <Pager page={page} pageSize={pageSize} total={list.total} noun={t('users')} onPage={setPage} />
        </>
      ) : error ? null : (
        <p aria-busy="true">{t('loading')}</p>
      )}
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
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createUser({
        ...(username.trim() && { username: username.trim() }),
        ...(email.trim() && { primaryEmail: email.trim() }),
        ...(password && { password }),
      });
      navigate(`/console/users/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">{t('createTitle')}</h2>
      <p className="muted">{t('createHint')}</p>
      <div className="field">
        <label htmlFor="new-username">{t('username')}</label>
        <input
          id="new-username"
          autoComplete="off"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="new-email">{t('email')}</label>
        <input
          id="new-email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="new-password">{t('password')}</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {t('create')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
};
