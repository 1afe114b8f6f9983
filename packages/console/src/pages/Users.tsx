import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi, User } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { linkTo, navigate } from '../router.ts';

const pageSize = 20;

/** The users of this Gatehouse, searchable and paged, with a form to create one. */
export const Users = ({ api }: { api: ManagementApi }) => {
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
        <h1>Users</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
          Create user
        </button>
      </div>
      {creating ? <CreateUser api={api} onCancel={() => setCreating(false)} /> : null}
      <form className="row" aria-label="User search" onSubmit={submitSearch}>
        <label htmlFor="user-search">Search users</label>
        <input
          id="user-search"
          type="search"
          value={query}
          placeholder="Username, email, phone or name"
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">Search</button>
        {search ? (
          <button
            type="button"
            onClick={() => {
              setQuery('');
              setSearch('');
              setPage(1);
            }}
          >
            Clear
          </button>
        ) : null}
      </form>
      <ErrorMessage error={error} />
      {list ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
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
                  <td>{user.isSuspended ? 'Suspended' : 'Active'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.items.length === 0 ? (
            <p className="muted">{search ? `No user matches “${search}”.` : 'No users yet.'}</p>
          ) : null}
          <Pager page={page} pageSize={pageSize} total={list.total} noun="users" onPage={setPage} />
        </>
      ) : error ? null : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
};

/** What names a user in a list: the username, else the email, phone or id. */
export const displayName = (user: User) =>
  user.username ?? user.primaryEmail ?? user.primaryPhone ?? user.name ?? user.id;

const CreateUser = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
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
      <h2 id="create-user-title">Create a user</h2>
      <p className="muted">A username or an email is needed; the password is optional.</p>
      <div className="field">
        <label htmlFor="new-username">Username</label>
        <input
          id="new-username"
          autoComplete="off"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="new-email">Email</label>
        <input
          id="new-email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="new-password">Password</label>
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
          Create
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
};
